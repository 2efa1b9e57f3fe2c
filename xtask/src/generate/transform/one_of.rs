//! The `oneOf`s of distinct JSON kinds: which ones are decoded by kind with
//! `sdk_runtime::one_of!` (hoisting those written inline in a property into their own component
//! schema), and the exact variant names, types and impls typify gives them, read from typify's own
//! output so that the replacement keeps the same API.

use std::collections::BTreeSet;

use progenitor_impl::{GenerationSettings, Generator};
use serde_json::Value;

use crate::generate::TYPES_MODULE;
use crate::generate::names::rust_type_name;
use crate::generate::progenitor::run_progenitor;
use crate::generate::report::Note;

/// The JSON kinds a `oneOf` variant can have, for decoding by kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JsonKind {
    String,
    Integer,
    Number,
    Boolean,
    Object,
    Array,
}

impl JsonKind {
    /// The keyword `sdk_runtime::one_of!` takes, also the spec's `type`.
    pub(crate) fn keyword(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Integer => "integer",
            Self::Number => "number",
            Self::Boolean => "boolean",
            Self::Object => "object",
            Self::Array => "array",
        }
    }

    fn from_type(name: &str) -> Option<Self> {
        Some(match name {
            "string" => Self::String,
            "integer" => Self::Integer,
            "number" => Self::Number,
            "boolean" => Self::Boolean,
            "object" => Self::Object,
            "array" => Self::Array,
            _ => return None,
        })
    }
}

/// Keys a `oneOf` schema may carry besides `oneOf` and `x-*` and still be decoded by kind: the
/// others (`type`, `nullable`, `default`, `discriminator`, ...) change what typify generates.
const ONE_OF_KEYS: &[&str] = &["oneOf", "description", "title", "example", "externalDocs", "deprecated"];

/// A component schema (given or hoisted from a property) whose `oneOf` variants are distinct
/// JSON kinds, before typify has named its variants.
#[derive(Clone, Debug)]
pub(crate) struct OneOfSchema {
    /// The component schema's key.
    key: String,
    /// The Rust type name typify gives the schema.
    name: String,
    description: Option<String>,
    kinds: Vec<JsonKind>,
    /// `Parent.property` for a `oneOf` the spec writes inline in a property.
    inline_in: Option<String>,
}

/// A `oneOf` replaced with `sdk_runtime::one_of!`: typify's variants, decoded by JSON kind.
#[derive(Clone, Debug)]
pub(crate) struct OneOf {
    /// The Rust type name.
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    /// (variant name, inner Rust type as written in `one_of.rs`, JSON kind, typify gave `From`)
    pub(crate) variants: Vec<(String, String, JsonKind, bool)>,
    /// typify gave the enum `Display`.
    pub(crate) display: bool,
    pub(crate) inline_in: Option<String>,
}

/// The JSON kinds of a `oneOf` schema's variants, in order, when they are pairwise distinct;
/// otherwise why the schema stays with typify.
fn one_of_kinds(document: &Value, schema: &Value) -> Result<Vec<JsonKind>, String> {
    let object = schema.as_object().ok_or("not a schema object")?;
    let variants = object
        .get("oneOf")
        .and_then(Value::as_array)
        .ok_or("has no `oneOf` list")?;
    if let Some(key) = object
        .keys()
        .find(|key| !key.starts_with("x-") && !ONE_OF_KEYS.contains(&key.as_str()))
    {
        return Err(format!("`{key}` beside `oneOf`"));
    }
    if variants.len() < 2 {
        return Err("fewer than two variants".into());
    }
    let mut kinds: Vec<JsonKind> = Vec::new();
    for (index, variant) in variants.iter().enumerate() {
        let kind = variant_kind(document, variant).map_err(|e| format!("variant {index}: {e}"))?;
        if kinds.contains(&kind) {
            return Err(format!("two variants are JSON {}s", kind.keyword()));
        }
        kinds.push(kind);
    }
    Ok(kinds)
}

