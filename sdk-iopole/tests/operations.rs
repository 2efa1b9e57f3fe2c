//! Every operation against a loopback mock: request bodies and headers, success shapes, typed
//! error bodies, and local validation that sends nothing.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use httpmock::prelude::*;
use sdk_iopole::types::{DestType, RejectionReason, SendStatusCode};
use sdk_iopole::{
    Environment, ErrorKind, IopoleClient, LifecycleStatus, SendOutcome, StatusUpdateBuilder, TolerantStatus, Uuid,
    ValidationError,
};
use serde_json::{Value, json};

fn seed_000_invoice() -> Uuid {
    SEED_000_INVOICE.parse().unwrap()
}

fn send_path(invoice: &str) -> String {
    format!("/v1/invoice/{invoice}/status")
}

/// A mock for `POST .../status` answering `status` (and `body`), recording each request body.
async fn capturing_send_mock<'a>(
    server: &'a MockServer,
    status: u16,
    body: Option<Value>,
) -> (httpmock::Mock<'a>, Arc<Mutex<Vec<Value>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let mock = server
        .mock_async(move |when, then| {
            when.method(POST)
                .path(send_path(SEED_000_INVOICE))
                .header("content-type", "application/json")
                .header("authorization", bearer(CANARY_TOKEN))
                .is_true(move |request| {
                    if let Ok(value) = serde_json::from_slice::<Value>(request.body_ref()) {
                        record.lock().unwrap().push(value);
                    }
                    true
                });
            let then = then.status(status);
            if let Some(body) = body {
                then.json_body(body);
            }
        })
        .await;
    (mock, seen)
}

