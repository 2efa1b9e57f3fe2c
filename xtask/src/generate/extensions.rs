//! The spec data the generator turns into tables and constants besides the client: Iopole-style
//! `x-lifecycle-codes`, InvoiceXpress-style `x-transitions`, and the credential names of
//! `components.securitySchemes`. Read from the spec as written (before facade operations are set
//! aside, since a facade operation may carry a table), checked, and refused with the place in the
//! spec when they are malformed or use something the generator does not support.

use std::collections::BTreeSet;

use heck::ToShoutySnakeCase;
use serde_json::{Map, Value};

use super::check::METHODS;

/// The extension on an open enum's component schema listing each value's code and labels.
pub(crate) const LIFECYCLE_CODES: &str = "x-lifecycle-codes";
/// The Rust constant holding the rows of `x-lifecycle-codes`.
pub(crate) const LIFECYCLE_CONSTANT: &str = "LIFECYCLE_CODES";
/// The extension on an operation listing the state transitions it accepts.
pub(crate) const TRANSITIONS: &str = "x-transitions";

/// The open enums whose values the columns of an `x-transitions` row hold: `from` and `to` are
/// document statuses, `state` is the state sent, `types` are document types.
pub(crate) const TRANSITION_STATUS_ENUM: &str = "DocumentStatus";
/// See [`TRANSITION_STATUS_ENUM`].
pub(crate) const TRANSITION_STATE_ENUM: &str = "StateChangeKind";
/// See [`TRANSITION_STATUS_ENUM`].
pub(crate) const TRANSITION_TYPE_ENUM: &str = "DocumentType";

/// Everything the extensions and security schemes of one spec generate.
#[derive(Clone, Debug, Default)]
pub(crate) struct Extensions {
    /// The spec's `x-lifecycle-codes`, if it has one.
    pub(crate) lifecycle: Option<LifecycleTable>,
    /// One table per operation carrying `x-transitions`, in the spec's order.
    pub(crate) transitions: Vec<TransitionTable>,
    /// One entry per security scheme, in the spec's order.
    pub(crate) credentials: Vec<Credential>,
}

impl Extensions {
    /// How many request headers the spec's credentials put on: one per `apiKey` header, and one
    /// `Authorization` for bearer tokens and OAuth2 together.
    pub(crate) fn credential_headers(&self) -> usize {
        let named = self
            .credentials
            .iter()
            .filter(|credential| matches!(credential.kind, CredentialKind::Header(_)))
            .count();
        let authorization = self.credentials.iter().any(|credential| {
            matches!(
                credential.kind,
                CredentialKind::Http(_) | CredentialKind::OAuth2TokenUrl(_)
            )
        });
        named + usize::from(authorization)
    }
}

/// `x-lifecycle-codes` of one open enum.
#[derive(Clone, Debug)]
pub(crate) struct LifecycleTable {
    /// The open enum's component schema.
    pub(crate) schema: String,
    /// JSON pointer of the extension.
    pub(crate) pointer: String,
    pub(crate) rows: Vec<LifecycleCode>,
}

/// One row of `x-lifecycle-codes`.
#[derive(Clone, Debug)]
pub(crate) struct LifecycleCode {
    pub(crate) name: String,
    pub(crate) code: u16,
    pub(crate) fr: String,
    pub(crate) en: String,
    pub(crate) mandatory: bool,
}

/// `x-transitions` of one operation.
#[derive(Clone, Debug)]
pub(crate) struct TransitionTable {
    pub(crate) operation_id: String,
    /// The Rust constant holding the rows: `<OPERATION_ID>_TRANSITIONS`.
    pub(crate) constant: String,
    /// `PUT /path`.
    pub(crate) place: String,
    /// JSON pointer of the extension.
    pub(crate) pointer: String,
    pub(crate) rows: Vec<TransitionRow>,
}

/// One row of `x-transitions`, as wire values.
#[derive(Clone, Debug)]
pub(crate) struct TransitionRow {
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) state: String,
    pub(crate) types: Vec<String>,
}

/// A security scheme, reduced to the name the SDK needs to send its credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Credential {
    /// The scheme's key in `components.securitySchemes`.
    pub(crate) scheme: String,
    /// The Rust constant: the scheme's key in SHOUTY_SNAKE_CASE plus a suffix for the kind.
    pub(crate) constant: String,
    pub(crate) kind: CredentialKind,
}

/// How a credential travels, with the name or URL the spec gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CredentialKind {
    /// `type: apiKey`, `in: header`: the header name (lower case).
    Header(String),
    /// `type: apiKey`, `in: query`: the query parameter name.
    Query(String),
    /// `type: http`: the authorization scheme (`bearer`, `basic`).
    Http(String),
    /// `type: oauth2` with the client-credentials flow: its token URL.
    OAuth2TokenUrl(String),
}

