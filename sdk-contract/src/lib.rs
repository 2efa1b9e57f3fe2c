//! Contract checks against the curated specs, written once for the three SDK crates' tests.
//!
//! A test captures what an SDK call really sent (through httpmock, with [`Recorder`]) and asks
//! [`ContractSpec::check_request`] whether the spec allows it: an operation with that method and
//! path template exists; required path, query and header parameters and the operation's
//! credentials are present; parameter values and a JSON body validate against their schemas
//! (OpenAPI 3.0 turned into JSON Schema, checked with the `jsonschema` crate); an XML body has the
//! structure the spec describes. Each violation names the operation and the failing JSON pointer.
//!
//! [`ContractSpec::examples`] lists every example of the spec, to validate and decode them, and
//! [`Coverage`] is the gate that fails when an operation has no contract test.

pub mod spec;
mod xml;

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::Value;

/// One broken rule: which operation, where (a JSON pointer into the request), and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The matched operation's id, when the request matched one.
    pub operation: Option<String>,
    /// Where: `/body/code`, `/query/api_key`, `/header/x-api-key`, `/path/invoiceId`, `/method`.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.operation {
            Some(op) => write!(f, "operation `{op}`: {}: {}", self.pointer, self.message),
            None => write!(f, "no operation: {}: {}", self.pointer, self.message),
        }
    }
}

