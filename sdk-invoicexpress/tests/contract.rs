//! The SDK against `specs/invoicexpress.yaml`, through `sdk-contract`: every request the JSON and
//! legacy clients send satisfies the spec (path, `api_key` credential, body schema or XML
//! structure), every spec example satisfies its schema and decodes into the SDK's types, and every
//! documented error status comes back typed.

mod common;

use std::path::Path;

use chrono::NaiveDate;
use common::{CANARY, ClientError, fast_config, json_client, json_client_with, legacy_client, legacy_client_with};
use httpmock::prelude::*;
use reqwest::StatusCode;
use sdk_contract::{CapturedRequest, ContractSpec, Coverage, Recorder, Violation, describe};
use sdk_invoicexpress::types::{
    ChangeStateRequest, DocumentClass, DocumentList, DocumentResponse, DocumentStatus, ErrorResponse, LegacyErrors,
    LegacyStateChange, RelatedDocuments,
};
use sdk_invoicexpress::{
    ApiError, CancelReason, ClientConfig, DocumentFamily, DocumentFilter, DocumentKind, ErrorExt, ErrorKind,
    RateLimits, StateChange, StreamExt, Tolerant,
};

fn spec() -> ContractSpec {
    ContractSpec::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/invoicexpress.yaml"))
        .expect("the spec loads")
}

fn every_change() -> Vec<StateChange> {
    let reason = CancelReason::new("Wrong invoice totals. <&> \"quoted\"").expect("non-empty");
    vec![
        StateChange::Finalize,
        StateChange::Delete,
        StateChange::SecondCopy,
        StateChange::Cancel { reason },
        StateChange::Settle,
        StateChange::Unsettle,
        StateChange::Accept,
        StateChange::Refuse,
    ]
}

#[tokio::test]
async fn every_request_the_sdk_sends_satisfies_the_spec() {
    let spec = spec();
    let coverage = Coverage::new();
    let server = MockServer::start_async().await;
    let recorder = Recorder::new();
    server
        .mock_async(|when, then| {
            recorder.record(when);
            then.respond_with(|request: &HttpMockRequest| {
                let path = request.uri().path().to_string();
                let body = if request.method_str() != "GET" {
                    ""
                } else if path == "/invoices.json" {
                    r#"{"invoices":[{"id":1}],"pagination":{"current_page":1,"total_pages":1}}"#
                } else if path.ends_with("/related_documents.json") {
                    r#"{"documents":[{"id":2,"type":"Receipt"}]}"#
                } else {
                    r#"{"invoice":{"id":1}}"#
                };
                HttpMockResponse::builder().status(200).body(body).build()
            });
        })
        .await;
    // Over a hundred requests: no client-side rate limit here.
    let unlimited = ClientConfig {
        rate_limits: Some(RateLimits::none()),
        ..fast_config()
    };
    let json = json_client_with(&server.base_url(), unlimited.clone());
    let legacy = legacy_client_with(&server.base_url(), unlimited);

    let mut sent = Vec::new();
    for kind in DocumentKind::ALL {
        for change in every_change() {
            json.change_state(kind, 7, &change, None).await.expect("200");
            sent.push("changeDocumentState");
        }
        json.get_document(kind, 7).await.expect("200 with a document");
        sent.push("getDocument");
    }
    let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).expect("a day");
    let filters = [
        DocumentFilter::new(),
        DocumentFilter::new()
            .status(DocumentStatus::Final)
            .status(DocumentStatus::Settled)
            .kind(DocumentKind::Invoices)
            .class(DocumentClass::from("InvoiceReceipt"))
            .date_from(day(1))
            .date_to(day(31))
            .per_page(30),
    ];
    for filter in filters {
        let items: Vec<_> = json.list_documents(filter).collect().await;
        assert!(matches!(items.as_slice(), [Ok(Tolerant::Decoded(_))]), "{items:?}");
        sent.push("listDocuments");
    }
    let related = json.related_documents(7).await.expect("200 with documents");
    assert_eq!(related.value.len(), 1);
    sent.push("getRelatedDocuments");
    // The legacy API serves the invoice family, and has no estimate changes.
    for kind in DocumentFamily::Invoices.kinds() {
        for change in every_change() {
            if matches!(change, StateChange::Accept | StateChange::Refuse) {
                continue;
            }
            legacy.change_state(kind, 7, &change, None).await.expect("200");
            sent.push("changeDebitNoteStateLegacy");
        }
    }

    let captured = recorder.requests();
    assert_eq!(captured.len(), sent.len());
    for (i, (request, expected)) in captured.iter().zip(sent).enumerate() {
        let operation = spec
            .check_request(request)
            .or_else(|violations| repeated_array_params(&spec, request, violations))
            .map_err(|v| describe(&v));
        assert_eq!(
            operation.as_deref(),
            Ok(expected),
            "request {i}: {} {}",
            request.method,
            request.path
        );
        coverage.exercised(expected);
        assert_eq!(request.query_param("api_key"), Some(CANARY), "request {i}");
        if expected != "listDocuments" {
            assert_eq!(request.query.len(), 1, "request {i}: only the key in the query");
        }
        let content_type = request.header("content-type");
        match expected {
            "changeDocumentState" => assert_eq!(content_type, Some("application/json"), "request {i}"),
            "changeDebitNoteStateLegacy" => {
                assert_eq!(content_type, Some("application/xml; charset=utf-8"), "request {i}")
            }
            _ => assert_eq!(request.body, b"", "request {i}"),
        }
    }
    assert_eq!(coverage.missing(&spec), Vec::<String>::new());
}

