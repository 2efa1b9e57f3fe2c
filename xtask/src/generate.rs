//! `cargo xtask generate`: the curated specs in, formatted client code out.
//!
//! Every file under `sdk-*/src/generated/` is written here and nowhere else. The pipeline for one
//! spec is: read and parse the YAML, check what progenitor cannot check for itself (OpenAPI 3.0.x,
//! operation ids, one body type per outcome), set aside what the hand-written facade implements
//! (`x-sdk-facade: true`), turn `x-sdk-open-enum` schemas into open enums and `oneOf`s of distinct
//! JSON kinds into kind-dispatched enums, then run progenitor (client and typed httpmock helpers)
//! and format with prettyplease. Nothing is written until every spec has generated cleanly, so a
//! bad spec never leaves half-generated files behind.

use heck::{ToShoutySnakeCase, ToSnakeCase};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use progenitor_impl::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
use serde_json::Value;

/// One SDK crate and the spec it is generated from.
#[derive(Clone, Debug)]
pub struct Target {
    /// Path of the spec, relative to the workspace root.
    pub spec: &'static str,
    /// Folder the generated files go to, relative to the workspace root.
    pub out_dir: &'static str,
}

/// The three specs and the crates they feed.
pub const TARGETS: &[Target] = &[
    Target {
        spec: "specs/iopole.yaml",
        out_dir: "sdk-iopole/src/generated",
    },
    Target {
        spec: "specs/invoicexpress.yaml",
        out_dir: "sdk-invoicexpress/src/generated",
    },
    Target {
        spec: "specs/appzen.yaml",
        out_dir: "sdk-appzen/src/generated",
    },
];

/// The Rust path, inside each SDK crate, of the generated client module.
const CLIENT_MODULE: &str = "crate::generated::client";
/// The Rust path, inside each SDK crate, of the generated open enums.
const OPEN_ENUM_MODULE: &str = "crate::generated::open_enums";
/// The Rust path, inside each SDK crate, of the generated kind-dispatched `oneOf` enums.
const ONE_OF_MODULE: &str = "crate::generated::one_of";
/// The Rust path, inside each SDK crate, of typify's types (what `one_of.rs` refers to).
const TYPES_MODULE: &str = "crate::generated::client::types";

/// A file the generator produces, with its path relative to the workspace root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the workspace root.
    pub path: PathBuf,
    /// Full contents, formatted.
    pub contents: String,
}

/// What one spec generated, and what it deliberately left to the facade.
#[derive(Clone, Debug, Default)]
pub struct SpecOutput {
    /// The files to write.
    pub files: Vec<GeneratedFile>,
    /// One line per operation or response left out of generation (`x-sdk-facade: true`), per
    /// pattern not enforced when decoding (`x-sdk-lenient-pattern`), and per `oneOf` schema taken
    /// away from typify (or left to it, and why).
    pub excluded: Vec<String>,
}

/// A spec that could not be turned into code: names the file and the cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateError {
    /// The spec (or generated file) concerned.
    pub file: PathBuf,
    /// What is wrong, in words a spec author can act on.
    pub cause: String,
}

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.cause)
    }
}

impl std::error::Error for GenerateError {}

/// Outcome of `generate --check`: the files whose checked-in contents differ from the specs.
#[derive(Debug, Default)]
pub struct Drift {
    /// Unified diffs (or "missing"/"stale" notes), one entry per drifted file.
    pub entries: Vec<String>,
}