/// Formats violations one per line, for assertion messages.
pub fn describe(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A request as the server received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapturedRequest {
    /// Upper-case method.
    pub method: String,
    /// The path, percent-encoded as sent, without the query.
    pub path: String,
    /// Decoded query pairs.
    pub query: Vec<(String, String)>,
    /// Headers (names lower-case).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl CapturedRequest {
    /// Captures an httpmock request.
    pub fn from_httpmock(request: &httpmock::prelude::HttpMockRequest) -> Self {
        let uri = request.uri_str().to_string();
        let path_and_query = match uri.find("://") {
            Some(scheme_end) => uri[scheme_end + 3..]
                .find('/')
                .map(|i| uri[scheme_end + 3 + i..].to_string()),
            None => Some(uri.clone()),
        }
        .unwrap_or_else(|| "/".into());
        let (path, query) = match path_and_query.split_once('?') {
            Some((path, query)) => (path.to_string(), query.to_string()),
            None => (path_and_query, String::new()),
        };
        let query = url_decode_pairs(&query);
        Self {
            method: request.method_str().to_uppercase(),
            path,
            query,
            headers: request
                .headers_vec()
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                .collect(),
            body: request.body_vec(),
        }
    }

    /// A header's value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }

    /// A query parameter's value.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

fn url_decode_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'+', _, _) => out.push(b' '),
            (b'%', Some(high), Some(low)) => {
                out.push(high * 16 + low);
                i += 2;
            }
            (other, _, _) => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Records every request an httpmock server receives through the mocks it is attached to.
#[derive(Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<CapturedRequest>>>);

impl Recorder {
    /// A new, empty recorder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds recording to a mock's `when`. Attach it to one catch-all mock per server, since
    /// httpmock may evaluate matchers of several mocks for one request.
    pub fn record(&self, when: httpmock::When) -> httpmock::When {
        let store = self.0.clone();
        when.is_true(move |request| {
            if let Ok(mut store) = store.lock() {
                store.push(CapturedRequest::from_httpmock(request));
            }
            true
        })
    }

    /// The requests recorded so far.
    pub fn requests(&self) -> Vec<CapturedRequest> {
        self.0.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

/// An operation of a spec.
#[derive(Clone, Debug)]
pub struct Operation {
    /// The `operationId`.
    pub id: String,
    /// Upper-case method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// The operation object.
    pub object: Value,
    /// The path item's shared parameters.
    pub shared_parameters: Vec<Value>,
    matcher: regex::Regex,
}

/// An example found in a spec.
#[derive(Clone, Debug)]
pub struct Example {
    /// The operation it belongs to.
    pub operation: String,
    /// `request` or the response status.
    pub role: String,
    /// Example name (`example` for the single form).
    pub name: String,
    /// The media type.
    pub media_type: String,
    /// The schema the example should satisfy.
    pub schema: Value,
    /// The example value (a string for XML examples). For an `externalValue` example, the file's
    /// text (parsed for a JSON media type), or `null` when it could not be read.
    pub value: Value,
    /// The `externalValue` the example was read from, when it has one.
    pub external_value: Option<String>,
    /// Why the `externalValue` file could not be read, when it could not.
    pub external_error: Option<String>,
}

impl Example {
    /// Where the example sits, for messages.
    pub fn location(&self) -> String {
        format!("{} {} {} ({})", self.operation, self.role, self.name, self.media_type)
    }
}

/// A spec loaded for contract checks.
#[derive(Clone, Debug)]
pub struct ContractSpec {
    document: Value,
    operations: Vec<Operation>,
    /// The spec file's folder, against which `externalValue`s are resolved.
    base_dir: Option<PathBuf>,
}

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

impl ContractSpec {
    /// Loads a spec file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, String> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let document = spec::parse_yaml(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut spec = Self::from_document(document)?;
        spec.base_dir = path.parent().map(Path::to_path_buf);
        Ok(spec)
    }

    /// Wraps an already parsed spec. Its `externalValue` examples cannot be read (there is no file
    /// to resolve them against); [`ContractSpec::load`] can.
    pub fn from_document(document: Value) -> Result<Self, String> {
        let paths = document
            .get("paths")
            .and_then(Value::as_object)
            .ok_or("the spec has no paths")?;
        let mut operations = Vec::new();
        for (path, item) in paths {
            let shared_parameters = item
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for method in METHODS {
                let Some(object) = item.get(*method) else { continue };
                let id = object
                    .get("operationId")
                    .and_then(Value::as_str)
                    .ok_or("an operation has no operationId")?;
                let pattern = path
                    .split('/')
                    .map(template_segment_pattern)
                    .collect::<Vec<_>>()
                    .join("/");
                let matcher = regex::Regex::new(&format!("^{pattern}$")).map_err(|e| e.to_string())?;
                operations.push(Operation {
                    id: id.to_string(),
                    method: method.to_uppercase(),
                    path: path.clone(),
                    object: object.clone(),
                    shared_parameters: shared_parameters.clone(),
                    matcher,
                });
            }
        }
        Ok(Self {
            document,
            operations,
            base_dir: None,
        })
    }

    /// The parsed spec.
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// Every operation.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// Every operation id, in the spec's order.
    pub fn operation_ids(&self) -> Vec<&str> {
        self.operations.iter().map(|op| op.id.as_str()).collect()
    }

    /// The operation with this id.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|op| op.id == id)
    }

    fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        let mut current = value;
        for _ in 0..16 {
            match current
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix('#'))
            {
                Some(pointer) => match self.document.pointer(pointer) {
                    Some(target) => current = target,
                    None => return current,
                },
                None => return current,
            }
        }
        current
    }

    /// Checks a captured request against the spec. `Ok` gives the matched operation id.
    pub fn check_request(&self, request: &CapturedRequest) -> Result<String, Vec<Violation>> {
        let candidates: Vec<&Operation> = self
            .operations
            .iter()
            .filter(|op| op.matcher.is_match(&request.path))
            .collect();
        let Some(operation) = candidates.iter().find(|op| op.method == request.method) else {
            let message = if candidates.is_empty() {
                format!("no path template matches {}", request.path)
            } else {
                let allowed: Vec<&str> = candidates.iter().map(|op| op.method.as_str()).collect();
                format!(
                    "{} {} is not an operation (allowed: {})",
                    request.method,
                    request.path,
                    allowed.join(", ")
                )
            };
            return Err(vec![Violation {
                operation: None,
                pointer: "/path".into(),
                message,
            }]);
        };
        let mut violations = Vec::new();
        let mut report = |pointer: String, message: String| {
            violations.push(Violation {
                operation: Some(operation.id.clone()),
                pointer,
                message,
            });
        };

        // Parameters.
        let path_values = path_parameter_values(&operation.path, &request.path);
        let parameters = operation
            .shared_parameters
            .iter()
            .chain(
                operation
                    .object
                    .get("parameters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten(),
            )
            .map(|p| self.resolve(p));
        for parameter in parameters {
            let name = parameter.get("name").and_then(Value::as_str).unwrap_or_default();
            let location = parameter.get("in").and_then(Value::as_str).unwrap_or_default();
            let required = parameter
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(location == "path");
            let value = match location {
                "path" => path_values
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| percent_decode(v)),
                "query" => request.query_param(name).map(str::to_string),
                "header" => request.header(name).map(str::to_string),
                _ => None,
            };
            let pointer = format!("/{location}/{name}");
            match (value, parameter.get("schema")) {
                (None, _) if required => report(pointer, "required parameter is missing".into()),
                (Some(value), Some(schema)) => {
                    let instance = parameter_instance(self.resolve(schema), &value);
                    for (at, message) in self.validate(schema, &instance) {
                        report(format!("{pointer}{at}"), message);
                    }
                }
                _ => {}
            }
        }

        // Credentials: one security requirement must be met in full.
        let requirements = operation
            .object
            .get("security")
            .or_else(|| self.document.get("security"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if !requirements.is_empty() {
            let unmet: Vec<Vec<String>> = requirements
                .iter()
                .map(|requirement| self.unmet_credentials(requirement, request))
                .collect();
            if unmet.iter().all(|missing| !missing.is_empty()) {
                let first = unmet.into_iter().next().unwrap_or_default();
                report(
                    "/credentials".into(),
                    format!("credentials missing: {}", first.join(", ")),
                );
            }
        }

        // Body.
        let body_spec = operation.object.get("requestBody").map(|b| self.resolve(b));
        let content_type = request.header("content-type").unwrap_or_default().to_ascii_lowercase();
        match body_spec {
            None if !request.body.is_empty() => report("/body".into(), "the operation takes no body".into()),
            None => {}
            Some(body_spec) => {
                let required = body_spec.get("required").and_then(Value::as_bool).unwrap_or(false);
                let media = body_spec.get("content").and_then(Value::as_object).and_then(|content| {
                    content
                        .iter()
                        .find(|(media, _)| content_type.starts_with(media.split(';').next().unwrap_or_default()))
                });
                if request.body.is_empty() {
                    if required {
                        report("/body".into(), "required body is missing".into());
                    }
                } else if let Some((media, media_object)) = media {
                    let schema = media_object.get("schema").cloned().unwrap_or(Value::Bool(true));
                    if media.contains("json") {
                        match serde_json::from_slice::<Value>(&request.body) {
                            Ok(body) => {
                                for (at, message) in self.validate(&schema, &body) {
                                    report(format!("/body{at}"), message);
                                }
                            }
                            Err(e) => report("/body".into(), format!("not JSON: {e}")),
                        }
                    } else if media.contains("xml") {
                        let text = String::from_utf8_lossy(&request.body);
                        for (at, message) in xml::check(self, &schema, &text) {
                            report(format!("/body{at}"), message);
                        }
                    }
                } else {
                    report(
                        "/header/content-type".into(),
                        format!("content type `{content_type}` is not one the operation accepts"),
                    );
                }
            }
        }

        if violations.is_empty() {
            Ok(operation.id.clone())
        } else {
            Err(violations)
        }
    }

    fn unmet_credentials(&self, requirement: &Value, request: &CapturedRequest) -> Vec<String> {
        let Some(schemes) = requirement.as_object() else {
            return Vec::new();
        };
        let mut missing = Vec::new();
        for name in schemes.keys() {
            let scheme = self
                .document
                .pointer(&format!("/components/securitySchemes/{name}"))
                .cloned()
                .unwrap_or_default();
            let kind = scheme.get("type").and_then(Value::as_str).unwrap_or_default();
            let present = match kind {
                "apiKey" => {
                    let key = scheme.get("name").and_then(Value::as_str).unwrap_or_default();
                    match scheme.get("in").and_then(Value::as_str) {
                        Some("query") => request.query_param(key).is_some_and(|v| !v.is_empty()),
                        Some("header") => request.header(key).is_some_and(|v| !v.is_empty()),
                        _ => false,
                    }
                }
                "http" | "oauth2" | "openIdConnect" => request
                    .header("authorization")
                    .is_some_and(|v| v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer ")),
                _ => false,
            };
            if !present {
                missing.push(format!("{name} ({kind})"));
            }
        }
        missing
    }

    /// Validates a value against a schema of this spec; gives (JSON pointer, message) pairs.
    pub fn validate(&self, schema: &Value, value: &Value) -> Vec<(String, String)> {
        let rooted = spec::rooted_schema(&self.document, schema);
        let validator = match jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&rooted)
        {
            Ok(validator) => validator,
            Err(e) => {
                return vec![(
                    String::new(),
                    format!("the spec's schema is not valid JSON Schema: {e}"),
                )];
            }
        };
        validator
            .iter_errors(value)
            .map(|error| (error.instance_path().to_string(), error.to_string()))
            .collect()
    }

    /// Every example of the spec: request bodies and responses, single and named forms.
    pub fn examples(&self) -> Vec<Example> {
        let mut examples = Vec::new();
        for operation in &self.operations {
            let mut collect = |role: String, content: Option<&Value>| {
                let Some(content) = content.and_then(Value::as_object) else {
                    return;
                };
                for (media_type, media) in content {
                    let schema = media.get("schema").cloned().unwrap_or(Value::Bool(true));
                    if let Some(value) = media.get("example") {
                        examples.push(Example {
                            operation: operation.id.clone(),
                            role: role.clone(),
                            name: "example".into(),
                            media_type: media_type.clone(),
                            schema: schema.clone(),
                            value: value.clone(),
                            external_value: None,
                            external_error: None,
                        });
                    }
                    for (name, example) in media.get("examples").and_then(Value::as_object).into_iter().flatten() {
                        let example = self.resolve(example);
                        let external = example.get("externalValue").and_then(Value::as_str);
                        let (value, external_error) = match (example.get("value"), external) {
                            (Some(value), _) => (value.clone(), None),
                            (None, Some(reference)) => match self.read_external(reference, media_type) {
                                Ok(value) => (value, None),
                                Err(error) => (Value::Null, Some(error)),
                            },
                            (None, None) => continue,
                        };
                        examples.push(Example {
                            operation: operation.id.clone(),
                            role: role.clone(),
                            name: name.clone(),
                            media_type: media_type.clone(),
                            schema: schema.clone(),
                            value,
                            external_value: external.map(str::to_string),
                            external_error,
                        });
                    }
                }
            };
            let body = operation.object.get("requestBody").map(|b| self.resolve(b));
            collect("request".into(), body.and_then(|b| b.get("content")));
            for (status, response) in operation
                .object
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let response = self.resolve(response);
                collect(status.clone(), response.get("content"));
            }
        }
        examples
    }

    /// An `externalValue` file's content: parsed for a JSON media type, else the text. Only
    /// relative references inside the spec's folder are read (no URL, no `..`).
    fn read_external(&self, reference: &str, media_type: &str) -> Result<Value, String> {
        let relative = Path::new(reference);
        let inside = relative
            .components()
            .all(|part| matches!(part, std::path::Component::Normal(_) | std::path::Component::CurDir));
        if reference.contains("://") || !inside {
            return Err(format!("`{reference}` is not a path relative to the spec's folder"));
        }
        let base = self
            .base_dir
            .as_ref()
            .ok_or_else(|| format!("`{reference}`: the spec was not loaded from a file"))?;
        let path = base.join(relative);
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if media_type.contains("json") {
            serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", path.display()))
        } else {
            Ok(Value::String(text))
        }
    }

    /// Checks an example against its schema (JSON examples by JSON Schema, XML ones by structure).
    /// An `externalValue` that could not be read is a violation.
    pub fn check_example(&self, example: &Example) -> Result<(), Vec<Violation>> {
        let problems = if let Some(error) = &example.external_error {
            vec![(String::new(), format!("externalValue could not be read: {error}"))]
        } else if example.media_type.contains("xml") {
            match example.value.as_str() {
                Some(text) => xml::check(self, &example.schema, text),
                None => vec![(String::new(), "an XML example must be a string".into())],
            }
        } else {
            self.validate(&example.schema, &example.value)
        };
        if problems.is_empty() {
            return Ok(());
        }
        Err(problems
            .into_iter()
            .map(|(at, message)| Violation {
                operation: Some(example.operation.clone()),
                pointer: format!("/examples/{}/{}{at}", example.role, example.name),
                message,
            })
            .collect())
    }

    /// The documented response statuses of an operation.
    pub fn response_statuses(&self, operation_id: &str) -> Vec<String> {
        self.operation(operation_id)
            .and_then(|op| op.object.get("responses"))
            .and_then(Value::as_object)
            .map(|responses| responses.keys().cloned().collect())
            .unwrap_or_default()
    }
}

