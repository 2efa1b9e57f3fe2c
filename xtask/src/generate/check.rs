//! Stage 2, check: what progenitor cannot check for itself (OpenAPI 3.0.x, unique camelCase
//! operation ids, path parameters, one body type per outcome), refused in words a spec author can
//! act on instead of a panic or code that does not compile.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// HTTP methods an OpenAPI path item may hold, in the order they are reported.
pub(crate) const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

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
    /// True when sending it twice has the effect of sending it once: `x-sdk-idempotent` when the
    /// operation says, else by method (GET, HEAD, OPTIONS, PUT, DELETE).
    pub idempotent: bool,
    /// True when the facade decodes its success body as a type of its own (`x-sdk-decode-as`):
    /// the builder gets a crate-private `send_as::<U>()`.
    pub decode_as: bool,
}

/// Whether a spec object carries `x-sdk-facade: true`.
pub(crate) fn is_facade(value: &Value) -> bool {
    value.get("x-sdk-facade").and_then(Value::as_bool) == Some(true)
}

/// Refuses anything but OpenAPI 3.0.x.
pub(crate) fn check_openapi_version(document: &Value) -> Result<(), String> {
    match document.get("openapi").and_then(Value::as_str) {
        Some(version) if version.starts_with("3.0.") => Ok(()),
        Some(version) => Err(format!("is OpenAPI {version}; progenitor accepts OpenAPI 3.0.x only")),
        None => Err("has no `openapi: 3.0.x` version field (Swagger 2.0 and OpenAPI 3.1 are not accepted)".into()),
    }
}

/// Lists the operations, checking that each has a unique camelCase `operationId`.
pub(crate) fn collect_operations(document: &Value) -> Result<Vec<OperationEntry>, String> {
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
                idempotent: operation
                    .get("x-sdk-idempotent")
                    .and_then(Value::as_bool)
                    .unwrap_or(matches!(*method, "get" | "head" | "options" | "put" | "delete")),
                decode_as: operation.get("x-sdk-decode-as").and_then(Value::as_bool) == Some(true),
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

/// progenitor gives an operation one success type and one error type, and panics otherwise; say so
/// in words instead, naming the operation and statuses.
pub(crate) fn check_one_body_type_per_outcome(document: &Value) -> Result<(), String> {
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
