//! Drift's changes, classified for the generated Rust API (see the module docs of `diff`).

use std::collections::{BTreeMap, BTreeSet};

use drift::{Change, ChangeClass, ChangeComparison, ChangeDetails, ChangeInfo, JsonPathStack};
use serde_json::Value;

use super::{Class, Finding, GeneratedApi};

/// Schema keywords that do not shape the generated Rust type or its decoding.
const METADATA_KEYS: &[&str] = &[
    "description",
    "example",
    "title",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "externalDocs",
    "nullable",
];

/// Every finding in drift's `changes`, one or more per drift change.
pub(super) fn classify(changes: &[Change], old: &Value, new: &Value, api: &GeneratedApi) -> Vec<Finding> {
    let mut findings = Vec::new();
    for change in changes {
        let Some(first) = change.paths.first() else {
            continue;
        };
        let input = change
            .paths
            .iter()
            .any(|path| path.comparison == ChangeComparison::Input);
        let used_by = used_by(change);
        for info in &change.changes {
            let site = Site {
                old_pointer: pointer(&first.old, &info.old_subpath),
                new_pointer: pointer(&first.new, &info.new_subpath),
                location: location(first, info, &used_by),
                input,
                source: drift_class(info.class).to_string(),
                api: *api,
            };
            findings.extend(classify_one(info, &site, old, new));
        }
    }
    findings
}

/// Where one drift change sits, in both documents and for the report.
struct Site {
    /// JSON pointer (without `#`) of the changed node in the old document.
    old_pointer: String,
    /// JSON pointer (without `#`) of the changed node in the new document.
    new_pointer: String,
    /// The readable location.
    location: String,
    /// Whether the node is reached from a request (parameters, body).
    input: bool,
    /// Drift's class, in words.
    source: String,
    /// The shape of the generated code.
    api: GeneratedApi,
}

impl Site {
    fn finding(&self, class: Class, message: impl Into<String>) -> Finding {
        self.finding_at(class, "", message)
    }

    fn finding_at(&self, class: Class, place: &str, message: impl Into<String>) -> Finding {
        let location = if place.is_empty() {
            self.location.clone()
        } else {
            insert_place(&self.location, place)
        };
        Finding {
            class,
            location,
            message: message.into(),
            source: self.source.clone(),
        }
    }
}

fn classify_one(info: &ChangeInfo, site: &Site, old: &Value, new: &Value) -> Vec<Finding> {
    let message = info.message.as_str();
    if info.class == ChangeClass::Trivial || info.details == ChangeDetails::Metadata {
        return vec![site.finding(Class::Trivial, message)];
    }
    match info.details {
        ChangeDetails::Removed => vec![site.finding(Class::Breaking, message)],
        ChangeDetails::AddedRequired | ChangeDetails::MoreStrict | ChangeDetails::Datatype => {
            vec![site.finding(Class::Breaking, message)]
        }
        // A default response decides the generated error type.
        ChangeDetails::Added if message.contains("default response") => {
            vec![site.finding(Class::Breaking, format!("{message} (the generated error type changes)"))]
        }
        ChangeDetails::Added if info.old_subpath.is_empty() && message.starts_with("The operation ") => {
            vec![if site.api.open_mock_trait {
                site.finding(
                    Class::Breaking,
                    format!(
                        "{message}: compatible on the wire and for the client, but the `mock` feature's \
                         `MockServerExt` trait gains a method (cargo-semver-checks: trait_method_added)"
                    ),
                )
            } else {
                site.finding(Class::Compatible, message)
            }]
        }
        // A new optional parameter, response code or optional body.
        ChangeDetails::Added => vec![site.finding(Class::Compatible, message)],
        // A parameter or body that became optional: its builder setter takes a value as before.
        ChangeDetails::LessStrict => vec![site.finding(Class::Compatible, message)],
        ChangeDetails::Metadata | ChangeDetails::UnknownDifference => refine(info, site, old, new),
    }
}

/// A change drift located but did not classify: read the two nodes and name what changed.
fn refine(info: &ChangeInfo, site: &Site, old: &Value, new: &Value) -> Vec<Finding> {
    let nodes = (old.pointer(&site.old_pointer), new.pointer(&site.new_pointer));
    let findings = match (info.message.as_str(), nodes) {
        ("object properties changed", (Some(old), Some(new))) => properties(site, old, new),
        ("object required properties changed", (Some(old), Some(new))) => requirements(site, old, new),
        (
            "string schema changed" | "integer schema changed" | "number schema changed" | "boolean schema changed",
            (Some(old), Some(new)),
        ) => scalar(site, old, new),
        _ => Vec::new(),
    };
    if findings.is_empty() {
        vec![site.finding(
            Class::Breaking,
            format!("{} (not classified further: treated as breaking)", info.message),
        )]
    } else {
        findings
    }
}