/// A path segment of a template as a regex: `{name}` matches one segment.
fn template_segment_pattern(segment: &str) -> String {
    let mut pattern = String::new();
    let mut rest = segment;
    while let Some(start) = rest.find('{') {
        pattern.push_str(&regex::escape(&rest[..start]));
        match rest[start..].find('}') {
            Some(end) => {
                pattern.push_str("[^/]+");
                rest = &rest[start + end + 1..];
            }
            None => {
                pattern.push_str(&regex::escape(&rest[start..]));
                rest = "";
            }
        }
    }
    pattern.push_str(&regex::escape(rest));
    pattern
}

/// The values of a template's `{placeholders}` in a concrete path.
fn path_parameter_values(template: &str, path: &str) -> Vec<(String, String)> {
    let mut values = Vec::new();
    for (template_segment, segment) in template.split('/').zip(path.split('/')) {
        let Some(start) = template_segment.find('{') else {
            continue;
        };
        let Some(end) = template_segment.find('}') else {
            continue;
        };
        let prefix = &template_segment[..start];
        let suffix = &template_segment[end + 1..];
        let name = &template_segment[start + 1..end];
        if let Some(value) = segment.strip_prefix(prefix).and_then(|s| s.strip_suffix(suffix)) {
            values.push((name.to_string(), value.to_string()));
        }
    }
    values
}