/// `sdk-contract` checks a query parameter's first value against its schema, so the array
/// parameters of `listDocuments` (`status[]`, `type[]`, sent once per value, `style: form`,
/// `explode: true`) come back as "not of type array". Those violations, and only those, are
/// replaced by checking every value sent against the array's `items` schema.
fn repeated_array_params(
    spec: &ContractSpec,
    request: &CapturedRequest,
    violations: Vec<Violation>,
) -> Result<String, Vec<Violation>> {
    let operation = spec.operation("listDocuments").expect("listDocuments");
    let array_params = ["status[]", "type[]"];
    let is_array_violation = |v: &Violation| {
        v.operation.as_deref() == Some("listDocuments")
            && array_params.iter().any(|name| v.pointer == format!("/query/{name}"))
            && v.message.ends_with("is not of type \"array\"")
    };
    if violations.is_empty() || !violations.iter().all(is_array_violation) {
        return Err(violations);
    }
    let mut remaining = Vec::new();
    for name in array_params {
        let items = operation
            .object
            .get("parameters")
            .and_then(serde_json::Value::as_array)
            .and_then(|params| params.iter().find(|p| p["name"] == name))
            .map(|p| p["schema"]["items"].clone())
            .expect("an array parameter");
        for (_, value) in request.query.iter().filter(|(key, _)| key == name) {
            for (at, message) in spec.validate(&items, &serde_json::Value::String(value.clone())) {
                remaining.push(Violation {
                    operation: Some("listDocuments".into()),
                    pointer: format!("/query/{name}{at}"),
                    message,
                });
            }
        }
    }
    if remaining.is_empty() {
        Ok("listDocuments".into())
    } else {
        Err(remaining)
    }
}

#[test]
fn every_example_of_the_spec_satisfies_its_schema_and_decodes() {
    let spec = spec();
    let examples = spec.examples();
    assert!(examples.len() >= 5, "{} examples", examples.len());
    for example in &examples {
        let at = example.location();
        assert_eq!(spec.check_example(example).map_err(|v| describe(&v)), Ok(()), "{at}");
        match (example.operation.as_str(), example.role.as_str()) {
            ("changeDocumentState", "request") => {
                let request: ChangeStateRequest = serde_json::from_value(example.value.clone()).expect(&at);
                assert_eq!(serde_json::to_value(&request).expect(&at), example.value, "{at}");
            }
            ("changeDocumentState" | "getDocument", "200") => {
                let response: DocumentResponse = serde_json::from_value(example.value.clone()).expect(&at);
                assert!(response.document().is_some(), "{at}");
            }
            ("listDocuments", "200") => {
                let list: DocumentList = serde_json::from_value(example.value.clone()).expect(&at);
                assert!(!list.invoices.is_empty(), "{at}");
                assert!(list.invoices.iter().all(|item| item.decoded().is_some()), "{at}");
                assert!(list.pagination.is_some(), "{at}");
            }
            ("getRelatedDocuments", "200") => {
                let related: RelatedDocuments = serde_json::from_value(example.value.clone()).expect(&at);
                assert!(!related.documents.is_empty(), "{at}");
                assert!(related.documents.iter().all(|item| item.decoded().is_some()), "{at}");
            }
            (_, "request") => {
                let xml = example.value.as_str().expect(&at);
                let change: LegacyStateChange = quick_xml::de::from_str(xml).expect(&at);
                assert!(change.state.is_known(), "{at}");
            }
            (_, _) if example.media_type.contains("xml") => {
                let errors: LegacyErrors = quick_xml::de::from_str(example.value.as_str().expect(&at)).expect(&at);
                assert!(!errors.error.is_empty(), "{at}");
            }
            (_, _) => {
                let error: ErrorResponse = serde_json::from_value(example.value.clone()).expect(&at);
                assert!(!error.messages().is_empty(), "{at}");
            }
        }
    }
}

