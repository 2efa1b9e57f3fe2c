//! Stage 3, transform: the spec as the generator feeds it to progenitor. Open enums are collected
//! (and replaced), `x-sdk-facade` parts set aside, lenient patterns dropped and tolerant lists
//! pointed at their `Tolerant<Item>` replacement; `one_of` decides which `oneOf`s are decoded by
//! JSON kind. Each step returns what it did as [`Note`]s.

pub(crate) mod one_of;

use serde_json::Value;

use super::check::{METHODS, is_facade};
use super::names::{rust_type_name, variant_name};
use super::report::Note;

/// A component schema marked `x-sdk-open-enum: true`.
#[derive(Clone, Debug)]
pub(crate) struct OpenEnum {
    /// The component schema's name, also the Rust type's.
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    /// (Rust variant name, wire value)
    pub(crate) variants: Vec<(String, String)>,
}

/// Collects the open enums, refusing an `enum` not marked open and one marked open that is not a
/// non-empty list of strings with distinct variant names.
pub(crate) fn collect_open_enums(document: &Value) -> Result<Vec<OpenEnum>, String> {
    let Some(schemas) = document.pointer("/components/schemas").and_then(Value::as_object) else {
        return Ok(Vec::new());
    };
    let mut enums = Vec::new();
    for (name, schema) in schemas {
        let marked = schema.get("x-sdk-open-enum").and_then(Value::as_bool) == Some(true);
        if !marked {
            if schema.get("enum").is_some() {
                return Err(format!(
                    "schema `{name}` has an enum without `x-sdk-open-enum: true`; closed enums fail to decode new values"
                ));
            }
            continue;
        }
        if schema.get("type").and_then(Value::as_str) != Some("string") {
            return Err(format!("open enum `{name}` must have `type: string`"));
        }
        let values = schema
            .get("enum")
            .and_then(Value::as_array)
            .filter(|values| !values.is_empty())
            .ok_or_else(|| format!("open enum `{name}` has no `enum` values"))?;
        let mut variants: Vec<(String, String)> = Vec::new();
        for value in values {
            let value = value
                .as_str()
                .ok_or_else(|| format!("open enum `{name}` has a non-string value {value}"))?;
            let variant = variant_name(value);
            if variant == "Unknown" || variants.iter().any(|(v, _)| *v == variant) {
                return Err(format!(
                    "open enum `{name}`: value `{value}` gives the variant name `{variant}` twice"
                ));
            }
            variants.push((variant, value.to_string()));
        }
        let description = schema.get("description").and_then(Value::as_str).map(str::to_string);
        enums.push(OpenEnum {
            name: name.clone(),
            description,
            variants,
        });
    }
    Ok(enums)
}

/// Removes operations and responses marked `x-sdk-facade: true`; returns what was left out.
pub(crate) fn set_aside_facade_parts(document: &mut Value) -> Vec<Note> {
    let mut excluded = Vec::new();
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else {
        return excluded;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for method in METHODS {
            let Some(operation) = item.get(*method) else { continue };
            let id = operation
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string();
            if is_facade(operation) {
                excluded.push(Note::FacadeOperation {
                    operation_id: id,
                    method: method.to_uppercase(),
                    path: path.clone(),
                });
                item.remove(*method);
                continue;
            }
            let Some(responses) = item
                .get_mut(*method)
                .and_then(|o| o.get_mut("responses"))
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            let marked: Vec<String> = responses
                .iter()
                .filter(|(_, r)| is_facade(r))
                .map(|(s, _)| s.clone())
                .collect();
            for status in marked {
                responses.remove(&status);
                excluded.push(Note::FacadeResponse {
                    operation_id: id.clone(),
                    status,
                });
            }
        }
    }
    paths.retain(|_, item| METHODS.iter().any(|m| item.get(*m).is_some()));
    excluded
}