#[tokio::test]
async fn send_status_sends_the_seed_000_body_and_accepts_204() {
    let server = MockServer::start_async().await;
    let (mock, bodies) = capturing_send_mock(&server, 204, None).await;
    let client = bearer_client(&server);
    let outcome = client
        .send_status(
            seed_000_invoice(),
            StatusUpdateBuilder::new(SendStatusCode::InHand).message("Invoice received !"),
        )
        .await
        .unwrap()
        .value;
    assert_eq!(outcome, SendOutcome::Accepted);
    assert_eq!(outcome.resource_id(), None);
    assert_eq!(mock.calls_async().await, 1);
    // The seed's curl body, compared as JSON.
    let seed: Value = serde_json::from_str(r#"{ "code": "IN_HAND", "message": "Invoice received !" }"#).unwrap();
    assert_eq!(bodies.lock().unwrap().as_slice(), &[seed]);
}

#[tokio::test]
async fn send_status_accepts_201_with_type_and_id() {
    let server = MockServer::start_async().await;
    let (mock, _) = capturing_send_mock(
        &server,
        201,
        Some(json!({"type": "INVOICE", "id": "a1b2c3d4-0000-4000-8000-000000000001"})),
    )
    .await;
    let outcome = bearer_client(&server)
        .send_status(seed_000_invoice(), SendStatusCode::Approved)
        .await
        .unwrap()
        .value;
    let SendOutcome::Created(created) = &outcome else {
        panic!("expected Created, got {outcome:?}")
    };
    assert_eq!(created.type_.as_deref(), Some("INVOICE"));
    assert_eq!(outcome.resource_id(), Some("a1b2c3d4-0000-4000-8000-000000000001"));
    assert_eq!(mock.calls_async().await, 1);
}

#[tokio::test]
async fn send_status_accepts_201_without_a_body() {
    let server = MockServer::start_async().await;
    capturing_send_mock(&server, 201, None).await;
    let outcome = bearer_client(&server)
        .send_status(seed_000_invoice(), SendStatusCode::Completed)
        .await
        .unwrap()
        .value;
    assert_eq!(outcome, SendOutcome::Accepted);
}

#[tokio::test]
async fn send_status_sends_rejection_detail_and_payment() {
    let server = MockServer::start_async().await;
    let (mock, bodies) = capturing_send_mock(&server, 204, None).await;
    let client = bearer_client(&server);
    client
        .send_status(
            seed_000_invoice(),
            StatusUpdateBuilder::refused(RejectionReason::DuplicateInvoice).message("Already invoiced"),
        )
        .await
        .unwrap();
    client
        .send_status(
            seed_000_invoice(),
            StatusUpdateBuilder::new(SendStatusCode::Disputed).rejection(
                RejectionReason::PricesIncorrect,
                Some("unit price differs from the order"),
            ),
        )
        .await
        .unwrap();
    client
        .send_status(
            seed_000_invoice(),
            StatusUpdateBuilder::new(SendStatusCode::PaymentSent).payment("EUR", 1250.5),
        )
        .await
        .unwrap();
    assert_eq!(mock.calls_async().await, 3);
    assert_eq!(
        bodies.lock().unwrap().as_slice(),
        &[
            json!({"code": "REFUSED", "message": "Already invoiced", "rejectionDetail": {"reason": "DUPLICATE_INVOICE"}}),
            json!({"code": "DISPUTED", "rejectionDetail": {"reason": "PRICES_INCORRECT", "message": "unit price differs from the order"}}),
            json!({"code": "PAYMENT_SENT", "payment": {"currency": "EUR", "amount": 1250.5}}),
        ]
    );
}

#[tokio::test]
async fn invalid_updates_are_refused_locally_and_send_nothing() {
    let server = MockServer::start_async().await;
    let anything = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(204);
        })
        .await;
    let client = bearer_client(&server);
    let cases = [
        (
            StatusUpdateBuilder::new(SendStatusCode::Refused).message("no reason"),
            ValidationError::MissingRejectionReason {
                code: SendStatusCode::Refused,
            },
        ),
        (
            StatusUpdateBuilder::new(SendStatusCode::Disputed),
            ValidationError::MissingRejectionReason {
                code: SendStatusCode::Disputed,
            },
        ),
        (
            StatusUpdateBuilder::new(SendStatusCode::PaymentReceived).payment("eur", 10.0),
            ValidationError::InvalidCurrency { currency: "eur".into() },
        ),
        (
            StatusUpdateBuilder::new(SendStatusCode::PaymentReceived).payment("EURO", 10.0),
            ValidationError::InvalidCurrency {
                currency: "EURO".into(),
            },
        ),
        (
            StatusUpdateBuilder::new(SendStatusCode::PaymentSent).payment("EUR", f64::NAN),
            ValidationError::NonFiniteAmount,
        ),
        (
            StatusUpdateBuilder::new(SendStatusCode::PaymentSent).payment("EUR", f64::INFINITY),
            ValidationError::NonFiniteAmount,
        ),
    ];
    for (update, expected) in cases {
        let error = client.send_status(seed_000_invoice(), update).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidRequest);
        assert_eq!(error.operation_id(), "sendStatus");
        assert_eq!(error.attempts(), 0);
        let reason = std::error::Error::source(&error)
            .and_then(|s| s.downcast_ref::<ValidationError>())
            .expect("the source is the ValidationError");
        assert_eq!(reason, &expected);
    }
    assert_eq!(anything.calls_async().await, 0, "nothing reached the server");
}

