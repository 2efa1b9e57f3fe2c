//! Reading a curated spec into JSON, and turning its OpenAPI 3.0 schemas into JSON Schema.

use serde_json::{Map, Value};

/// Parses YAML text into JSON, turning non-string keys (such as an unquoted `200:`) into strings.
pub fn parse_yaml(text: &str) -> Result<Value, String> {
    let yaml: serde_norway::Value = serde_norway::from_str(text).map_err(|e| format!("not valid YAML: {e}"))?;
    yaml_to_json(yaml)
}

fn yaml_to_json(value: serde_norway::Value) -> Result<Value, String> {
    use serde_norway::Value as Yaml;
    Ok(match value {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or(format!("number {n} has no JSON form"))?
            }
        }
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect::<Result<_, _>>()?),
        Yaml::Mapping(mapping) => {
            let mut object = Map::new();
            for (key, value) in mapping {
                let key = match key {
                    Yaml::String(s) => s,
                    Yaml::Number(n) => n.to_string(),
                    Yaml::Bool(b) => b.to_string(),
                    other => return Err(format!("unsupported mapping key {other:?}")),
                };
                object.insert(key, yaml_to_json(value)?);
            }
            Value::Object(object)
        }
        Yaml::Tagged(tagged) => return Err(format!("YAML tags are not supported (found !{})", tagged.tag)),
    })
}

/// Keywords of OpenAPI 3.0's schema dialect that JSON Schema does not know, or that only describe.
const OPENAPI_ONLY: &[&str] = &[
    "nullable",
    "discriminator",
    "xml",
    "externalDocs",
    "example",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// Converts an OpenAPI 3.0 schema to JSON Schema (checked as draft 2020-12, whose `format` vocabulary knows `uuid`): `nullable: true` becomes "or null",
/// `#/components/schemas/X` references become `#/definitions/X`, and OpenAPI-only and `x-`
/// keywords are dropped.
pub fn to_json_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(object) => {
            let mut converted = Map::new();
            for (key, value) in object {
                if key.starts_with("x-") || OPENAPI_ONLY.contains(&key.as_str()) {
                    continue;
                }
                let value = match key.as_str() {
                    "$ref" => Value::String(
                        value
                            .as_str()
                            .unwrap_or_default()
                            .replace("#/components/schemas/", "#/definitions/"),
                    ),
                    // Maps of schemas: convert each value, keep the names.
                    "properties" | "definitions" => match value {
                        Value::Object(map) => {
                            Value::Object(map.iter().map(|(k, v)| (k.clone(), to_json_schema(v))).collect())
                        }
                        other => other.clone(),
                    },
                    // `enum` and `required` are data, not schemas.
                    "enum" | "required" => value.clone(),
                    _ => to_json_schema(value),
                };
                converted.insert(key.clone(), value);
            }
            if object.get("nullable").and_then(Value::as_bool) == Some(true) {
                if let Some(allowed) = converted.get_mut("enum").and_then(Value::as_array_mut) {
                    allowed.push(Value::Null);
                }
                return serde_json::json!({ "anyOf": [Value::Object(converted), { "type": "null" }] });
            }
            Value::Object(converted)
        }
        Value::Array(items) => Value::Array(items.iter().map(to_json_schema).collect()),
        other => other.clone(),
    }
}

/// A JSON Schema for `schema` that can resolve every component schema of `document`.
pub fn rooted_schema(document: &Value, schema: &Value) -> Value {
    let mut root = match to_json_schema(schema) {
        Value::Object(map) => map,
        other => {
            let mut map = Map::new();
            map.insert("allOf".into(), Value::Array(vec![other]));
            map
        }
    };
    let definitions = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| {
            schemas
                .iter()
                .map(|(name, s)| (name.clone(), to_json_schema(s)))
                .collect::<Map<_, _>>()
        })
        .unwrap_or_default();
    root.insert("definitions".into(), Value::Object(definitions));
    Value::Object(root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nullable_and_refs_convert() {
        let schema = json!({
            "type": "object", "nullable": true, "x-curation": "note", "example": {},
            "properties": { "a": { "$ref": "#/components/schemas/A" }, "nullable": { "type": "string" } },
            "required": ["a"]
        });
        let converted = to_json_schema(&schema);
        assert_eq!(
            converted,
            json!({ "anyOf": [
                { "type": "object",
                  "properties": { "a": { "$ref": "#/definitions/A" }, "nullable": { "type": "string" } },
                  "required": ["a"] },
                { "type": "null" }
            ] })
        );
    }

    #[test]
    fn unquoted_status_keys_become_strings() {
        let value = parse_yaml("responses:\n  200: { description: ok }\n").unwrap();
        assert!(value.pointer("/responses/200/description").is_some());
    }
}