fn properties(site: &Site, old: &Value, new: &Value) -> Vec<Finding> {
    let old_names = keys(old.get("properties"));
    let new_names = keys(new.get("properties"));
    let required = strings(new.get("required"));
    let mut findings = Vec::new();
    for name in old_names.difference(&new_names) {
        findings.push(site.finding_at(
            Class::Breaking,
            &format!("properties/{name}"),
            format!("field `{name}` removed"),
        ));
    }
    for name in new_names.difference(&old_names) {
        let place = format!("properties/{name}");
        let what = if required.contains(name) {
            "field"
        } else {
            "optional field"
        };
        let finding = if required.contains(name) && site.input {
            site.finding_at(
                Class::Breaking,
                &place,
                format!("new required field `{name}` in a request: existing calls do not set it"),
            )
        } else if site.api.literal_structs {
            site.finding_at(
                Class::Breaking,
                &place,
                format!(
                    "new {what} `{name}`: compatible on the wire and for the builders, but the generated \
                     struct gains a pub field (struct literals stop compiling; cargo-semver-checks: \
                     constructible_struct_adds_field)"
                ),
            )
        } else {
            site.finding_at(Class::Compatible, &place, format!("new {what} `{name}`"))
        };
        findings.push(finding);
    }
    findings
}

fn requirements(site: &Site, old: &Value, new: &Value) -> Vec<Finding> {
    let old_required = strings(old.get("required"));
    let new_required = strings(new.get("required"));
    let in_both = &keys(old.get("properties")) & &keys(new.get("properties"));
    let mut findings = Vec::new();
    for name in new_required
        .difference(&old_required)
        .filter(|name| in_both.contains(*name))
    {
        findings.push(site.finding_at(
            Class::Breaking,
            &format!("properties/{name}"),
            format!("field `{name}` became required (its Rust type loses the `Option`)"),
        ));
    }
    for name in old_required
        .difference(&new_required)
        .filter(|name| in_both.contains(*name))
    {
        findings.push(site.finding_at(
            Class::Breaking,
            &format!("properties/{name}"),
            format!("field `{name}` became optional (its Rust type becomes an `Option`)"),
        ));
    }
    let added_or_removed = old_required.symmetric_difference(&new_required).next().is_some();
    if findings.is_empty() && !added_or_removed {
        findings.push(site.finding(Class::Trivial, "the `required` list changed order only"));
    } else if findings.is_empty() {
        // The names that changed belong to added or removed fields, reported with those.
        findings.push(site.finding(
            Class::Trivial,
            "the `required` list follows the fields added or removed",
        ));
    }
    findings
}