#[tokio::test]
async fn status_history_decodes_the_seed_001_example() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v1/invoice/{SEED_001_INVOICE}/status-history"))
                .header("accept", "application/json");
            then.status(200).json_body(Value::Array(vec![seed_001_value()]));
        })
        .await;
    let history = bearer_client(&server)
        .status_history(SEED_001_INVOICE.parse().unwrap())
        .await
        .unwrap()
        .value;
    assert_eq!(mock.calls_async().await, 1);
    assert_eq!(history.len(), 1);
    let item = history[0].decoded().expect("the seed item decodes");
    assert_eq!(item.status_id.to_string(), "f47ac10b-58cc-4372-a567-0e02b2c3d479");
    assert_eq!(
        item.recorded_at().map(|d| d.to_rfc3339()).as_deref(),
        Some("2024-07-16T20:35:16+00:00")
    );
    assert_eq!(item.dest_type, Some(DestType::Operator));
    assert_eq!(item.status.code, "205");
    assert_eq!(item.status.desc.as_deref(), Some("Approuvée"));
    assert_eq!(item.lifecycle_status(), Some(LifecycleStatus::Approved));
    let document = item.json.as_ref().expect("json document");
    assert_eq!(document.message_id(), Some("LC_APPROVED_STREAM"));
    assert_eq!(
        document.sender_party().and_then(|p| p.siren.as_deref()),
        Some("123456789")
    );
    assert_eq!(
        document.issuer_party().and_then(|p| p.name.as_deref()),
        Some("Issuer Company")
    );
    assert_eq!(document.recipient_parties().len(), 1);
    let response = &document.responses[0];
    let reference = response.document_reference.as_ref().unwrap();
    assert_eq!(reference.issuer_assigned_id.as_deref(), Some("F-LGjGKOUIQjgFjB"));
    assert_eq!(
        reference
            .issuer_party()
            .and_then(|p| p.role_code.as_ref()?.role_value()),
        Some("SE")
    );
    assert_eq!(
        response.document_status.as_ref().unwrap().lifecycle_status(),
        Some(LifecycleStatus::Approved)
    );
}

#[tokio::test]
async fn status_history_reads_a_single_object_body_as_one_item() {
    // The seed page shows one object, not an array: read it as a one-item history.
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v1/invoice/{SEED_001_INVOICE}/status-history"));
            then.status(200)
                .header("content-type", "application/json")
                .body(SEED_001_EXAMPLE);
        })
        .await;
    let history = bearer_client(&server)
        .status_history(SEED_001_INVOICE.parse().unwrap())
        .await
        .unwrap()
        .value;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].lifecycle_status(), Some(LifecycleStatus::Approved));
}

#[tokio::test]
async fn status_history_with_a_body_that_is_not_a_history_is_a_decode_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v1/invoice/{SEED_001_INVOICE}/status-history"));
            then.status(200).json_body(json!({"unexpected": true}));
        })
        .await;
    let error = bearer_client(&server)
        .status_history(SEED_001_INVOICE.parse().unwrap())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert_eq!(error.raw_body(), Some(r#"{"unexpected":true}"#));
}

#[tokio::test]
async fn not_seen_and_mark_as_seen() {
    let server = MockServer::start_async().await;
    let invoice = "11111111-1111-4111-8111-111111111111";
    let status = "22222222-2222-4222-8222-222222222222";
    let list = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/invoice/status/notSeen");
            then.status(200).json_body(json!([
                {"invoiceId": invoice, "newStatus": [history_item(status, invoice, "APPROVED")]}
            ]));
        })
        .await;
    let mark = server
        .mock_async(|when, then| {
            when.method(PUT).path(format!("/v1/invoice/status/{status}/markAsSeen"));
            then.status(204);
        })
        .await;
    let client = bearer_client(&server);
    let groups = client.not_seen().await.unwrap().value;
    assert_eq!(groups.len(), 1);
    let group = groups[0].decoded().expect("the group decodes");
    assert_eq!(group.invoice_id, Some(invoice.parse().unwrap()));
    assert_eq!(group.new_status[0].lifecycle_status(), Some(LifecycleStatus::Approved));
    client.mark_as_seen(status.parse().unwrap()).await.unwrap();
    assert_eq!(list.calls_async().await, 1);
    assert_eq!(mark.calls_async().await, 1);
}

#[tokio::test]
async fn not_seen_reads_an_empty_body_as_nothing_new() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/invoice/status/notSeen");
            then.status(200);
        })
        .await;
    assert!(bearer_client(&server).not_seen().await.unwrap().is_empty());
}

#[tokio::test]
async fn mark_as_seen_accepts_any_success_status() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(PUT).path_includes("/markAsSeen");
            then.status(200).json_body(json!({"seen": true}));
        })
        .await;
    bearer_client(&server).mark_as_seen(Uuid::new_v4()).await.unwrap();
}

