//! The contract checker is itself checked: it must report what is wrong, and accept what is right.

use std::path::{Path, PathBuf};

use sdk_contract::{CapturedRequest, ContractSpec, Coverage, describe};

fn spec(name: &str) -> ContractSpec {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs").join(name);
    ContractSpec::load(path).expect("the spec loads")
}

fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> CapturedRequest {
    CapturedRequest {
        method: method.into(),
        path: path.into(),
        query: Vec::new(),
        headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        body: body.as_bytes().to_vec(),
    }
}

const INVOICE: &str = "/v1/invoice/6d9bf1a6-25a7-4d48-b641-623c05b0a967/status";
const JSON: (&str, &str) = ("content-type", "application/json");
const BEARER: (&str, &str) = ("authorization", "Bearer token");

#[test]
fn a_valid_request_matches_its_operation() {
    let iopole = spec("iopole.yaml");
    let sent = request(
        "POST",
        INVOICE,
        &[JSON, BEARER],
        r#"{"code":"IN_HAND","message":"Invoice received !"}"#,
    );
    assert_eq!(
        iopole.check_request(&sent).map_err(|v| describe(&v)),
        Ok("sendStatus".to_string())
    );
}

#[test]
fn a_missing_required_field_is_reported_with_its_pointer() {
    let iopole = spec("iopole.yaml");
    let sent = request("POST", INVOICE, &[JSON, BEARER], r#"{"message":"no code"}"#);
    let violations = iopole.check_request(&sent).unwrap_err();
    let text = describe(&violations);
    assert!(text.contains("operation `sendStatus`: /body"), "{text}");
    assert!(text.contains("code"), "{text}");
}

#[test]
fn a_wrong_enum_value_is_reported() {
    let iopole = spec("iopole.yaml");
    let sent = request("POST", INVOICE, &[JSON, BEARER], r#"{"code":"LOST_IN_THE_MAIL"}"#);
    let text = describe(&iopole.check_request(&sent).unwrap_err());
    assert!(text.contains("operation `sendStatus`: /body/code"), "{text}");
}

#[test]
fn a_wrong_path_is_reported() {
    let iopole = spec("iopole.yaml");
    let text = describe(
        &iopole
            .check_request(&request("GET", "/v1/invoices/nope", &[BEARER], ""))
            .unwrap_err(),
    );
    assert!(text.contains("no path template matches /v1/invoices/nope"), "{text}");
    let text = describe(
        &iopole
            .check_request(&request("DELETE", INVOICE, &[BEARER], ""))
            .unwrap_err(),
    );
    assert!(text.contains("DELETE") && text.contains("allowed: POST"), "{text}");
}

#[test]
fn a_malformed_path_parameter_is_reported() {
    let iopole = spec("iopole.yaml");
    let sent = request("GET", "/v1/invoice/not-a-uuid/status-history", &[BEARER], "");
    let text = describe(&iopole.check_request(&sent).unwrap_err());
    assert!(text.contains("operation `getStatusHistory`: /path/invoiceId"), "{text}");
}

#[test]
fn a_missing_credential_is_reported() {
    let iopole = spec("iopole.yaml");
    let sent = request("POST", INVOICE, &[JSON], r#"{"code":"IN_HAND"}"#);
    let text = describe(&iopole.check_request(&sent).unwrap_err());
    assert!(text.contains("/credentials: credentials missing"), "{text}");

    let appzen = spec("appzen.yaml");
    let body = r#"{"appzen_invoice_state":"CREATED","timestamp":"2020-11-01T11:01:00Z","invoice_id":"1","invoice_status":"open"}"#;
    let path = "/dictionary-data-services/invoice/75823296-4af2-4475-aafd-461c60c284e7/status-sync";
    let partial = request("POST", path, &[JSON, ("x-api-key", "k"), ("customer-id", "1")], body);
    let text = describe(&appzen.check_request(&partial).unwrap_err());
    assert!(
        text.contains("customerKey"),
        "all three headers are needed together: {text}"
    );
    let complete = request(
        "POST",
        path,
        &[JSON, ("x-api-key", "k"), ("customer-id", "1"), ("customer-key", "c")],
        body,
    );
    assert_eq!(
        appzen.check_request(&complete).map_err(|v| describe(&v)),
        Ok("statusSync".into())
    );
}

#[test]
fn query_credentials_and_integer_path_parameters() {
    let invoicexpress = spec("invoicexpress.yaml");
    let mut sent = request("GET", "/invoices/123.json", &[], "");
    let text = describe(&invoicexpress.check_request(&sent).unwrap_err());
    assert!(text.contains("credentials missing"), "{text}");
    sent.query.push(("api_key".into(), "key".into()));
    assert_eq!(
        invoicexpress.check_request(&sent).map_err(|v| describe(&v)),
        Ok("getDocument".into())
    );
    sent.path = "/invoices/twelve.json".into();
    let text = describe(&invoicexpress.check_request(&sent).unwrap_err());
    assert!(text.contains("/path/document-id"), "{text}");
}

#[test]
fn xml_bodies_are_checked_for_structure() {
    let invoicexpress = spec("invoicexpress.yaml");
    let xml = ("content-type", "application/xml; charset=utf-8");
    let path = "/debit_notes/7/change-state.xml";
    let mut good = request(
        "PUT",
        path,
        &[xml],
        r#"<?xml version="1.0" encoding="UTF-8"?><invoice><state>canceled</state><message>a &amp; b</message></invoice>"#,
    );
    good.query.push(("api_key".into(), "key".into()));
    assert_eq!(
        invoicexpress.check_request(&good).map_err(|v| describe(&v)),
        Ok("changeDebitNoteStateLegacy".into())
    );

    let mut extra = good.clone();
    extra.body = b"<invoice><state>canceled</state><hack>1</hack></invoice>".to_vec();
    let text = describe(&invoicexpress.check_request(&extra).unwrap_err());
    assert!(
        text.contains("/body/invoice/hack: element <hack> is not in the spec"),
        "{text}"
    );

    let mut wrong_root = good.clone();
    wrong_root.body = b"<debit_note><state>canceled</state></debit_note>".to_vec();
    let text = describe(&invoicexpress.check_request(&wrong_root).unwrap_err());
    assert!(text.contains("root element is <debit_note>"), "{text}");

    let mut bad_state = good.clone();
    bad_state.body = b"<invoice><state>exploded</state></invoice>".to_vec();
    let text = describe(&invoicexpress.check_request(&bad_state).unwrap_err());
    assert!(text.contains("/body/invoice/state"), "{text}");

    let mut broken = good;
    broken.body = b"<invoice><state>canceled</invoice>".to_vec();
    assert!(invoicexpress.check_request(&broken).is_err());
}

#[test]
fn every_example_of_every_spec_validates() {
    let mut checked = 0;
    for name in ["iopole.yaml", "invoicexpress.yaml", "appzen.yaml"] {
        let spec = spec(name);
        for example in spec.examples() {
            if let Err(violations) = spec.check_example(&example) {
                panic!("{name}: {}:\n{}", example.location(), describe(&violations));
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} examples found");
}

#[test]
fn external_examples_are_read_next_to_the_spec_and_checked() {
    let invoicexpress = spec("invoicexpress.yaml");
    let external: Vec<_> = invoicexpress
        .examples()
        .into_iter()
        .filter(|e| e.external_value.is_some())
        .collect();
    assert_eq!(external.len(), 2, "the legacy request and its 422 body");
    for example in &external {
        let text = example.value.as_str().unwrap_or_default();
        assert!(text.starts_with("<?xml"), "{}: {text:?}", example.location());
        assert_eq!(invoicexpress.check_example(example).map_err(|v| describe(&v)), Ok(()));
    }

    let dir = std::env::temp_dir().join(format!("sdk-contract-external-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("examples")).unwrap();
    std::fs::write(dir.join("examples/good.json"), r#"{"n":1}"#).unwrap();
    std::fs::write(dir.join("examples/bad.json"), r#"{"n":"one"}"#).unwrap();
    let media = |examples: &str| {
        format!(
            "content: {{ application/json: {{ schema: {{ type: object, properties: {{ n: {{ type: integer }} }} }}, examples: {{ {examples} }} }} }}"
        )
    };
    let yaml = format!(
        "openapi: 3.0.3\ninfo: {{ title: t, version: '1' }}\npaths:\n  /x:\n    get:\n      operationId: getX\n      responses:\n        '200': {{ description: ok, {} }}\n",
        media(
            "good: { externalValue: examples/good.json }, bad: { externalValue: examples/bad.json }, \
             missing: { externalValue: examples/none.json }, outside: { externalValue: ../secret.json }"
        )
    );
    std::fs::write(dir.join("spec.yaml"), yaml).unwrap();
    let local = ContractSpec::load(dir.join("spec.yaml")).expect("loads");
    let outcome = |name: &str| {
        let example = local.examples().into_iter().find(|e| e.name == name).unwrap();
        local.check_example(&example).map_err(|v| describe(&v))
    };
    assert_eq!(outcome("good"), Ok(()));
    assert!(outcome("bad").unwrap_err().contains("/examples/200/bad/n"));
    assert!(
        outcome("missing")
            .unwrap_err()
            .contains("externalValue could not be read")
    );
    assert!(
        outcome("outside")
            .unwrap_err()
            .contains("not a path relative to the spec's folder")
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_checker_rejects_a_broken_example() {
    let iopole = spec("iopole.yaml");
    let mut example = iopole
        .examples()
        .into_iter()
        .find(|e| e.operation == "sendStatus" && e.role == "request")
        .unwrap();
    example.value = serde_json::json!({ "code": 7 });
    let text = describe(&iopole.check_example(&example).unwrap_err());
    assert!(text.contains("/examples/request/"), "{text}");
}

#[test]
fn coverage_names_operations_without_a_contract_test() {
    let iopole = spec("iopole.yaml");
    let coverage = Coverage::new();
    coverage.exercised("sendStatus");
    coverage.exercised("getStatusHistory");
    let missing = coverage.missing(&iopole);
    // Every operation of the spec but the two exercised ones, whatever the spec grows to.
    let expected: Vec<String> = iopole
        .operation_ids()
        .into_iter()
        .filter(|id| !["sendStatus", "getStatusHistory"].contains(id))
        .map(str::to_string)
        .collect();
    assert!(missing.contains(&"getNotSeenStatuses".to_string()) && missing.contains(&"markStatusAsSeen".to_string()));
    let mut sorted = missing.clone();
    sorted.sort();
    let mut expected_sorted = expected;
    expected_sorted.sort();
    assert_eq!(sorted, expected_sorted);
}