/// Reads the extensions and security schemes of `document` (the spec as written).
pub(crate) fn read_extensions(document: &Value) -> Result<Extensions, String> {
    let mut found = Vec::new();
    find_extensions(document, "", &mut found);
    let mut extensions = Extensions::default();
    for (pointer, key) in found {
        let at = |cause: String| format!("`{key}` at {pointer}: {cause}");
        let parent = pointer_parent(&pointer);
        let value = document.pointer(&pointer).unwrap_or(&Value::Null);
        if key == LIFECYCLE_CODES {
            let schema = parent
                .strip_prefix("/components/schemas/")
                .filter(|name| !name.contains('/'))
                .ok_or_else(|| at("allowed only on a component schema".into()))?;
            if let Some(first) = &extensions.lifecycle {
                return Err(at(format!(
                    "a spec has one lifecycle table; the first is at {}",
                    first.pointer
                )));
            }
            let schema = unescape(schema);
            let enum_schema = document.pointer(&parent).unwrap_or(&Value::Null);
            let rows = lifecycle_rows(enum_schema, &schema, value).map_err(at)?;
            extensions.lifecycle = Some(LifecycleTable { schema, pointer, rows });
        } else {
            let (path, method) = parent
                .strip_prefix("/paths/")
                .and_then(|rest| rest.rsplit_once('/'))
                .filter(|(path, method)| !path.contains('/') && METHODS.contains(method))
                .ok_or_else(|| at("allowed only on an operation".into()))?;
            let operation_id = document
                .pointer(&format!("{parent}/operationId"))
                .and_then(Value::as_str)
                .ok_or_else(|| at("the operation has no operationId".into()))?
                .to_string();
            let rows = transition_rows(document, value).map_err(at)?;
            extensions.transitions.push(TransitionTable {
                constant: format!("{}_TRANSITIONS", operation_id.to_shouty_snake_case()),
                operation_id,
                place: format!("{} {}", method.to_uppercase(), unescape(path)),
                pointer,
                rows,
            });
        }
    }
    extensions.credentials = credentials(document)?;
    Ok(extensions)
}

/// Collects (JSON pointer, key) of every `x-lifecycle-codes` and `x-transitions` in the spec.
fn find_extensions(value: &Value, pointer: &str, found: &mut Vec<(String, &'static str)>) {
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                let child_pointer = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                match key.as_str() {
                    LIFECYCLE_CODES => found.push((child_pointer, LIFECYCLE_CODES)),
                    TRANSITIONS => found.push((child_pointer, TRANSITIONS)),
                    _ => find_extensions(child, &child_pointer, found),
                }
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                find_extensions(child, &format!("{pointer}/{index}"), found);
            }
        }
        _ => {}
    }
}

fn pointer_parent(pointer: &str) -> String {
    pointer
        .rsplit_once('/')
        .map(|(parent, _)| parent.to_string())
        .unwrap_or_default()
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// A row's fields: a mapping with exactly `keys`.
fn row_fields<'a>(row: &'a Value, index: usize, keys: &[&str]) -> Result<&'a Map<String, Value>, String> {
    let fields = row
        .as_object()
        .ok_or_else(|| format!("row {index} is not a mapping with the keys {}", keys.join(", ")))?;
    if let Some(unknown) = fields.keys().find(|key| !keys.contains(&key.as_str())) {
        return Err(format!(
            "row {index} has the unsupported key `{unknown}` (expected {})",
            keys.join(", ")
        ));
    }
    if let Some(missing) = keys.iter().find(|key| !fields.contains_key(**key)) {
        return Err(format!("row {index} has no `{missing}`"));
    }
    Ok(fields)
}

fn text(fields: &Map<String, Value>, key: &str, index: usize) -> Result<String, String> {
    match fields.get(key).and_then(Value::as_str) {
        Some(value) if !value.trim().is_empty() => Ok(value.to_string()),
        _ => Err(format!("row {index}: `{key}` must be a non-empty string")),
    }
}

fn rows_of(value: &Value) -> Result<&Vec<Value>, String> {
    value
        .as_array()
        .filter(|rows| !rows.is_empty())
        .ok_or_else(|| "must be a non-empty list of rows".to_string())
}