/// What an error says about an error status: the same accessors for both clients' errors.
fn summary<B>(
    error: ClientError<B>,
) -> (
    ErrorKind,
    Option<StatusCode>,
    Option<ApiError>,
    Option<String>,
    Vec<String>,
)
where
    ClientError<B>: ErrorExt,
{
    (
        error.kind(),
        error.status(),
        error.api_error(),
        error.raw_body().map(str::to_string),
        error.messages(),
    )
}

#[tokio::test]
async fn every_documented_error_status_comes_back_typed() {
    let spec = spec();
    let examples = spec.examples();
    for operation in [
        "changeDocumentState",
        "getDocument",
        "changeDebitNoteStateLegacy",
        "listDocuments",
        "getRelatedDocuments",
    ] {
        let statuses: Vec<u16> = spec
            .response_statuses(operation)
            .iter()
            .map(|s| s.parse().expect("numeric status"))
            .filter(|s| *s != 200)
            .collect();
        assert!(
            statuses.contains(&401) && statuses.contains(&404),
            "{operation}: {statuses:?}"
        );
        for status in statuses {
            let example = examples
                .iter()
                .find(|e| e.operation == operation && e.role == status.to_string());
            let body = match example.map(|e| &e.value) {
                Some(serde_json::Value::String(xml)) => xml.clone(),
                Some(json) => json.to_string(),
                None => String::new(),
            };
            let server = MockServer::start_async().await;
            server
                .mock_async(|when, then| {
                    when.any_request();
                    then.status(status).body(&body);
                })
                .await;
            let case = format!("{operation} HTTP {status}");
            let (kind, status_seen, api_error, raw, messages) = match operation {
                "changeDocumentState" => summary(
                    json_client(&server.base_url())
                        .change_state(DocumentKind::Invoices, 1, &StateChange::Finalize, None)
                        .await
                        .expect_err(&case),
                ),
                "getDocument" => summary(
                    json_client(&server.base_url())
                        .get_document(DocumentKind::Invoices, 1)
                        .await
                        .expect_err(&case),
                ),
                "listDocuments" => summary(
                    json_client(&server.base_url())
                        .list_documents_page(&DocumentFilter::new(), 1)
                        .await
                        .expect_err(&case),
                ),
                "getRelatedDocuments" => summary(
                    json_client(&server.base_url())
                        .related_documents(1)
                        .await
                        .expect_err(&case),
                ),
                _ => summary(
                    legacy_client(&server.base_url())
                        .change_state(DocumentKind::DebitNotes, 1, &StateChange::Finalize, None)
                        .await
                        .expect_err(&case),
                ),
            };
            assert_eq!(kind, ErrorKind::Api, "{case}");
            assert_eq!(status_seen.map(|s| s.as_u16()), Some(status), "{case}");
            let expected = ApiError::from_status(StatusCode::from_u16(status).expect("status"));
            assert_eq!(api_error, expected, "{case}");
            assert_eq!(raw.as_deref(), Some(body.as_str()), "{case}: the raw text is kept");
            assert_eq!(messages.is_empty(), example.is_none(), "{case}: {messages:?}");
        }
    }
}