impl Drift {
    /// True when the checked-in code matches the specs.
    pub fn is_clean(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Generates every target in memory. Fails on the first spec that cannot be generated.
pub fn generate_all(root: &Path, targets: &[Target]) -> Result<Vec<SpecOutput>, GenerateError> {
    targets.iter().map(|target| generate_target(root, target)).collect()
}

/// Writes generated files, replacing changed ones and removing files no spec produces any more.
/// Returns the paths written or removed.
pub fn write_outputs(root: &Path, targets: &[Target], outputs: &[SpecOutput]) -> Result<Vec<PathBuf>, GenerateError> {
    let mut touched = Vec::new();
    for (target, output) in targets.iter().zip(outputs) {
        let out_dir = root.join(target.out_dir);
        fs::create_dir_all(&out_dir).map_err(|e| io_error(&out_dir, "cannot create folder", e))?;
        for file in &output.files {
            let path = root.join(&file.path);
            if fs::read_to_string(&path).ok().as_deref() == Some(file.contents.as_str()) {
                continue;
            }
            // Write beside the target and rename, so a crash never leaves a truncated file.
            let partial = path.with_extension("rs.partial");
            fs::write(&partial, &file.contents).map_err(|e| io_error(&partial, "cannot write", e))?;
            fs::rename(&partial, &path).map_err(|e| io_error(&path, "cannot replace", e))?;
            touched.push(file.path.clone());
        }
        for stale in stale_files(root, target, output)? {
            fs::remove_file(root.join(&stale)).map_err(|e| io_error(&stale, "cannot remove", e))?;
            touched.push(stale);
        }
    }
    Ok(touched)
}

/// Compares generated files with what is checked in, writing nothing.
pub fn check_outputs(root: &Path, targets: &[Target], outputs: &[SpecOutput]) -> Result<Drift, GenerateError> {
    let mut drift = Drift::default();
    for (target, output) in targets.iter().zip(outputs) {
        for file in &output.files {
            let label = file.path.display().to_string();
            match fs::read_to_string(root.join(&file.path)) {
                Ok(current) if current == file.contents => {}
                Ok(current) => {
                    let diff = similar::TextDiff::from_lines(&current, &file.contents)
                        .unified_diff()
                        .context_radius(3)
                        .header(&format!("{label} (checked in)"), &format!("{label} (from spec)"))
                        .to_string();
                    drift.entries.push(format!("{label} is stale:\n{diff}"));
                }
                Err(_) => drift.entries.push(format!("{label} is missing")),
            }
        }
        for stale in stale_files(root, target, output)? {
            drift.entries.push(format!(
                "{} is not produced by any spec and should be removed",
                stale.display()
            ));
        }
    }
    Ok(drift)
}

/// Files in a target's generated folder that the current spec no longer produces.
fn stale_files(root: &Path, target: &Target, output: &SpecOutput) -> Result<Vec<PathBuf>, GenerateError> {
    let dir = root.join(target.out_dir);
    let expected: BTreeSet<&Path> = output.files.iter().map(|f| f.path.as_path()).collect();
    let Ok(entries) = fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut stale = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io_error(&dir, "cannot list", e))?;
        let relative = Path::new(target.out_dir).join(entry.file_name());
        if entry.path().is_file() && !expected.contains(relative.as_path()) {
            stale.push(relative);
        }
    }
    stale.sort();
    Ok(stale)
}

fn io_error(path: &Path, what: &str, error: std::io::Error) -> GenerateError {
    GenerateError {
        file: path.to_path_buf(),
        cause: format!("{what}: {error}"),
    }
}

