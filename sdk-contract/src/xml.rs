//! Structure checks of XML bodies against a spec schema (OpenAPI's `xml` object: element names,
//! `wrapped: false` arrays).

use quick_xml::events::Event;
use serde_json::Value;

use crate::ContractSpec;

#[derive(Debug, Default)]
struct Element {
    name: String,
    children: Vec<Element>,
    text: String,
}

fn parse(text: &str) -> Result<Element, String> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(start)) => {
                stack.push(Element {
                    name: AsRef::<str>::as_ref(&start.name()).to_string(),
                    ..Element::default()
                });
            }
            Ok(Event::Empty(empty)) => {
                let element = Element {
                    name: AsRef::<str>::as_ref(&empty.name()).to_string(),
                    ..Element::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => return Ok(element),
                }
            }
            Ok(Event::Text(text)) => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&text.xml10_content());
                }
            }
            Ok(Event::GeneralRef(reference)) => {
                if let Some(current) = stack.last_mut() {
                    let entity = format!("&{};", reference.xml10_content());
                    let unescaped = quick_xml::escape::unescape(&entity).map_err(|e| e.to_string())?;
                    current.text.push_str(&unescaped);
                }
            }
            Ok(Event::CData(data)) => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&data.xml10_content());
                }
            }
            Ok(Event::End(_)) => {
                let Some(done) = stack.pop() else {
                    return Err("unbalanced end tag".into());
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Ok(done),
                }
            }
            Ok(Event::Eof) => return Err("no root element".into()),
            Ok(_) => {}
            Err(e) => return Err(format!("not well-formed XML: {e}")),
        }
    }
}

/// The element name a schema (or a property of it) takes.
fn xml_name<'a>(schema: &'a Value, fallback: &'a str) -> &'a str {
    schema.pointer("/xml/name").and_then(Value::as_str).unwrap_or(fallback)
}

/// Checks `text` against `schema`; gives (pointer, message) pairs.
pub(crate) fn check(spec: &ContractSpec, schema: &Value, text: &str) -> Vec<(String, String)> {
    let root = match parse(text) {
        Ok(root) => root,
        Err(e) => return vec![(String::new(), e)],
    };
    let ref_name = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
        .unwrap_or("root");
    let resolved = spec.resolve(schema);
    let expected = xml_name(resolved, xml_name(schema, ref_name));
    let mut problems = Vec::new();
    if root.name != expected {
        problems.push((
            format!("/{}", root.name),
            format!("root element is <{}>, the spec says <{expected}>", root.name),
        ));
    }
    check_element(spec, resolved, &root, &format!("/{}", root.name), &mut problems);
    problems
}

fn check_element(
    spec: &ContractSpec,
    schema: &Value,
    element: &Element,
    pointer: &str,
    problems: &mut Vec<(String, String)>,
) {
    let schema = spec.resolve(schema);
    let properties = schema.get("properties").and_then(Value::as_object);
    let Some(properties) = properties else {
        // A scalar: no child elements, and the text must satisfy the schema.
        if !element.children.is_empty() {
            problems.push((pointer.to_string(), "a text element has child elements".into()));
        }
        let instance = match schema.get("type").and_then(Value::as_str) {
            Some("integer") => element
                .text
                .trim()
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or(Value::String(element.text.clone())),
            _ => Value::String(element.text.clone()),
        };
        for (at, message) in spec.validate(schema, &instance) {
            problems.push((format!("{pointer}{at}"), message));
        }
        return;
    };
    let mut seen: Vec<&str> = Vec::new();
    for child in &element.children {
        let found = properties.iter().find_map(|(name, property)| {
            let property = spec.resolve(property);
            if property.get("type").and_then(Value::as_str) == Some("array") {
                let items = spec.resolve(property.get("items").unwrap_or(&Value::Null));
                let item_name = xml_name(items, xml_name(property, name));
                (item_name == child.name).then_some((name.as_str(), items, true))
            } else {
                (xml_name(property, name) == child.name).then_some((name.as_str(), property, false))
            }
        });
        let child_pointer = format!("{pointer}/{}", child.name);
        match found {
            None => problems.push((child_pointer, format!("element <{}> is not in the spec", child.name))),
            Some((name, child_schema, repeated)) => {
                if !repeated && seen.contains(&name) {
                    problems.push((
                        child_pointer.clone(),
                        format!("element <{}> appears more than once", child.name),
                    ));
                }
                seen.push(name);
                check_element(spec, child_schema, child, &child_pointer, problems);
            }
        }
    }
    for required in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !seen.contains(&required) {
            problems.push((
                format!("{pointer}/{required}"),
                format!("required element <{required}> is missing"),
            ));
        }
    }
}