fn scalar(site: &Site, old: &Value, new: &Value) -> Vec<Finding> {
    let mut findings = Vec::new();
    let old_values = enum_values(old);
    let new_values = enum_values(new);
    for value in old_values.iter().filter(|value| !new_values.contains(value)) {
        findings.push(site.finding(Class::Breaking, format!("enum value {value} removed")));
    }
    for value in new_values.iter().filter(|value| !old_values.contains(value)) {
        findings.push(if site.api.exhaustive_enums {
            site.finding(
                Class::Breaking,
                format!(
                    "new enum value {value}: compatible on the wire (old SDKs decode it as `Unknown`), but \
                     the open enum gains a variant (an exhaustive `match` stops compiling; \
                     cargo-semver-checks: enum_variant_added)"
                ),
            )
        } else {
            site.finding(Class::Compatible, format!("new enum value {value}"))
        });
    }
    let facets = |node: &Value| -> BTreeMap<String, Value> {
        node.as_object()
            .map(|object| {
                object
                    .iter()
                    .filter(|(key, _)| {
                        key.as_str() != "enum" && !key.starts_with("x-") && !METADATA_KEYS.contains(&key.as_str())
                    })
                    .map(|(key, value)| (key.clone(), value.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (old_facets, new_facets) = (facets(old), facets(new));
    let names: BTreeSet<&String> = old_facets.keys().chain(new_facets.keys()).collect();
    for name in names {
        let (before, after) = (old_facets.get(name), new_facets.get(name));
        if before != after {
            findings.push(site.finding(
                Class::Breaking,
                format!(
                    "`{name}` changed from {} to {} (the generated type or its validation changes)",
                    shown(before),
                    shown(after)
                ),
            ));
        }
    }
    findings
}

/// Path parameters renamed in an operation drift matched (drift erases their names). Progenitor
/// names each builder setter after its parameter, so a rename breaks every call that sets it.
pub(super) fn renamed_path_parameters(old: &Value, new: &Value) -> Vec<Finding> {
    let routes = |document: &Value| -> BTreeMap<String, (String, Vec<String>)> {
        document
            .get("paths")
            .and_then(Value::as_object)
            .map(|paths| {
                paths
                    .iter()
                    .map(|(path, item)| {
                        let methods = item
                            .as_object()
                            .map(|item| {
                                item.keys()
                                    .filter(|key| HTTP_METHODS.contains(&key.as_str()))
                                    .cloned()
                                    .collect()
                            })
                            .unwrap_or_default();
                        (erase_names(path), (path.clone(), methods))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let (old_routes, new_routes) = (routes(old), routes(new));
    let mut findings = Vec::new();
    for (route, (old_path, old_methods)) in &old_routes {
        let Some((new_path, new_methods)) = new_routes.get(route) else {
            continue;
        };
        if old_path == new_path {
            continue;
        }
        let renames: Vec<String> = template_names(old_path)
            .into_iter()
            .zip(template_names(new_path))
            .filter(|(before, after)| before != after)
            .map(|(before, after)| format!("`{before}` renamed to `{after}` (builder setter `{after}()`)"))
            .collect();
        for method in old_methods.iter().filter(|method| new_methods.contains(method)) {
            findings.push(Finding {
                class: Class::Breaking,
                location: format!("{} {new_path}", method.to_uppercase()),
                message: format!("path parameter {}", renames.join(", ")),
                source: "xtask: drift ignores path parameter names".into(),
            });
        }
    }
    findings
}

const HTTP_METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// `/things/{id}` → `/things/{}`: the route as drift matches it.
fn erase_names(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_name = false;
    for character in path.chars() {
        match character {
            '{' => {
                in_name = true;
                out.push_str("{}");
            }
            '}' if in_name => in_name = false,
            _ if in_name => {}
            other => out.push(other),
        }
    }
    out
}

/// The parameter names of a path template, in order.
fn template_names(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

fn keys(value: Option<&Value>) -> BTreeSet<String> {
    value
        .and_then(Value::as_object)
        .map(|object| object.keys().cloned().collect())
        .unwrap_or_default()
}

fn strings(value: Option<&Value>) -> BTreeSet<String> {
    value
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

fn enum_values(node: &Value) -> Vec<String> {
    node.get("enum")
        .and_then(Value::as_array)
        .map(|values| values.iter().map(Value::to_string).collect())
        .unwrap_or_default()
}

fn shown(value: Option<&Value>) -> String {
    value.map_or_else(|| "(absent)".into(), Value::to_string)
}

fn drift_class(class: ChangeClass) -> &'static str {
    match class {
        ChangeClass::BackwardIncompatible => "drift: backward-incompatible",
        ChangeClass::ForwardIncompatible => "drift: forward-incompatible",
        ChangeClass::Incompatible => "drift: incompatible",
        ChangeClass::Trivial => "drift: trivial",
        ChangeClass::Unhandled => "drift: unhandled",
    }
}

/// `base` + `/` + `subpath`, as a JSON pointer without the leading `#`.
fn pointer(stack: &JsonPathStack, subpath: &str) -> String {
    let (base, _) = stack.base_and_subpath();
    let base = base.strip_prefix('#').unwrap_or(base);
    if subpath.is_empty() {
        base.to_string()
    } else {
        format!("{base}/{subpath}")
    }
}

/// The operations a component change is reached from, readable.
fn used_by(change: &Change) -> Vec<String> {
    let mut endpoints = BTreeSet::new();
    for path in &change.paths {
        for stack in [&path.old, &path.new] {
            if stack.component_base().is_some()
                && let Some(endpoint) = stack.endpoint_base()
            {
                endpoints.insert(readable(endpoint));
            }
        }
    }
    endpoints.into_iter().collect()
}

fn location(path: &drift::ChangePath, info: &ChangeInfo, used_by: &[String]) -> String {
    // An operation added or removed is reported against `#/paths` on the side it is missing from.
    let (stack, subpath) = if path.new.base_and_subpath().0 == "#/paths" {
        (&path.old, info.old_subpath.as_str())
    } else {
        (&path.new, info.new_subpath.as_str())
    };
    let (base, _) = stack.base_and_subpath();
    let mut location = readable(base);
    if !subpath.is_empty() {
        location.push(' ');
        location.push_str(subpath);
    }
    match used_by {
        [] => {}
        [one] => location.push_str(&format!(" (used by {one})")),
        [first, rest @ ..] => location.push_str(&format!(" (used by {first} and {} more)", rest.len())),
    }
    location
}

/// Puts `place` right after the pointer part of `location`, before any `(used by ...)`.
fn insert_place(location: &str, place: &str) -> String {
    match location.split_once(" (used by ") {
        Some((head, tail)) => format!("{head} {place} (used by {tail}"),
        None => format!("{location} {place}"),
    }
}

/// `#/paths/~1things~1{id}/get` → `GET /things/{id}`; other pointers stay as they are.
fn readable(pointer: &str) -> String {
    let Some(rest) = pointer.strip_prefix("#/paths/") else {
        return pointer.to_string();
    };
    let (path, after) = rest.split_once('/').unwrap_or((rest, ""));
    let path = path.replace("~1", "/").replace("~0", "~");
    let (method, more) = after.split_once('/').unwrap_or((after, ""));
    let mut out = if method.is_empty() {
        path
    } else {
        format!("{} {path}", method.to_uppercase())
    };
    if !more.is_empty() {
        out.push(' ');
        out.push_str(more);
    }
    out
}