/// The rows of `x-lifecycle-codes`: one per value of the open enum, in its order.
fn lifecycle_rows(schema: &Value, name: &str, value: &Value) -> Result<Vec<LifecycleCode>, String> {
    if schema.get("x-sdk-open-enum").and_then(Value::as_bool) != Some(true) {
        return Err(format!("`{name}` is not an open enum (`x-sdk-open-enum: true`)"));
    }
    let values: Vec<&str> = schema
        .get("enum")
        .and_then(Value::as_array)
        .map(|values| values.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut rows = Vec::new();
    let mut codes = BTreeSet::new();
    for (index, row) in rows_of(value)?.iter().enumerate() {
        let fields = row_fields(row, index, &["name", "code", "fr", "en", "mandatory"])?;
        let code = fields
            .get("code")
            .and_then(Value::as_u64)
            .and_then(|code| u16::try_from(code).ok())
            .ok_or_else(|| format!("row {index}: `code` must be a whole number from 0 to 65535"))?;
        if !codes.insert(code) {
            return Err(format!("row {index}: the code {code} is listed twice"));
        }
        let mandatory = fields
            .get("mandatory")
            .and_then(Value::as_bool)
            .ok_or_else(|| format!("row {index}: `mandatory` must be true or false"))?;
        rows.push(LifecycleCode {
            name: text(fields, "name", index)?,
            code,
            fr: text(fields, "fr", index)?,
            en: text(fields, "en", index)?,
            mandatory,
        });
    }
    let names: Vec<&str> = rows.iter().map(|row| row.name.as_str()).collect();
    if names != values {
        return Err(format!(
            "the rows' names ({}) must be the values of `{name}`'s enum, in its order ({})",
            names.join(", "),
            values.join(", ")
        ));
    }
    Ok(rows)
}

/// The values of the open enum `name`, or why the spec has none.
fn open_enum_values<'a>(document: &'a Value, name: &str) -> Result<Vec<&'a str>, String> {
    document
        .pointer(&format!("/components/schemas/{name}"))
        .filter(|schema| schema.get("x-sdk-open-enum").and_then(Value::as_bool) == Some(true))
        .and_then(|schema| schema.get("enum"))
        .and_then(Value::as_array)
        .map(|values| values.iter().filter_map(Value::as_str).collect())
        .ok_or_else(|| {
            format!(
                "its columns hold values of the open enums `{TRANSITION_STATUS_ENUM}` (from, to), \
                 `{TRANSITION_STATE_ENUM}` (state) and `{TRANSITION_TYPE_ENUM}` (types), and the spec has no open \
                 enum `{name}`"
            )
        })
}

/// The rows of one `x-transitions`, each value checked against its open enum.
fn transition_rows(document: &Value, value: &Value) -> Result<Vec<TransitionRow>, String> {
    let statuses = open_enum_values(document, TRANSITION_STATUS_ENUM)?;
    let states = open_enum_values(document, TRANSITION_STATE_ENUM)?;
    let types = open_enum_values(document, TRANSITION_TYPE_ENUM)?;
    let listed = |values: &[&str], enum_name: &str, key: &str, index: usize, value: String| {
        if values.contains(&value.as_str()) {
            Ok(value)
        } else {
            Err(format!(
                "row {index}: `{key}` is `{value}`, which `{enum_name}` does not list ({})",
                values.join(", ")
            ))
        }
    };
    let mut rows = Vec::new();
    for (index, row) in rows_of(value)?.iter().enumerate() {
        let fields = row_fields(row, index, &["from", "to", "state", "types"])?;
        let from = listed(
            &statuses,
            TRANSITION_STATUS_ENUM,
            "from",
            index,
            text(fields, "from", index)?,
        )?;
        let to = listed(
            &statuses,
            TRANSITION_STATUS_ENUM,
            "to",
            index,
            text(fields, "to", index)?,
        )?;
        let state = listed(
            &states,
            TRANSITION_STATE_ENUM,
            "state",
            index,
            text(fields, "state", index)?,
        )?;
        let list = fields
            .get("types")
            .and_then(Value::as_array)
            .filter(|list| !list.is_empty())
            .ok_or_else(|| format!("row {index}: `types` must be a non-empty list"))?;
        let mut row_types: Vec<String> = Vec::new();
        for item in list {
            let item = item
                .as_str()
                .ok_or_else(|| format!("row {index}: `types` holds {item}, not a string"))?
                .to_string();
            if row_types.contains(&item) {
                return Err(format!("row {index}: `types` lists `{item}` twice"));
            }
            row_types.push(listed(&types, TRANSITION_TYPE_ENUM, "types", index, item)?);
        }
        rows.push(TransitionRow {
            from,
            to,
            state,
            types: row_types,
        });
    }
    Ok(rows)
}

