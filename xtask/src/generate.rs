//! `cargo xtask generate`: the curated specs in, formatted client code out.
//!
//! Every file under `sdk-*/src/generated/` is written here and nowhere else. The pipeline for one
//! spec is: read and parse the YAML, check what progenitor cannot check for itself (OpenAPI 3.0.x,
//! operation ids, one body type per outcome), set aside what the hand-written facade implements
//! (`x-sdk-facade: true`), turn `x-sdk-open-enum` schemas into open enums, then run progenitor
//! (client and typed httpmock helpers) and format with prettyplease. Nothing is written until every
//! spec has generated cleanly, so a bad spec never leaves half-generated files behind.

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
    /// One line per operation or response left out of generation (`x-sdk-facade: true`).
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
    check_one_body_type_per_outcome(&document).map_err(fail)?;

    let spec: openapiv3::OpenAPI = serde_json::from_value(document)
        .map_err(|e| fail(format!("not an OpenAPI 3.0 document progenitor can read: {e}")))?;
    let settings = generation_settings(&open_enums);

    let client = run_progenitor(|| Generator::new(&settings).generate_tokens(&spec)).map_err(&fail)?;
    let mock = run_progenitor(|| Generator::new(&settings).httpmock(&spec, CLIENT_MODULE)).map_err(&fail)?;

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
        file("client.rs", format_tokens(client).map_err(&fail)?),
        file("mock.rs", format_tokens(mock).map_err(&fail)?),
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

fn generation_settings(open_enums: &[OpenEnum]) -> GenerationSettings {
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
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("progenitor produced code that does not parse: {e}"))?;
    Ok(prettyplease::unparse(&file))
}

fn module_root(spec: &str) -> String {
    format!(
        r#"//! Code generated from `{spec}`: the progenitor client, typed httpmock helpers, open enums
//! and the operation table. The facade in this crate wraps it; see the crate docs.

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

fn operations_source(spec: &str, operations: &[OperationEntry]) -> String {
    let mut out = format!(
        "//! The operations `{spec}` declares, facade-only ones included.\n\n\
         /// Every operation of the spec, in the spec's order.\n\
         pub const OPERATIONS: &[sdk_runtime::OperationSpec] = &[\n"
    );
    for op in operations {
        out.push_str(&format!(
            "    sdk_runtime::OperationSpec {{\n        operation_id: {:?},\n        method: {:?},\n        \
             path: {:?},\n        facade_only: {},\n    }},\n",
            op.operation_id, op.method, op.path, op.facade_only
        ));
    }
    out.push_str("];\n");
    out
}

#[cfg(test)]
mod tests {
    use super::variant_name;

    #[test]
    fn variant_names_are_pascal_case() {
        assert_eq!(variant_name("IN_HAND"), "InHand");
        assert_eq!(variant_name("second_copy"), "SecondCopy");
        assert_eq!(variant_name("invoices"), "Invoices");
        assert_eq!(variant_name("205"), "V205");
    }
}