/// The JSON kind of one `oneOf` variant: its `type`, or that of the schema it references.
fn variant_kind(document: &Value, variant: &Value) -> Result<JsonKind, String> {
    let (schema, place) = match variant.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference
                .strip_prefix("#/components/schemas/")
                .ok_or_else(|| format!("`{reference}` is not a component schema"))?;
            let schema = document
                .pointer(&format!("/components/schemas/{name}"))
                .ok_or_else(|| format!("`{reference}` does not exist"))?;
            (schema, format!("`{name}`"))
        }
        None => (variant, "it".to_string()),
    };
    if schema.get("nullable").and_then(Value::as_bool) == Some(true) {
        return Err(format!("{place} is nullable"));
    }
    if ["oneOf", "anyOf", "allOf", "not"]
        .iter()
        .any(|k| schema.get(*k).is_some())
    {
        return Err(format!("{place} is itself a composition"));
    }
    if variant.get("$ref").is_none() && schema.get("enum").is_some() {
        return Err("an inline enum".into());
    }
    match schema.get("type").and_then(Value::as_str) {
        Some(name) => JsonKind::from_type(name).ok_or_else(|| format!("{place} has the unknown type `{name}`")),
        None if schema.get("properties").is_some() || schema.get("additionalProperties").is_some() => {
            Ok(JsonKind::Object)
        }
        None => Err(format!("{place} has no `type`")),
    }
}

/// Moves each `oneOf` of distinct JSON kinds written inline in a component's property into its
/// own component schema, `<Parent>_<property>`: typify gives that the same Rust name as the
/// inline schema (`AppzenError.status` -> `AppzenErrorStatus`), and only named schemas can be
/// replaced. The property keeps its description through a one-element `allOf`. Returns
/// (component key, `Parent.property`) for each schema moved.
pub(crate) fn hoist_inline_one_ofs(document: &mut Value) -> Vec<(String, String)> {
    let Some(schemas) = document.pointer("/components/schemas").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut taken: BTreeSet<String> = schemas.keys().map(|key| rust_type_name(key)).collect();
    let mut moves = Vec::new();
    for (parent, schema) in schemas {
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            continue;
        };
        for (property, property_schema) in properties {
            if property_schema.get("oneOf").is_none() || one_of_kinds(document, property_schema).is_err() {
                continue;
            }
            let key = format!("{parent}_{property}");
            // A name clash would make typify pick another name for one of the two: leave it inline.
            if taken.insert(rust_type_name(&key)) {
                moves.push((parent.clone(), property.clone(), key));
            }
        }
    }
    let mut hoisted = Vec::new();
    for (parent, property, key) in moves {
        let Some(slot) = document.pointer_mut(&format!("/components/schemas/{parent}/properties/{property}")) else {
            continue;
        };
        let mut reference = serde_json::json!({ "allOf": [{ "$ref": format!("#/components/schemas/{key}") }] });
        if let Some(description) = slot.get("description") {
            reference["description"] = description.clone();
        }
        let schema = std::mem::replace(slot, reference);
        if let Some(schemas) = document
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
        {
            schemas.insert(key.clone(), schema);
        }
        hoisted.push((key, format!("{parent}.{property}")));
    }
    hoisted
}

/// Splits the component schemas that have a `oneOf` into those decoded by kind and lines saying
/// why the others stay typify's untagged enums.
pub(crate) fn collect_one_of_schemas(document: &Value, hoisted: &[(String, String)]) -> (Vec<OneOfSchema>, Vec<Note>) {
    let mut schemas = Vec::new();
    let mut notes = Vec::new();
    let Some(components) = document.pointer("/components/schemas").and_then(Value::as_object) else {
        return (schemas, notes);
    };
    for (key, schema) in components {
        if schema.get("oneOf").is_none() {
            continue;
        }
        let name = rust_type_name(key);
        match one_of_kinds(document, schema) {
            Ok(kinds) => schemas.push(OneOfSchema {
                key: key.clone(),
                name,
                description: schema.get("description").and_then(Value::as_str).map(str::to_string),
                kinds,
                inline_in: hoisted
                    .iter()
                    .find(|(hoisted_key, _)| hoisted_key == key)
                    .map(|(_, place)| place.clone()),
            }),
            Err(reason) => notes.push(Note::OneOfLeft { name, reason }),
        }
    }
    (schemas, notes)
}