/// The credential names of `components.securitySchemes` (none when the spec declares no scheme).
fn credentials(document: &Value) -> Result<Vec<Credential>, String> {
    let Some(schemes) = document.pointer("/components/securitySchemes") else {
        return Ok(Vec::new());
    };
    let schemes = schemes
        .as_object()
        .ok_or("`components.securitySchemes` is not a mapping")?;
    let mut credentials: Vec<Credential> = Vec::new();
    for (scheme, definition) in schemes {
        let at = |cause: String| format!("security scheme `{scheme}` (/components/securitySchemes/{scheme}): {cause}");
        let field = |key: &str| definition.get(key).and_then(Value::as_str);
        if definition.get("$ref").is_some() {
            return Err(at("a `$ref` is not supported; write the scheme out".into()));
        }
        let name = |key: &str| {
            field(key)
                .filter(|name| !name.trim().is_empty())
                .ok_or_else(|| at(format!("`{key}` must be a non-empty string")))
        };
        let (suffix, kind) = match field("type") {
            Some("apiKey") => match field("in") {
                Some("header") => {
                    let header = name("name")?;
                    if !is_lower_case_header_name(header) {
                        return Err(at(format!(
                            "the header name `{header}` must be a lower-case HTTP header name (letters, digits, `-`)"
                        )));
                    }
                    ("HEADER", CredentialKind::Header(header.to_string()))
                }
                Some("query") => {
                    let parameter = name("name")?;
                    if !parameter
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c))
                    {
                        return Err(at(format!(
                            "the query parameter name `{parameter}` must be letters, digits, `-`, `_`, `.` or `~`"
                        )));
                    }
                    ("QUERY_PARAM", CredentialKind::Query(parameter.to_string()))
                }
                Some(other) => {
                    return Err(at(format!(
                        "an API key `in: {other}` is not supported (the SDK sends credentials in headers or query \
                         parameters)"
                    )));
                }
                None => return Err(at("an `apiKey` scheme needs `in` and `name`".into())),
            },
            Some("http") => match field("scheme").map(str::to_ascii_lowercase).as_deref() {
                Some(http @ ("bearer" | "basic")) => ("HTTP_SCHEME", CredentialKind::Http(http.to_string())),
                Some(other) => {
                    return Err(at(format!(
                        "the HTTP scheme `{other}` is not supported (bearer or basic)"
                    )));
                }
                None => return Err(at("an `http` scheme needs `scheme`".into())),
            },
            Some("oauth2") => {
                let flows = definition
                    .get("flows")
                    .and_then(Value::as_object)
                    .ok_or_else(|| at("an `oauth2` scheme needs `flows`".into()))?;
                if let Some(flow) = flows.keys().find(|flow| *flow != "clientCredentials") {
                    return Err(at(format!(
                        "the OAuth2 flow `{flow}` is not supported (clientCredentials only)"
                    )));
                }
                let url = flows
                    .get("clientCredentials")
                    .and_then(|flow| flow.get("tokenUrl"))
                    .and_then(Value::as_str)
                    .filter(|url| url.starts_with("https://") || url.starts_with("http://"))
                    .ok_or_else(|| at("the clientCredentials flow needs an absolute `tokenUrl`".into()))?;
                ("TOKEN_URL", CredentialKind::OAuth2TokenUrl(url.to_string()))
            }
            Some(other) => return Err(at(format!("the scheme type `{other}` is not supported"))),
            None => return Err(at("has no `type`".into())),
        };
        let stem = scheme.to_shouty_snake_case();
        if !stem.starts_with(|c: char| c.is_ascii_alphabetic())
            || !stem.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(at(
                "its key cannot name a Rust constant: start it with a letter, use letters and digits".into(),
            ));
        }
        let constant = format!("{stem}_{suffix}");
        if let Some(other) = credentials.iter().find(|other| other.constant == constant) {
            return Err(at(format!(
                "its constant `{constant}` is also that of scheme `{}`",
                other.scheme
            )));
        }
        credentials.push(Credential {
            scheme: scheme.clone(),
            constant,
            kind,
        });
    }
    Ok(credentials)
}

/// A header name `HeaderName::from_static` accepts: lower-case letters, digits and `-`.
fn is_lower_case_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credential(kind: CredentialKind) -> Credential {
        Credential {
            scheme: "scheme".into(),
            constant: "SCHEME".into(),
            kind,
        }
    }

    #[test]
    fn credential_headers_count_each_api_key_header_and_one_authorization() {
        let extensions = Extensions {
            credentials: vec![
                credential(CredentialKind::Header("x-api-key".into())),
                credential(CredentialKind::Header("x-customer-key".into())),
                credential(CredentialKind::Query("api_key".into())),
                credential(CredentialKind::Http("bearer".into())),
                credential(CredentialKind::OAuth2TokenUrl("https://auth.test/token".into())),
            ],
            ..Extensions::default()
        };
        assert_eq!(extensions.credential_headers(), 3);
        assert_eq!(Extensions::default().credential_headers(), 0);
    }
}
