//! The SDK against `specs/appzen.yaml`, through `sdk-contract`: every request it sends satisfies
//! the spec (path, query, credentials, body schema, the rules by state in `x-conditional-required`
//! and the query forms in `x-query-forms`), the spec's request examples survive a round trip,
//! every success example decodes through the client, and every documented error status of every
//! operation, with the spec's example body, comes back typed.

mod common;

use std::path::Path;

use chrono::{TimeZone, Utc};
use httpmock::MockServer;
use sdk_appzen::types::{AppzenError, AppzenInvoiceStatus, InvoiceSearchRequest, StatusSyncRequest};
use sdk_appzen::{
    AppZenClient, AuditLookup, ChangeCursor, ChangeOptions, ErrorDetails, ErrorKind, StatusSync, Tolerant,
};
use sdk_contract::{ContractSpec, Coverage, Recorder, describe};
use serde_json::{Value, json};

use common::*;

fn spec() -> ContractSpec {
    ContractSpec::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/appzen.yaml")).expect("the spec loads")
}

/// The fields `x-conditional-required` lists for the body's `appzen_invoice_state`.
fn conditionally_required(spec: &ContractSpec, body: &Value) -> Vec<String> {
    let state = body["appzen_invoice_state"].as_str().expect("the body has a state");
    let rules = spec
        .document()
        .pointer("/components/schemas/StatusSyncRequest/x-conditional-required")
        .expect("the spec states the rules by state");
    let fields = rules[state]
        .as_array()
        .unwrap_or_else(|| panic!("the spec has no rule for {state}"));
    fields.iter().map(|f| f.as_str().unwrap().to_string()).collect()
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
            then.status(200);
        })
        .await;
    let client = client(&server);

    let typed = [
        StatusSync::created("INV-2024-0042", "POSTED"),
        StatusSync::error("Supplier 10042 is not active in the ERP"),
        StatusSync::error(
            ErrorDetails::new("failed")
                .status("400")
                .exception("SupplierInactiveException"),
        ),
    ];
    for sync in typed {
        client.status_sync(uuid(), sync).await.unwrap();
    }
    let request_examples: Vec<Value> = spec
        .examples()
        .into_iter()
        .filter(|e| e.role == "request" && e.operation == "statusSync")
        .map(|e| e.value)
        .collect();
    assert_eq!(request_examples.len(), 3, "created, seedSample and error");
    for example in &request_examples {
        let request: StatusSyncRequest = serde_json::from_value(example.clone()).unwrap();
        client.status_sync_request(uuid(), request).await.unwrap();
    }

    let captured: Vec<_> = recorder.requests().into_iter().take(6).collect();
    assert_eq!(captured.len(), 6);
    for (i, request) in captured.iter().enumerate() {
        let operation = spec.check_request(request).map_err(|v| describe(&v));
        assert_eq!(operation.as_deref(), Ok("statusSync"), "request {i}");
        coverage.exercised("statusSync");

        let body: Value = serde_json::from_slice(&request.body).unwrap();
        for field in conditionally_required(&spec, &body) {
            assert!(body.get(&field).is_some(), "request {i} lacks {field}: {body}");
        }
        assert_eq!(request.header("x-api-key"), Some(API_KEY));
        assert_eq!(request.header("customer-id"), Some(CUSTOMER_ID));
        assert_eq!(request.header("customer-key"), Some(CUSTOMER_KEY));
    }
    // The examples went out unchanged.
    for (example, request) in request_examples.iter().zip(&captured[3..]) {
        assert_eq!(&serde_json::from_slice::<Value>(&request.body).unwrap(), example);
    }

    // The reads: every lookup form, the search (directly, with the spec's example, and through
    // the change feed's windows).
    let before = recorder.requests().len();
    client.audit_results(uuid()).await.unwrap();
    let lookups = [
        AuditLookup::uuid(uuid()),
        AuditLookup::invoice_id("77887788"),
        AuditLookup::supplier_invoice("7082403", "MHEIN00051739"),
    ];
    for lookup in &lookups {
        client.find_audit_results(lookup).await.unwrap();
    }
    let example = spec
        .examples()
        .into_iter()
        .find(|e| e.role == "request" && e.operation == "searchInvoices")
        .expect("the search has a request example");
    let request: InvoiceSearchRequest = serde_json::from_value(example.value.clone()).unwrap();
    client.search_invoices(request).await.unwrap();
    let until = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
    let options = ChangeOptions::default()
        .until(until)
        .status(AppzenInvoiceStatus::Rejected)
        .erp_status("Ready for Review");
    let mut feed = client.changes_since_with(ChangeCursor::since(until - chrono::Duration::days(2)), options);
    while let Some(change) = feed.next_change().await {
        change.unwrap();
    }
    assert_eq!(feed.searches(), 2, "two days in windows of one day");

    let reads = &recorder.requests()[before..];
    assert_eq!(reads.len(), 1 + lookups.len() + 1 + 2);
    let forms = query_forms(&spec);
    for (i, request) in reads.iter().enumerate() {
        let operation = spec.check_request(request).map_err(|v| describe(&v));
        let Ok(operation) = operation else {
            panic!("read {i}: {operation:?}");
        };
        coverage.exercised(&operation);
        assert_eq!(request.header("x-api-key"), Some(API_KEY), "read {i}");
        if operation == "findAuditResults" {
            let sent: Vec<&str> = ["uuid", "invoice-id", "supplier-id", "invoice-number"]
                .into_iter()
                .filter(|name| request.query_param(name).is_some())
                .collect();
            assert!(forms.contains(&sent), "read {i} sends {sent:?}, not one of {forms:?}");
        }
    }
    let sent: Value = serde_json::from_slice(&reads[lookups.len() + 1].body).unwrap();
    assert_eq!(sent, example.value, "the search example went out unchanged");
    let window: Value = serde_json::from_slice(&reads[reads.len() - 1].body).unwrap();
    assert_eq!(window["appzen-invoice-status"], "REJECTED");
    assert_eq!(window["erp-invoice-status"], "Ready for Review");
    assert_eq!(window["to-last-appzen-update-time"], "2026-03-01T12:00:00Z");

    assert_eq!(coverage.missing(&spec), Vec::<String>::new());
}