/// Reads, from typify's own output for the spec's schemas, the variant names and inner types of
/// each kind-dispatched `oneOf`, and which `From` and `Display` impls typify gives it, so that the
/// replacement has exactly the same API. A schema whose typify enum does not have the expected
/// shape stays with typify, with a line saying why.
pub(crate) fn resolve_one_ofs(
    document: &Value,
    settings: &GenerationSettings,
    schemas: Vec<OneOfSchema>,
    mut notes: Vec<Note>,
) -> Result<(Vec<OneOf>, Vec<Note>), String> {
    if schemas.is_empty() {
        return Ok((Vec::new(), notes));
    }
    // Only these schemas and those they reference matter here: generate their types alone.
    let mut wanted: Vec<String> = schemas.iter().map(|schema| schema.key.clone()).collect();
    let mut closure = serde_json::Map::new();
    while let Some(key) = wanted.pop() {
        if closure.contains_key(&key) {
            continue;
        }
        let Some(schema) = document.pointer(&format!("/components/schemas/{key}")) else {
            continue;
        };
        collect_schema_refs(schema, &mut wanted);
        closure.insert(key, schema.clone());
    }
    let types_only = serde_json::json!({
        "openapi": document.get("openapi").cloned().unwrap_or(Value::Null),
        "info": document.get("info").cloned().unwrap_or(Value::Null),
        "paths": {},
        "components": { "schemas": closure },
    });
    let types_only: openapiv3::OpenAPI = serde_json::from_value(types_only)
        .map_err(|e| format!("not an OpenAPI 3.0 document progenitor can read: {e}"))?;
    let tokens = run_progenitor(|| Generator::new(settings).generate_tokens(&types_only))?;
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("progenitor produced code that does not parse: {e}"))?;
    let types = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(module) if module.ident == "types" => module.content.as_ref().map(|(_, items)| items),
            _ => None,
        })
        .ok_or("progenitor produced no `types` module")?;
    let types_module: syn::Path =
        syn::parse_str(TYPES_MODULE).map_err(|e| format!("`{TYPES_MODULE}` is not a Rust path: {e}"))?;
    let mut one_ofs = Vec::new();
    for schema in schemas {
        match typify_one_of(types, &schema, &types_module) {
            Ok(one_of) => {
                notes.push(Note::OneOfReplaced {
                    name: one_of.name.clone(),
                    kinds: one_of.variants.iter().map(|(_, _, kind, _)| kind.keyword()).collect(),
                    inline_in: one_of.inline_in.clone(),
                });
                one_ofs.push(one_of);
            }
            Err(reason) => notes.push(Note::OneOfLeft {
                name: schema.name,
                reason,
            }),
        }
    }
    Ok((one_ofs, notes))
}