#[tokio::test]
async fn customer_id_header_is_sent_on_every_operation() {
    let server = MockServer::start_async().await;
    let customer: Uuid = "0b8c2f7e-8f57-4a5a-9f3d-2a9c1d3e4f50".parse().unwrap();
    let with_header = server
        .mock_async(move |when, then| {
            // progenitor's undocumented `api-version` header is not generated.
            when.any_request()
                .header("customer-id", customer.to_string())
                .header_missing("api-version");
            then.status(200).json_body(json!([]));
        })
        .await;
    let without_header = server
        .mock_async(|when, then| {
            when.any_request().header_missing("customer-id");
            then.status(418);
        })
        .await;
    let client = IopoleClient::builder(Environment::custom(server.base_url()))
        .bearer_token(CANARY_TOKEN)
        .customer_id(customer)
        .config(test_config())
        .build()
        .unwrap();
    assert_eq!(client.customer_id(), Some(customer));
    client
        .send_status(seed_000_invoice(), SendStatusCode::InHand)
        .await
        .unwrap();
    client.status_history(seed_000_invoice()).await.unwrap();
    client.not_seen().await.unwrap();
    client.mark_as_seen(Uuid::new_v4()).await.unwrap();
    assert_eq!(with_header.calls_async().await, 4);
    assert_eq!(without_header.calls_async().await, 0);

    // Without a customer id, no header.
    let error = bearer_client(&server).not_seen().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(418));
    assert_eq!(without_header.calls_async().await, 1);
}

async fn error_for(status: u16, body: &'static str) -> sdk_iopole::Error {
    let server = MockServer::start_async().await;
    server
        .mock_async(move |when, then| {
            when.method(POST).path(send_path(SEED_000_INVOICE));
            then.status(status)
                .header("content-type", "application/json")
                .body(body);
        })
        .await;
    bearer_client(&server)
        .send_status(seed_000_invoice(), SendStatusCode::InHand)
        .await
        .unwrap_err()
}

#[tokio::test]
async fn validation_error_with_details_object_is_typed() {
    let raw = r#"{"statusMessage":"Request validation issues","details":{"code":["code must be one of the following values: IN_HAND, APPROVED"]}}"#;
    let error = error_for(400, raw).await;
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(error.raw_body(), Some(raw));
    let body = error.body().expect("typed body");
    assert_eq!(body.status_message.as_deref(), Some("Request validation issues"));
    assert!(body.details_object().is_some_and(|d| d.contains_key("code")));
    assert_eq!(
        body.detail_messages(),
        vec!["code: code must be one of the following values: IN_HAND, APPROVED"]
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn validation_error_with_details_array_is_typed() {
    let raw = r#"{"statusMessage":"Request validation issues","details":["customer-id must be a UUID"]}"#;
    let error = error_for(400, raw).await;
    let body = error.body().expect("typed body");
    assert_eq!(body.details_array().map(<[Value]>::len), Some(1));
    assert_eq!(body.detail_messages(), vec!["customer-id must be a UUID"]);
}

#[tokio::test]
async fn conflict_error_is_typed() {
    let raw = r#"{"code":"DUPLICATE_RESOURCE","statusMessage":"A status with the same code has already been sent for this invoice"}"#;
    let error = error_for(409, raw).await;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(409));
    let body = error.body().expect("typed body");
    assert!(body.is_duplicate());
    assert_eq!(body.code.as_deref(), Some("DUPLICATE_RESOURCE"));
    assert_eq!(error.raw_body(), Some(raw));
}

#[tokio::test]
async fn undocumented_error_bodies_keep_the_raw_text() {
    let error = error_for(500, "<html><body>Internal error</body></html>").await;
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert!(error.body().is_none());
    assert_eq!(error.raw_body(), Some("<html><body>Internal error</body></html>"));

    let error = error_for(404, "").await;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert!(error.body().is_none());
}

#[tokio::test]
async fn the_generated_client_is_reachable_for_uncovered_needs() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/invoice/status/notSeen")
                .header("authorization", bearer(CANARY_TOKEN));
            then.status(200).json_body(json!([]));
        })
        .await;
    let client = bearer_client(&server);
    let raw = client.generated().get_not_seen_statuses().send().await.unwrap();
    assert!(raw.into_inner().is_empty());
    assert_eq!(mock.calls_async().await, 1);
}