/// Generates one spec's files in memory.
pub fn generate_target(root: &Path, target: &Target) -> Result<SpecOutput, GenerateError> {
    let spec_file = PathBuf::from(target.spec);
    let fail = |cause: String| GenerateError {
        file: spec_file.clone(),
        cause,
    };

    let text = fs::read_to_string(root.join(target.spec)).map_err(|e| fail(format!("cannot read the spec: {e}")))?;
    let mut document = sdk_contract::spec::parse_yaml(&text).map_err(fail)?;

    check_openapi_version(&document).map_err(fail)?;
    let operations = collect_operations(&document).map_err(fail)?;
    let open_enums = collect_open_enums(&document).map_err(fail)?;
    let mut excluded = set_aside_facade_parts(&mut document);
    excluded.extend(relax_lenient_patterns(&mut document, ""));
    let (tolerant, tolerant_notes) = mark_tolerant_items(&mut document).map_err(fail)?;
    excluded.extend(tolerant_notes);
    check_one_body_type_per_outcome(&document).map_err(fail)?;
    let hoisted = hoist_inline_one_ofs(&mut document);
    let (one_of_schemas, one_of_notes) = collect_one_of_schemas(&document, &hoisted);
    let (one_ofs, one_of_notes) = resolve_one_ofs(
        &document,
        &generation_settings(&open_enums, &[], &tolerant),
        one_of_schemas,
        one_of_notes,
    )
    .map_err(&fail)?;
    excluded.extend(one_of_notes);
    let settings = generation_settings(&open_enums, &one_ofs, &tolerant);

    let spec: openapiv3::OpenAPI = serde_json::from_value(document)
        .map_err(|e| fail(format!("not an OpenAPI 3.0 document progenitor can read: {e}")))?;

    let client = run_progenitor(|| Generator::new(&settings).generate_tokens(&spec)).map_err(&fail)?;
    let mock = run_progenitor(|| Generator::new(&settings).httpmock(&spec, CLIENT_MODULE)).map_err(&fail)?;
    let client = format_file(client, |file| reexport_one_ofs(file, &one_ofs)).map_err(&fail)?;

    let header = format!(
        "// @generated by `cargo xtask generate` from {}. Do not edit: change the spec and regenerate.\n",
        target.spec
    );
    let out = Path::new(target.out_dir);
    let file = |name: &str, body: String| GeneratedFile {
        path: out.join(name),
        contents: format!("{header}\n{body}"),
    };
    let files = vec![
        file("mod.rs", module_root(target.spec)),
        file("client.rs", client),
        file("mock.rs", format_tokens(mock).map_err(&fail)?),
        file("one_of.rs", one_of_source(&one_ofs)),
        file("open_enums.rs", open_enum_source(&open_enums)),
        file("operations.rs", operations_source(target.spec, &operations)),
    ];
    Ok(SpecOutput { files, excluded })
}

fn check_openapi_version(document: &Value) -> Result<(), String> {
    match document.get("openapi").and_then(Value::as_str) {
        Some(version) if version.starts_with("3.0.") => Ok(()),
        Some(version) => Err(format!("is OpenAPI {version}; progenitor accepts OpenAPI 3.0.x only")),
        None => Err("has no `openapi: 3.0.x` version field (Swagger 2.0 and OpenAPI 3.1 are not accepted)".into()),
    }
}

/// HTTP methods an OpenAPI path item may hold, in the order they are reported.
const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// An operation as the spec declares it, facade-only ones included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperationEntry {
    /// The spec's `operationId`.
    pub operation_id: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// The path template, e.g. `/v1/invoice/{invoiceId}/status`.
    pub path: String,
    /// True when the hand-written facade implements it (`x-sdk-facade: true`).
    pub facade_only: bool,
}

fn is_facade(value: &Value) -> bool {
    value.get("x-sdk-facade").and_then(Value::as_bool) == Some(true)
}

/// Lists the operations, checking that each has a unique camelCase `operationId`.
fn collect_operations(document: &Value) -> Result<Vec<OperationEntry>, String> {
    let paths = document
        .get("paths")
        .and_then(Value::as_object)
        .ok_or("has no `paths` object")?;
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut operations = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            let Some(operation) = item.get(*method) else { continue };
            let place = format!("{} {path}", method.to_uppercase());
            let id = operation
                .get("operationId")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("operation {place} has no operationId"))?;
            let camel = id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && id.chars().all(|c| c.is_ascii_alphanumeric());
            if !camel {
                return Err(format!("operationId `{id}` ({place}) is not camelCase"));
            }
            check_path_parameters(path, item, operation).map_err(|e| format!("operation `{id}` ({place}): {e}"))?;
            if let Some(first) = seen.insert(id.to_string(), place.clone()) {
                return Err(format!("duplicate operationId `{id}`: used by {first} and by {place}"));
            }
            operations.push(OperationEntry {
                operation_id: id.to_string(),
                method: method.to_uppercase(),
                path: path.clone(),
                facade_only: is_facade(operation),
            });
        }
    }
    Ok(operations)
}

