//! The SDK against `specs/appzen.yaml`, through `sdk-contract`: every request it sends satisfies
//! the spec (path, credentials, body schema and the rules by state in `x-conditional-required`),
//! the spec's request examples survive a round trip, and every documented error status, with the
//! spec's example body, comes back typed.

mod common;

use std::path::Path;

use httpmock::MockServer;
use sdk_appzen::types::{AppzenError, StatusSyncRequest};
use sdk_appzen::{ErrorDetails, ErrorKind, StatusSync};
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
        .filter(|e| e.role == "request")
        .map(|e| e.value)
        .collect();
    assert_eq!(request_examples.len(), 3, "created, seedSample and error");
    for example in &request_examples {
        let request: StatusSyncRequest = serde_json::from_value(example.clone()).unwrap();
        client.status_sync_request(uuid(), request).await.unwrap();
    }

    let captured = recorder.requests();
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
    assert_eq!(coverage.missing(&spec), Vec::<String>::new());
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

#[tokio::test]
async fn every_documented_error_status_comes_back_typed() {
    let spec = spec();
    let examples = spec.examples();
    let statuses: Vec<u16> = spec
        .response_statuses("statusSync")
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(statuses, [200, 400, 401, 403, 404, 429, 500]);

    for status in statuses.into_iter().filter(|s| *s != 200) {
        // The spec's example, or (429 has none) an envelope in the same shape with `path`.
        let body = examples
            .iter()
            .find(|e| e.role == status.to_string())
            .map(|e| e.value.clone())
            .unwrap_or_else(|| json!({"timestamp": "2019-01-17T16:12:45.977+0000", "status": status, "error": "Too Many Requests", "message": "Error code : 5a1e0b2c - Rate limit exceeded", "path": PATH}));
        let raw = body.to_string();
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.path(PATH);
                then.status(status)
                    .header("content-type", "application/json")
                    .header("x-correlation-id", CORRELATION_ID)
                    .body(&raw);
            })
            .await;

        let error = client(&server)
            .status_sync(uuid(), StatusSync::created("INV-1", "POSTED"))
            .await
            .unwrap_err();

        assert_eq!(error.kind(), ErrorKind::Api, "HTTP {status}");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(error.raw_body(), Some(raw.as_str()));
        assert_eq!(error.request_id(), Some(CORRELATION_ID), "HTTP {status}");
        assert_eq!(error.is_retryable(), status == 429, "HTTP {status}");
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