/// A parameter's text as the JSON value its schema describes (integers and booleans parsed).
fn parameter_instance(schema: &Value, text: &str) -> Value {
    match schema.get("type").and_then(Value::as_str) {
        Some("integer") => text
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(text.into())),
        Some("number") => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(text.into())),
        Some("boolean") => text
            .parse::<bool>()
            .map(Value::Bool)
            .unwrap_or_else(|_| Value::String(text.into())),
        _ => Value::String(text.into()),
    }
}

/// The gate: which operations of a spec the contract tests exercised.
#[derive(Clone, Default, Debug)]
pub struct Coverage(Arc<Mutex<BTreeSet<String>>>);

impl Coverage {
    /// Starts with nothing covered.
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks an operation (as matched by [`ContractSpec::check_request`]) as exercised.
    pub fn exercised(&self, operation_id: &str) {
        if let Ok(mut set) = self.0.lock() {
            set.insert(operation_id.to_string());
        }
    }

    /// The spec's operations no contract test exercised (an empty list passes the gate).
    pub fn missing(&self, spec: &ContractSpec) -> Vec<String> {
        let covered = self.0.lock().map(|s| s.clone()).unwrap_or_default();
        spec.operation_ids()
            .into_iter()
            .filter(|id| !covered.contains(*id))
            .map(str::to_string)
            .collect()
    }
}