/// Drops `pattern` where the spec marks it `x-sdk-lenient-pattern: true`: the spec keeps the domain
/// rule for contract checks, the generated decoder accepts what the server really sends.
pub(crate) fn relax_lenient_patterns(value: &mut Value, pointer: &str) -> Vec<Note> {
    let mut relaxed = Vec::new();
    match value {
        Value::Object(object) => {
            if object.get("x-sdk-lenient-pattern").and_then(Value::as_bool) == Some(true)
                && object.remove("pattern").is_some()
            {
                relaxed.push(Note::LenientPattern {
                    pointer: pointer.to_string(),
                });
            }
            for (key, child) in object.iter_mut() {
                relaxed.extend(relax_lenient_patterns(child, &format!("{pointer}/{key}")));
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter_mut().enumerate() {
                relaxed.extend(relax_lenient_patterns(child, &format!("{pointer}/{index}")));
            }
        }
        _ => {}
    }
    relaxed
}

/// The item schema of arrays marked `x-sdk-tolerant-items: true`, decoded item by item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TolerantItem {
    /// The component key added for the tolerant item (replaced by `sdk_runtime::Tolerant<..>`).
    pub(crate) key: String,
    /// The Rust type name typify gives the item's own component schema.
    pub(crate) item_type: String,
}

/// Suffix of the component schemas added for tolerant items: `StatusHistoryItem` ->
/// `StatusHistoryItem_SdkTolerant`.
const TOLERANT_SUFFIX: &str = "_SdkTolerant";

/// Points the `items` of every array marked `x-sdk-tolerant-items: true` (in paths and
/// components) at a component `<Item>_SdkTolerant`, which the generator replaces with
/// `sdk_runtime::Tolerant<Item>`: the array decodes as `Vec<sdk_runtime::Tolerant<Item>>`, one item
/// at a time, and an item that does not decode is kept as raw JSON instead of failing the array.
/// The items must be a `$ref` to a component schema. Returns the tolerant items and one line per
/// marked array.
pub(crate) fn mark_tolerant_items(document: &mut Value) -> Result<(Vec<TolerantItem>, Vec<Note>), String> {
    fn walk(value: &mut Value, pointer: &str, found: &mut Vec<(String, String)>) -> Result<(), String> {
        match value {
            Value::Object(object) => {
                if let Some(flag) = object.get("x-sdk-tolerant-items") {
                    if flag.as_bool() != Some(true) {
                        return Err(format!("`x-sdk-tolerant-items` at {pointer} must be `true`"));
                    }
                    if object.get("type").and_then(Value::as_str) != Some("array") {
                        return Err(format!(
                            "`x-sdk-tolerant-items` at {pointer} is not on a `type: array` schema"
                        ));
                    }
                    let reference = object
                        .get("items")
                        .and_then(|items| items.get("$ref"))
                        .and_then(Value::as_str)
                        .and_then(|r| r.strip_prefix("#/components/schemas/"))
                        .map(str::to_string)
                        .ok_or_else(|| {
                            format!(
                                "`x-sdk-tolerant-items` at {pointer}: the items must be a `$ref` to a component schema"
                            )
                        })?;
                    let key = format!("{reference}{TOLERANT_SUFFIX}");
                    object.insert(
                        "items".into(),
                        serde_json::json!({ "$ref": format!("#/components/schemas/{key}") }),
                    );
                    found.push((reference, pointer.to_string()));
                }
                for (key, child) in object.iter_mut() {
                    walk(
                        child,
                        &format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1")),
                        found,
                    )?;
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter_mut().enumerate() {
                    walk(child, &format!("{pointer}/{index}"), found)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
    let mut found = Vec::new();
    walk(document, "", &mut found)?;
    let mut items: Vec<TolerantItem> = Vec::new();
    let mut notes = Vec::new();
    for (reference, pointer) in found {
        let key = format!("{reference}{TOLERANT_SUFFIX}");
        let exists = document.pointer(&format!("/components/schemas/{reference}")).is_some();
        if !exists {
            return Err(format!(
                "`x-sdk-tolerant-items` at {pointer}: `#/components/schemas/{reference}` does not exist"
            ));
        }
        let item_type = rust_type_name(&reference);
        notes.push(Note::TolerantItems {
            pointer,
            item_type: item_type.clone(),
        });
        if items.iter().any(|item| item.key == key) {
            continue;
        }
        let schemas = document
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
            .ok_or("has no `components.schemas`")?;
        if schemas.contains_key(&key) {
            return Err(format!(
                "component schema `{key}` is reserved for the tolerant items of `{reference}`"
            ));
        }
        // What it holds does not matter to typify (the whole schema is replaced); it says what it is.
        schemas.insert(
            key.clone(),
            serde_json::json!({
                "description": format!("`{reference}`, or its raw JSON when it does not decode."),
                "allOf": [{ "$ref": format!("#/components/schemas/{reference}") }],
            }),
        );
        items.push(TolerantItem { key, item_type });
    }
    Ok((items, notes))
}