/// Adds the component schemas `schema` references (`#/components/schemas/X`) to `refs`.
fn collect_schema_refs(schema: &Value, refs: &mut Vec<String>) {
    match schema {
        Value::Object(object) => {
            for (key, child) in object {
                match (key.as_str(), child.as_str()) {
                    ("$ref", Some(reference)) => {
                        if let Some(name) = reference.strip_prefix("#/components/schemas/") {
                            refs.push(name.to_string());
                        }
                    }
                    _ => collect_schema_refs(child, refs),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_schema_refs(item, refs)),
        _ => {}
    }
}

/// What typify generated for one `oneOf` schema, checked to be an untagged enum with one
/// single-field variant per `oneOf` entry, the usual derives, and no impl `one_of!` cannot give.
fn typify_one_of(types: &[syn::Item], schema: &OneOfSchema, types_module: &syn::Path) -> Result<OneOf, String> {
    use quote::ToTokens;

    let item = types
        .iter()
        .find_map(|item| match item {
            syn::Item::Enum(item) if item.ident == schema.name.as_str() => Some(item),
            _ => None,
        })
        .ok_or_else(|| format!("typify generated no enum `{}`", schema.name))?;
    let untagged = item
        .attrs
        .iter()
        .any(|attr| attr.path().is_ident("serde") && attr.meta.to_token_stream().to_string().contains("untagged"));
    if !untagged {
        return Err("typify's enum is not untagged".into());
    }
    for attr in item.attrs.iter().filter(|attr| attr.path().is_ident("derive")) {
        let list = attr.meta.to_token_stream().to_string().replace(' ', "");
        let list = list.trim_start_matches("derive(").trim_end_matches(')');
        const DERIVES: &[&str] = &[
            "::serde::Deserialize",
            "::serde::Serialize",
            "Clone",
            "Debug",
            "PartialEq",
            "schemars::JsonSchema",
        ];
        if let Some(other) = list.split(',').find(|d| !d.is_empty() && !DERIVES.contains(d)) {
            return Err(format!("typify derives `{other}` on it"));
        }
    }
    if item.variants.len() != schema.kinds.len() {
        return Err(format!(
            "typify made {} variants of {} `oneOf` entries",
            item.variants.len(),
            schema.kinds.len()
        ));
    }
    let mut display = false;
    let mut from_types: Vec<String> = Vec::new();
    for implementation in types.iter().filter_map(|item| match item {
        syn::Item::Impl(implementation) => Some(implementation),
        _ => None,
    }) {
        let self_name = match &*implementation.self_ty {
            syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        };
        if self_name.as_deref() != Some(schema.name.as_str()) {
            continue;
        }
        let Some((trait_path, _)) = &implementation.trait_ else {
            return Err("typify gives it inherent methods".into());
        };
        let Some(last) = trait_path.segments.last() else {
            continue;
        };
        match (last.ident.to_string().as_str(), &last.arguments) {
            ("Display", _) => display = true,
            ("From", syn::PathArguments::AngleBracketed(arguments)) => {
                from_types.push(arguments.args.to_token_stream().to_string());
            }
            (other, _) => return Err(format!("typify gives it `{other}`, which one_of! does not")),
        }
    }
    let mut variants = Vec::new();
    for (variant, kind) in item.variants.iter().zip(&schema.kinds) {
        let field = match &variant.fields {
            syn::Fields::Unnamed(fields) if fields.unnamed.len() == 1 => &fields.unnamed[0],
            _ => return Err(format!("variant `{}` is not a one-field tuple", variant.ident)),
        };
        let written = field.ty.to_token_stream().to_string();
        if let Some(rust_kind) = rust_type_kind(&written)
            && rust_kind != *kind
        {
            return Err(format!(
                "variant `{}` holds `{written}`, not a JSON {}",
                variant.ident,
                kind.keyword()
            ));
        }
        let mut ty = field.ty.clone();
        qualify_type(&mut ty, types_module);
        variants.push((
            variant.ident.to_string(),
            type_source(&ty)?,
            *kind,
            from_types.contains(&written),
        ));
    }
    Ok(OneOf {
        name: schema.name.clone(),
        description: schema.description.clone(),
        variants,
        display,
        inline_in: schema.inline_in.clone(),
    })
}

/// The JSON kind a Rust type typify uses decodes from, for the types it is plain about.
fn rust_type_kind(written: &str) -> Option<JsonKind> {
    let written = written.replace(' ', "");
    Some(match written.as_str() {
        "::std::string::String" => JsonKind::String,
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" => JsonKind::Integer,
        "f32" | "f64" => JsonKind::Number,
        "bool" => JsonKind::Boolean,
        _ if written.starts_with("::serde_json::Map<") => JsonKind::Object,
        _ if written.starts_with("::std::vec::Vec<") => JsonKind::Array,
        _ => return None,
    })
}

/// Rewrites the names of typify's own types (written relative to its `types` module, e.g.
/// `RoleCode`) as paths from `one_of.rs`, under `types_module`.
fn qualify_type(ty: &mut syn::Type, types_module: &syn::Path) {
    const KEEP: &[&str] = &[
        "crate", "self", "super", "Self", "std", "core", "alloc", "bool", "char", "str", "i8", "i16", "i32", "i64",
        "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize", "f32", "f64",
    ];
    match ty {
        syn::Type::Path(path) => {
            for segment in path.path.segments.iter_mut() {
                if let syn::PathArguments::AngleBracketed(arguments) = &mut segment.arguments {
                    for argument in arguments.args.iter_mut() {
                        if let syn::GenericArgument::Type(inner) = argument {
                            qualify_type(inner, types_module);
                        }
                    }
                }
            }
            let local = path.qself.is_none()
                && path.path.leading_colon.is_none()
                && path
                    .path
                    .segments
                    .first()
                    .is_some_and(|first| !KEEP.contains(&first.ident.to_string().as_str()));
            if local {
                let mut qualified = types_module.clone();
                qualified.segments.extend(path.path.segments.iter().cloned());
                path.path = qualified;
            }
        }
        syn::Type::Array(array) => qualify_type(&mut array.elem, types_module),
        syn::Type::Slice(slice) => qualify_type(&mut slice.elem, types_module),
        syn::Type::Reference(reference) => qualify_type(&mut reference.elem, types_module),
        syn::Type::Paren(paren) => qualify_type(&mut paren.elem, types_module),
        syn::Type::Tuple(tuple) => tuple.elems.iter_mut().for_each(|elem| qualify_type(elem, types_module)),
        _ => {}
    }
}

/// A type as prettyplease writes it (`::std::vec::Vec<::serde_json::Value>`).
fn type_source(ty: &syn::Type) -> Result<String, String> {
    let file: syn::File =
        syn::parse2(quote::quote! { type T = #ty; }).map_err(|e| format!("cannot write a variant type: {e}"))?;
    let text = prettyplease::unparse(&file);
    Ok(text
        .trim()
        .trim_start_matches("type T = ")
        .trim_end_matches(';')
        .to_string())
}