/// A status in a shape the SDK does not know (here `status` a bare string) must not fail the
/// history: it comes back undecodable, with its raw JSON, the error and its ids, between the
/// others.
#[tokio::test]
async fn status_history_keeps_the_other_statuses_when_one_does_not_decode() {
    let server = MockServer::start_async().await;
    let invoice = "11111111-1111-4111-8111-111111111111";
    let mut odd = history_item("22222222-2222-4222-8222-000000000002", invoice, "APPROVED");
    odd["status"] = json!("APPROVED");
    let body = json!([
        history_item("22222222-2222-4222-8222-000000000001", invoice, "RECEIVED"),
        odd.clone(),
        history_item("22222222-2222-4222-8222-000000000003", invoice, "PAYMENT_RECEIVED"),
    ]);
    server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v1/invoice/{invoice}/status-history"));
            then.status(200).json_body(body);
        })
        .await;
    let history = bearer_client(&server)
        .status_history(invoice.parse().unwrap())
        .await
        .expect("one odd status does not fail the history")
        .value;
    assert_eq!(history.len(), 3, "nothing is dropped");
    assert_eq!(history[0].lifecycle_status(), Some(LifecycleStatus::Received));
    assert_eq!(history[2].lifecycle_status(), Some(LifecycleStatus::PaymentReceived));
    let bad = history[1].undecodable().expect("the odd status is kept undecodable");
    assert_eq!(serde_json::from_str::<Value>(bad.raw_json()).unwrap(), odd);
    assert!(bad.error().contains("invalid type"), "{}", bad.error());
    assert_eq!(
        history[1].status_id(),
        Some("22222222-2222-4222-8222-000000000002".parse().unwrap())
    );
    assert_eq!(history[1].invoice_id(), Some(invoice.parse().unwrap()));
}

/// A group of not-seen statuses whose `newStatus` has one item the SDK cannot read keeps the
/// others, and a group that does not decode at all does not fail the list.
#[tokio::test]
async fn not_seen_keeps_the_other_statuses_of_a_group_and_the_other_groups() {
    let server = MockServer::start_async().await;
    let invoice = "11111111-1111-4111-8111-111111111111";
    let body = json!([
        {"invoiceId": invoice, "newStatus": [
            history_item("22222222-2222-4222-8222-000000000001", invoice, "APPROVED"),
            {"statusId": "22222222-2222-4222-8222-000000000002", "invoiceId": invoice, "date": "2025-03-01T10:00:00Z"},
            history_item("22222222-2222-4222-8222-000000000003", invoice, "REFUSED"),
        ]},
        {"invoiceId": "not-a-uuid", "newStatus": []},
        {"invoiceId": invoice, "newStatus": [history_item("22222222-2222-4222-8222-000000000004", invoice, "212")]},
    ]);
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/invoice/status/notSeen");
            then.status(200).json_body(body);
        })
        .await;
    let groups = bearer_client(&server).not_seen().await.expect("the list decodes").value;
    assert_eq!(groups.len(), 3);
    let first = groups[0].decoded().expect("the first group decodes");
    assert_eq!(first.new_status.len(), 3);
    assert_eq!(first.new_status[0].lifecycle_status(), Some(LifecycleStatus::Approved));
    let missing_status = first.new_status[1].undecodable().expect("no `status`: undecodable");
    assert!(missing_status.error().contains("status"), "{}", missing_status.error());
    assert_eq!(
        first.new_status[1].status_id(),
        Some("22222222-2222-4222-8222-000000000002".parse().unwrap())
    );
    assert_eq!(first.new_status[2].lifecycle_status(), Some(LifecycleStatus::Refused));
    assert!(
        groups[1].undecodable().is_some(),
        "a group with a bad invoiceId is kept, undecodable"
    );
    assert_eq!(
        groups[2].decoded().map(|g| g.new_status[0].lifecycle_status()),
        Some(Some(LifecycleStatus::PaymentReceived))
    );
}