/// Path parameters and the template's `{placeholders}` must match one to one; progenitor does not
/// check, and generates code that does not compile when they differ.
fn check_path_parameters(path: &str, item: &Value, operation: &Value) -> Result<(), String> {
    let placeholders: BTreeSet<&str> = path
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect();
    let declared: BTreeSet<&str> = [item.get("parameters"), operation.get("parameters")]
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
        .filter(|p| p.get("in").and_then(Value::as_str) == Some("path"))
        .filter_map(|p| p.get("name").and_then(Value::as_str))
        .collect();
    if let Some(missing) = declared.difference(&placeholders).next() {
        return Err(format!("path parameter `{missing}` is not in the path template"));
    }
    if let Some(undeclared) = placeholders.difference(&declared).next() {
        return Err(format!("`{{{undeclared}}}` in the path template has no path parameter"));
    }
    Ok(())
}

/// A component schema marked `x-sdk-open-enum: true`.
#[derive(Clone, Debug)]
struct OpenEnum {
    name: String,
    description: Option<String>,
    /// (Rust variant name, wire value)
    variants: Vec<(String, String)>,
}

fn collect_open_enums(document: &Value) -> Result<Vec<OpenEnum>, String> {
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

/// `IN_HAND` -> `InHand`, `second_copy` -> `SecondCopy`, `invoices` -> `Invoices`.
fn variant_name(value: &str) -> String {
    let mut name = String::new();
    for word in value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            name.push(first.to_ascii_uppercase());
            name.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    name
}

/// Removes operations and responses marked `x-sdk-facade: true`; returns what was left out.
fn set_aside_facade_parts(document: &mut Value) -> Vec<String> {
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
                excluded.push(format!(
                    "operation `{id}` ({} {path}): x-sdk-facade, implemented by hand in the facade",
                    method.to_uppercase()
                ));
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
                excluded.push(format!(
                    "response {status} of `{id}`: x-sdk-facade, accepted by the facade"
                ));
                responses.remove(&status);
            }
        }
    }
    paths.retain(|_, item| METHODS.iter().any(|m| item.get(*m).is_some()));
    excluded
}