/// The query forms `x-query-forms` allows for `findAuditResults`.
fn query_forms(spec: &ContractSpec) -> Vec<Vec<&str>> {
    spec.document()
        .pointer("/paths/~1dictionary-data-services~1invoice~1audit-results/get/x-query-forms")
        .and_then(Value::as_array)
        .expect("the spec states the query forms")
        .iter()
        .map(|form| form.as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect())
        .collect()
}

#[tokio::test]
async fn every_success_example_of_the_reads_decodes_through_the_client() {
    let spec = spec();
    let example = |operation: &str| {
        spec.examples()
            .into_iter()
            .find(|e| e.operation == operation && e.role == "200")
            .unwrap_or_else(|| panic!("{operation} has a 200 example"))
            .value
    };
    let server = MockServer::start_async().await;
    for (operation, path) in [
        (
            "getAuditResults",
            format!("/dictionary-data-services/invoice/{UUID}/audit-results"),
        ),
        (
            "findAuditResults",
            "/dictionary-data-services/invoice/audit-results".to_string(),
        ),
        ("searchInvoices", "/dictionary-data-services/invoice/search".to_string()),
    ] {
        let body = example(operation);
        server
            .mock_async(|when, then| {
                when.path(path);
                then.status(200)
                    .header("content-type", "application/json")
                    .json_body(body);
            })
            .await;
    }
    let client = client(&server);

    let results = client
        .audit_results(uuid())
        .await
        .unwrap()
        .value
        .expect("audit results");
    let expected: sdk_appzen::types::InvoiceAuditResults = serde_json::from_value(example("getAuditResults")).unwrap();
    assert_eq!(Some(&results), expected.audit_results.as_ref());
    assert!(results.is_approved());
    assert_eq!(results.risk_level.as_ref().map(|r| r.as_str()), Some("LOW"));
    assert_eq!(results.rules.len(), 1);
    assert!(results.rules.iter().all(Tolerant::is_decoded));

    let matches = client
        .find_audit_results(&AuditLookup::supplier_invoice("7082403", "MHEIN00051739"))
        .await
        .unwrap()
        .value;
    assert_eq!(matches.len(), 1);
    let found = matches[0].decoded().expect("decodes");
    assert_eq!(found.invoice_number.as_deref(), Some("MHEIN00051739"));
    assert_eq!(
        found.uuid.map(|u| u.to_string()).as_deref(),
        Some("08edd8d9-cc1c-45e1-8bbb-29ffb7e3a404")
    );

    let from = Utc.with_ymd_and_hms(2021, 6, 16, 18, 0, 0).unwrap();
    let found = client
        .search_invoices(InvoiceSearchRequest::window(from, from + chrono::Duration::hours(1)))
        .await
        .unwrap()
        .value;
    assert_eq!(found.len(), 2);
    let first = found[0].decoded().expect("decodes");
    assert_eq!(first.appzen_invoice_status, Some(AppzenInvoiceStatus::Rejected));
    assert_eq!(
        first.last_update_time(),
        Some(Utc.with_ymd_and_hms(2021, 6, 16, 18, 53, 38).unwrap() + chrono::Duration::milliseconds(603))
    );
}