/// Drops `pattern` where the spec marks it `x-sdk-lenient-pattern: true`: the spec keeps the domain
/// rule for contract checks, the generated decoder accepts what the server really sends.
fn relax_lenient_patterns(value: &mut Value, pointer: &str) -> Vec<String> {
    let mut relaxed = Vec::new();
    match value {
        Value::Object(object) => {
            if object.get("x-sdk-lenient-pattern").and_then(Value::as_bool) == Some(true)
                && object.remove("pattern").is_some()
            {
                relaxed.push(format!(
                    "pattern at {pointer}: x-sdk-lenient-pattern, not enforced when decoding"
                ));
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
struct TolerantItem {
    /// The component key added for the tolerant item (replaced by `sdk_runtime::Tolerant<..>`).
    key: String,
    /// The Rust type name typify gives the item's own component schema.
    item_type: String,
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
fn mark_tolerant_items(document: &mut Value) -> Result<(Vec<TolerantItem>, Vec<String>), String> {
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
        notes.push(format!(
            "tolerant items at {pointer}: Vec<sdk_runtime::Tolerant<{item_type}>>, an item that does not decode is kept as raw JSON"
        ));
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

/// progenitor gives an operation one success type and one error type, and panics otherwise; say so
/// in words instead, naming the operation and statuses.
fn check_one_body_type_per_outcome(document: &Value) -> Result<(), String> {
    let Some(paths) = document.get("paths").and_then(Value::as_object) else {
        return Ok(());
    };
    for (path, item) in paths {
        for method in METHODS {
            let Some(operation) = item.get(*method) else { continue };
            let id = operation.get("operationId").and_then(Value::as_str).unwrap_or("?");
            let Some(responses) = operation.get("responses").and_then(Value::as_object) else {
                return Err(format!(
                    "operation `{id}` ({} {path}) has no responses",
                    method.to_uppercase()
                ));
            };
            for (outcome, wanted) in [("success", true), ("error", false)] {
                let mut bodies: BTreeMap<String, Vec<&str>> = BTreeMap::new();
                for (status, response) in responses {
                    let success = status == "default" || status.starts_with('2');
                    let error = status == "default" || status.starts_with('4') || status.starts_with('5');
                    if (wanted && success) || (!wanted && error) {
                        let response = resolve_response(document, response);
                        bodies.entry(body_kind(response)).or_default().push(status);
                    }
                }
                if bodies.len() > 1 {
                    let listing: Vec<String> = bodies
                        .iter()
                        .map(|(kind, statuses)| format!("{} -> {kind}", statuses.join(", ")))
                        .collect();
                    return Err(format!(
                        "operation `{id}` has {} different {outcome} bodies ({}); the generated client has one {outcome} \
                         type per operation: share one schema, or mark the others `x-sdk-facade: true`",
                        bodies.len(),
                        listing.join("; ")
                    ));
                }
            }
        }
    }
    Ok(())
}

fn resolve_response<'a>(document: &'a Value, response: &'a Value) -> &'a Value {
    match response
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/responses/"))
    {
        Some(name) => document
            .pointer(&format!("/components/responses/{name}"))
            .unwrap_or(response),
        None => response,
    }
}

/// How progenitor will see a response body: a JSON schema, some other content, or none.
fn body_kind(response: &Value) -> String {
    let Some(content) = response
        .get("content")
        .and_then(Value::as_object)
        .filter(|c| !c.is_empty())
    else {
        return "no body".into();
    };
    match content.iter().find(|(media, _)| media.starts_with("application/json")) {
        Some((_, media)) => format!("JSON {}", media.get("schema").map(Value::to_string).unwrap_or_default()),
        None => "non-JSON body".into(),
    }
}

/// The JSON kinds a `oneOf` variant can have, for decoding by kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum JsonKind {
    String,
    Integer,
    Number,
    Boolean,
    Object,
    Array,
}

impl JsonKind {
    /// The keyword `sdk_runtime::one_of!` takes, also the spec's `type`.
    fn keyword(self) -> &'static str {
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
struct OneOfSchema {
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
struct OneOf {
    name: String,
    description: Option<String>,
    /// (variant name, inner Rust type as written in `one_of.rs`, JSON kind, typify gave `From`)
    variants: Vec<(String, String, JsonKind, bool)>,
    /// typify gave the enum `Display`.
    display: bool,
    inline_in: Option<String>,
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
fn hoist_inline_one_ofs(document: &mut Value) -> Vec<(String, String)> {
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
fn collect_one_of_schemas(document: &Value, hoisted: &[(String, String)]) -> (Vec<OneOfSchema>, Vec<String>) {
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
            Err(reason) => notes.push(format!("one_of `{name}`: left to typify's untagged enum ({reason})")),
        }
    }
    (schemas, notes)
}

/// Reads, from typify's own output for the spec's schemas, the variant names and inner types of
/// each kind-dispatched `oneOf`, and which `From` and `Display` impls typify gives it, so that the
/// replacement has exactly the same API. A schema whose typify enum does not have the expected
/// shape stays with typify, with a line saying why.
fn resolve_one_ofs(
    document: &Value,
    settings: &GenerationSettings,
    schemas: Vec<OneOfSchema>,
    mut notes: Vec<String>,
) -> Result<(Vec<OneOf>, Vec<String>), String> {
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
    let mut one_ofs = Vec::new();
    for schema in schemas {
        match typify_one_of(types, &schema) {
            Ok(one_of) => {
                let kinds: Vec<&str> = one_of.variants.iter().map(|(_, _, kind, _)| kind.keyword()).collect();
                let inline = one_of
                    .inline_in
                    .as_deref()
                    .map(|place| format!("; inline in `{place}`"))
                    .unwrap_or_default();
                notes.push(format!(
                    "one_of `{}` ({}{inline}): visitor-based decoding by JSON kind, replacing typify's untagged enum",
                    one_of.name,
                    kinds.join(" | ")
                ));
                one_ofs.push(one_of);
            }
            Err(reason) => notes.push(format!(
                "one_of `{}`: left to typify's untagged enum ({reason})",
                schema.name
            )),
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
fn typify_one_of(types: &[syn::Item], schema: &OneOfSchema) -> Result<OneOf, String> {
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
        qualify_type(&mut ty);
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
/// `RoleCode`) as paths from `one_of.rs`.
fn qualify_type(ty: &mut syn::Type) {
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
                            qualify_type(inner);
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
                let mut qualified: syn::Path = syn::parse_str(TYPES_MODULE).expect("a path");
                qualified.segments.extend(path.path.segments.iter().cloned());
                path.path = qualified;
            }
        }
        syn::Type::Array(array) => qualify_type(&mut array.elem),
        syn::Type::Slice(slice) => qualify_type(&mut slice.elem),
        syn::Type::Reference(reference) => qualify_type(&mut reference.elem),
        syn::Type::Paren(paren) => qualify_type(&mut paren.elem),
        syn::Type::Tuple(tuple) => tuple.elems.iter_mut().for_each(qualify_type),
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

/// The Rust type name typify derives from a schema name: its words (split at non-alphanumeric
/// characters and at case changes, as `heck` splits them) in PascalCase.
fn rust_type_name(schema_name: &str) -> String {
    let mut name = String::new();
    let mut push = |word: &str| {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            name.extend(first.to_uppercase());
            name.extend(chars.flat_map(char::to_lowercase));
        }
    };
    for word in schema_name.replace('\'', "").split(|c: char| !c.is_alphanumeric()) {
        #[derive(Clone, Copy, PartialEq)]
        enum Mode {
            Boundary,
            Lower,
            Upper,
        }
        let mut chars = word.char_indices().peekable();
        let mut start = 0;
        let mut mode = Mode::Boundary;
        while let Some((index, c)) = chars.next() {
            let Some(&(next_index, next)) = chars.peek() else {
                push(&word[start..]);
                break;
            };
            let next_mode = if c.is_lowercase() {
                Mode::Lower
            } else if c.is_uppercase() {
                Mode::Upper
            } else {
                mode
            };
            if next_mode == Mode::Lower && next.is_uppercase() {
                push(&word[start..next_index]);
                start = next_index;
                mode = Mode::Boundary;
            } else if mode == Mode::Upper && c.is_uppercase() && next.is_lowercase() {
                push(&word[start..index]);
                start = index;
                mode = Mode::Boundary;
            } else {
                mode = next_mode;
            }
        }
    }
    if !name.starts_with(|c: char| c.is_alphabetic()) {
        name.insert(0, 'X');
    }
    name
}

/// Adds `pub use crate::generated::one_of::{...};` to the generated `types` module, so that the
/// replaced types stay where typify's were (`types::TradePartyRoleCode`).
fn reexport_one_ofs(file: &mut syn::File, one_ofs: &[OneOf]) -> Result<(), String> {
    if one_ofs.is_empty() {
        return Ok(());
    }
    let names = one_ofs.iter().map(|one_of| quote::format_ident!("{}", one_of.name));
    let module: syn::Path = syn::parse_str(ONE_OF_MODULE).expect("a path");
    let item: syn::Item = syn::parse2(quote::quote! {
        /// Kind-dispatched `oneOf` types (`sdk_runtime::one_of!`), in place of typify's untagged enums.
        pub use #module::{#(#names),*};
    })
    .map_err(|e| format!("cannot write the one_of re-export: {e}"))?;
    let types = file
        .items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(module) if module.ident == "types" => module.content.as_mut().map(|(_, items)| items),
            _ => None,
        })
        .ok_or("progenitor produced no `types` module")?;
    types.insert(0, item);
    Ok(())
}

fn generation_settings(open_enums: &[OpenEnum], one_ofs: &[OneOf], tolerant: &[TolerantItem]) -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_hooks(HooksMode::Expected)
        .with_inner_type(quote::quote! { sdk_runtime::Runtime })
        .with_derive("PartialEq")
        .with_derive("schemars::JsonSchema");
    for open_enum in open_enums {
        settings.with_replacement(
            &open_enum.name,
            format!("{OPEN_ENUM_MODULE}::{}", open_enum.name),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    for item in tolerant {
        settings.with_replacement(
            rust_type_name(&item.key),
            format!("sdk_runtime::Tolerant<{TYPES_MODULE}::{}>", item.item_type),
            std::iter::empty(),
        );
    }
    for one_of in one_ofs {
        settings.with_replacement(
            &one_of.name,
            format!("{ONE_OF_MODULE}::{}", one_of.name),
            one_of.display.then_some(TypeImpl::Display).into_iter(),
        );
    }
    settings
}

/// Runs progenitor, turning both its errors and its panics (it asserts on input it cannot handle)
/// into a message. The panic hook stays quiet only on this thread, only while progenitor runs.
fn run_progenitor<T>(generate: impl FnOnce() -> progenitor_impl::Result<T>) -> Result<T, String> {
    thread_local! {
        static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    static INSTALL_HOOK: std::sync::Once = std::sync::Once::new();
    INSTALL_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|quiet| quiet.set(true));
    let outcome = panic::catch_unwind(AssertUnwindSafe(generate));
    QUIET.with(|quiet| quiet.set(false));
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(format!("progenitor rejected the spec: {error}")),
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "no message".into());
            Err(format!("progenitor cannot generate this spec (it panicked: {message})"))
        }
    }
}

fn format_tokens(tokens: proc_macro2::TokenStream) -> Result<String, String> {
    format_file(tokens, |_| Ok(()))
}

/// Parses progenitor's output, lets `edit` change it, and formats it.
fn format_file(
    tokens: proc_macro2::TokenStream,
    edit: impl FnOnce(&mut syn::File) -> Result<(), String>,
) -> Result<String, String> {
    let mut file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("progenitor produced code that does not parse: {e}"))?;
    edit(&mut file)?;
    Ok(prettyplease::unparse(&file))
}

fn module_root(spec: &str) -> String {
    format!(
        r#"//! Code generated from `{spec}`: the progenitor client, typed httpmock helpers, open enums,
//! kind-dispatched `oneOf` enums and the operation table. The facade in this crate wraps it; see
//! the crate docs.

// prettyplease formats these files; rustfmt would format them differently.
/// The progenitor-generated client and its types.
#[rustfmt::skip]
#[allow(clippy::all, missing_docs, rustdoc::all, unused_imports, unused_mut)]
pub mod client;
/// Typed httpmock `When`/`Then` helpers for each operation (feature `mock`).
#[cfg(feature = "mock")]
#[rustfmt::skip]
#[allow(clippy::all, missing_docs, rustdoc::all, unused_imports)]
pub mod mock;
/// `oneOf` types decoded by the JSON kind of the value (re-exported by `client::types`).
#[rustfmt::skip]
pub mod one_of;
#[rustfmt::skip]
pub mod open_enums;
#[rustfmt::skip]
pub mod operations;

// Every generated call runs through the shared runtime: authentication before sending, then
// retries, timeouts and tracing around the exchange.
impl progenitor_client::ClientHooks<sdk_runtime::Runtime> for client::Client {{
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &progenitor_client::OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {{
        self.inner.prepare(request, info.operation_id).await
    }}

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &progenitor_client::OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {{
        self.inner.execute(&self.client, request, info.operation_id).await
    }}
}}
"#
    )
}

fn open_enum_source(open_enums: &[OpenEnum]) -> String {
    let mut out = String::from(
        "//! Open enums: every enum the spec marks `x-sdk-open-enum`, with an `Unknown` variant that\n\
         //! keeps values this version does not list instead of failing to decode.\n",
    );
    for open_enum in open_enums {
        out.push_str("\nsdk_runtime::open_enum! {\n");
        let description = open_enum
            .description
            .as_deref()
            .unwrap_or("An enumeration from the spec.");
        for line in description.trim().lines() {
            out.push_str(&format!(
                "    ///{}{}\n",
                if line.is_empty() { "" } else { " " },
                line.trim_end()
            ));
        }
        out.push_str(&format!("    pub enum {} {{\n", open_enum.name));
        for (variant, value) in &open_enum.variants {
            out.push_str(&format!("        /// `{value}`\n        {variant} => {value:?},\n"));
        }
        out.push_str("    }\n}\n");
    }
    out
}

fn one_of_source(one_ofs: &[OneOf]) -> String {
    let mut out = String::from(
        "//! Kind-dispatched `oneOf` enums: every schema whose `oneOf` variants are distinct JSON kinds,\n\
         //! with typify's variant names and types, decoded by the kind of the JSON value instead of\n\
         //! trying each variant in turn. `client::types` re-exports them.\n",
    );
    for one_of in one_ofs {
        out.push_str("\nsdk_runtime::one_of! {\n");
        let description = one_of.description.as_deref().unwrap_or("A `oneOf` from the spec.");
        for line in description.trim().lines() {
            out.push_str(&format!(
                "    ///{}{}\n",
                if line.is_empty() { "" } else { " " },
                line.trim_end()
            ));
        }
        out.push_str(&format!("    pub enum {} {{\n", one_of.name));
        for (variant, ty, kind, from) in &one_of.variants {
            out.push_str(&format!(
                "        /// The JSON {} form.\n        {variant}({ty}) as {}{},\n",
                kind.keyword(),
                kind.keyword(),
                if *from { " with From" } else { "" }
            ));
        }
        out.push_str("    }\n");
        if one_of.display {
            out.push_str("    impl Display;\n");
        }
        out.push_str("}\n");
    }
    out
}

fn operations_source(spec: &str, operations: &[OperationEntry]) -> String {
    let mut out = format!(
        "//! The operations `{spec}` declares, facade-only ones included: one constant each (named \
         after its\n//! `operationId`), which the facade passes to the runtime, and the whole table.\n\n\
         use sdk_runtime::OperationSpec;\n"
    );
    for op in operations {
        out.push_str(&format!(
            "\n/// `{} {}` (`{}`{}).\npub const {}: OperationSpec = OperationSpec {{\n    operation_id: {:?},\n    \
             generated_id: {:?},\n    method: {:?},\n    path: {:?},\n    facade_only: {},\n}};\n",
            op.method,
            op.path,
            op.operation_id,
            if op.facade_only {
                ", written by hand in the facade"
            } else {
                ""
            },
            op.operation_id.to_shouty_snake_case(),
            op.operation_id,
            op.operation_id.to_snake_case(),
            op.method,
            op.path,
            op.facade_only
        ));
    }
    out.push_str(
        "\n/// Every operation of the spec, in the spec's order.\npub const OPERATIONS: &[OperationSpec] = &[\n",
    );
    for op in operations {
        out.push_str(&format!("    {},\n", op.operation_id.to_shouty_snake_case()));
    }
    out.push_str("];\n");
    out
}

#[cfg(test)]
mod tests {
    use super::{rust_type_name, variant_name};

    #[test]
    fn variant_names_are_pascal_case() {
        assert_eq!(variant_name("IN_HAND"), "InHand");
        assert_eq!(variant_name("second_copy"), "SecondCopy");
        assert_eq!(variant_name("invoices"), "Invoices");
        assert_eq!(variant_name("205"), "V205");
    }

    #[test]
    fn type_names_follow_typify() {
        assert_eq!(rust_type_name("AppzenError_status"), "AppzenErrorStatus");
        assert_eq!(rust_type_name("TradePartyRoleCode"), "TradePartyRoleCode");
        assert_eq!(rust_type_name("roleCode"), "RoleCode");
        assert_eq!(rust_type_name("HTTPServer-error"), "HttpServerError");
        assert_eq!(rust_type_name("status_v2"), "StatusV2");
        assert_eq!(rust_type_name("3ds"), "X3ds");
    }
}