#[test]
fn every_example_of_the_spec_satisfies_its_schema() {
    let spec = spec();
    let examples = spec.examples();
    assert!(examples.len() >= 8, "{} examples", examples.len());
    for example in &examples {
        assert_eq!(
            spec.check_example(example).map_err(|v| describe(&v)),
            Ok(()),
            "{}",
            example.location()
        );
    }
}

/// Runs `operation` once through the facade and gives its error.
async fn failing_call(client: &AppZenClient, operation: &str) -> sdk_appzen::Error {
    let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    match operation {
        "statusSync" => client
            .status_sync(uuid(), StatusSync::created("INV-1", "POSTED"))
            .await
            .map(drop),
        "getAuditResults" => client.audit_results(uuid()).await.map(drop),
        "findAuditResults" => client
            .find_audit_results(&AuditLookup::invoice_id("77887788"))
            .await
            .map(drop),
        "searchInvoices" => client
            .search_invoices(InvoiceSearchRequest::window(from, from + chrono::Duration::hours(1)))
            .await
            .map(drop),
        other => panic!("no call for {other}"),
    }
    .unwrap_err()
}

#[tokio::test]
async fn every_documented_error_status_comes_back_typed() {
    let spec = spec();
    assert_eq!(
        spec.operation_ids(),
        ["statusSync", "getAuditResults", "findAuditResults", "searchInvoices"]
    );
    for operation in spec.operation_ids() {
        let examples: Vec<_> = spec
            .examples()
            .into_iter()
            .filter(|e| e.operation == operation)
            .collect();
        let statuses: Vec<u16> = spec
            .response_statuses(operation)
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(statuses, [200, 400, 401, 403, 404, 429, 500], "{operation}");
        check_error_statuses(operation, &statuses, &examples).await;
    }
}

async fn check_error_statuses(operation: &str, statuses: &[u16], examples: &[sdk_contract::Example]) {
    let path = match operation {
        "statusSync" => PATH.to_string(),
        "getAuditResults" => format!("/dictionary-data-services/invoice/{UUID}/audit-results"),
        "findAuditResults" => "/dictionary-data-services/invoice/audit-results".to_string(),
        _ => "/dictionary-data-services/invoice/search".to_string(),
    };
    for status in statuses.iter().copied().filter(|s| *s != 200) {
        // The spec's example, or (429 has none) an envelope in the same shape with `path`.
        let body = examples
            .iter()
            .find(|e| e.role == status.to_string())
            .map(|e| e.value.clone())
            .unwrap_or_else(|| json!({"timestamp": "2019-01-17T16:12:45.977+0000", "status": status, "error": "Too Many Requests", "message": "Error code : 5a1e0b2c - Rate limit exceeded", "path": path}));
        let raw = body.to_string();
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.path(&path);
                then.status(status)
                    .header("content-type", "application/json")
                    .header("x-correlation-id", CORRELATION_ID)
                    .body(&raw);
            })
            .await;

        let error = failing_call(&client(&server), operation).await;

        assert_eq!(error.kind(), ErrorKind::Api, "{operation} HTTP {status}");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(error.raw_body(), Some(raw.as_str()));
        assert_eq!(error.request_id(), Some(CORRELATION_ID), "HTTP {status}");
        // Of these statuses only 429 is worth another send, for the reads as for the write.
        assert_eq!(error.is_retryable(), status == 429, "{operation} HTTP {status}");
        let expected: AppzenError = serde_json::from_value(body).unwrap();
        assert_eq!(error.body(), Some(&expected), "HTTP {status}");
        let typed = error.body().unwrap();
        assert_eq!(typed.status_code(), Some(status));
        assert!(
            typed.error.is_some() && typed.timestamp.is_some(),
            "HTTP {status}: {typed:?}"
        );
        assert!(typed.error_code().is_some(), "HTTP {status}: {typed:?}");
        assert!(error.to_string().contains(&format!("HTTP {status}")), "{error}");
    }
}
