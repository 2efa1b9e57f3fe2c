//! The pull workflow helper: a status is marked seen only after its callback succeeded.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use httpmock::prelude::*;
use sdk_iopole::{ErrorKind, Uuid};
use serde_json::json;

const INVOICE_A: &str = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const INVOICE_B: &str = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
const STATUS_1: &str = "00000000-0000-4000-8000-000000000001";
const STATUS_2: &str = "00000000-0000-4000-8000-000000000002";
const STATUS_3: &str = "00000000-0000-4000-8000-000000000003";

async fn not_seen_mock(server: &MockServer, body: serde_json::Value) -> httpmock::Mock<'_> {
    server
        .mock_async(move |when, then| {
            when.method(GET).path("/v1/invoice/status/notSeen");
            then.status(200).json_body(body);
        })
        .await
}

async fn mark_mock<'a>(server: &'a MockServer, status_id: &str, status: u16) -> httpmock::Mock<'a> {
    let path = format!("/v1/invoice/status/{status_id}/markAsSeen");
    server
        .mock_async(move |when, then| {
            when.method(PUT).path(path);
            then.status(status);
        })
        .await
}

fn three_statuses() -> serde_json::Value {
    json!([
        {"invoiceId": INVOICE_A, "newStatus": [
            history_item(STATUS_1, INVOICE_A, "APPROVED"),
            history_item(STATUS_2, INVOICE_A, "REFUSED")
        ]},
        {"invoiceId": INVOICE_B, "newStatus": [history_item(STATUS_3, INVOICE_B, "212")]}
    ])
}

#[tokio::test]
async fn a_failing_callback_leaves_its_status_not_seen() {
    let server = MockServer::start_async().await;
    let list = not_seen_mock(&server, three_statuses()).await;
    let mark_1 = mark_mock(&server, STATUS_1, 204).await;
    let mark_2 = mark_mock(&server, STATUS_2, 204).await;
    let mark_3 = mark_mock(&server, STATUS_3, 204).await;
    let client = bearer_client(&server);

    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let report = client
        .drain_not_seen(move |status| {
            let record = record.clone();
            async move {
                record
                    .lock()
                    .unwrap()
                    .push((status.status_id, status.lifecycle_status()));
                if status.status.code == "REFUSED" {
                    Err(format!("cannot book {}", status.status_id))
                } else {
                    Ok(())
                }
            }
        })
        .await
        .unwrap();

    assert_eq!(list.calls_async().await, 1);
    assert_eq!(mark_1.calls_async().await, 1);
    assert_eq!(
        mark_2.calls_async().await,
        0,
        "a status whose callback failed is never marked seen"
    );
    assert_eq!(mark_3.calls_async().await, 1);
    let ids = |v: &[&str]| v.iter().map(|s| s.parse::<Uuid>().unwrap()).collect::<Vec<_>>();
    assert_eq!(report.handled, ids(&[STATUS_1, STATUS_3]));
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].status_id, STATUS_2.parse::<Uuid>().unwrap());
    assert_eq!(report.failed[0].invoice_id, INVOICE_A.parse::<Uuid>().unwrap());
    assert_eq!(report.failed[0].error, format!("cannot book {STATUS_2}"));
    assert!(report.mark_seen_failed.is_empty());
    assert!(!report.is_complete());
    assert_eq!(report.total(), 3);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 3, "every status reached the callback, in order");
    assert_eq!(seen[2].1, Some(sdk_iopole::LifecycleStatus::PaymentReceived));
}

#[tokio::test]
async fn a_failed_mark_as_seen_is_reported_not_counted_as_handled() {
    let server = MockServer::start_async().await;
    not_seen_mock(&server, three_statuses()).await;
    mark_mock(&server, STATUS_1, 500).await;
    mark_mock(&server, STATUS_2, 204).await;
    mark_mock(&server, STATUS_3, 204).await;
    let report = bearer_client(&server)
        .drain_not_seen(|_| async { Ok::<(), String>(()) })
        .await
        .unwrap();
    assert_eq!(report.handled.len(), 2);
    assert_eq!(report.mark_seen_failed.len(), 1);
    let failure = &report.mark_seen_failed[0];
    assert_eq!(failure.status_id, STATUS_1.parse::<Uuid>().unwrap());
    assert_eq!(failure.error.kind(), ErrorKind::Api);
    assert_eq!(failure.error.status().map(|s| s.as_u16()), Some(500));
    assert!(!report.is_complete());
}

#[tokio::test]
async fn a_status_listed_twice_is_handled_once() {
    let server = MockServer::start_async().await;
    not_seen_mock(
        &server,
        json!([
            {"invoiceId": INVOICE_A, "newStatus": [history_item(STATUS_1, INVOICE_A, "APPROVED")]},
            {"invoiceId": INVOICE_A, "newStatus": [history_item(STATUS_1, INVOICE_A, "APPROVED")]}
        ]),
    )
    .await;
    let mark = mark_mock(&server, STATUS_1, 204).await;
    let calls = Arc::new(Mutex::new(0));
    let counter = calls.clone();
    let report = bearer_client(&server)
        .drain_not_seen(move |_| {
            *counter.lock().unwrap() += 1;
            async { Ok::<(), String>(()) }
        })
        .await
        .unwrap();
    assert_eq!(*calls.lock().unwrap(), 1);
    assert_eq!(mark.calls_async().await, 1);
    assert!(report.is_complete());
}

#[tokio::test]
async fn a_failed_fetch_fails_the_drain_and_calls_nothing() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/invoice/status/notSeen");
            then.status(403).json_body(json!({"statusMessage": "Forbidden"}));
        })
        .await;
    let marks = server
        .mock_async(|when, then| {
            when.method(PUT);
            then.status(204);
        })
        .await;
    let error = bearer_client(&server)
        .drain_not_seen(|_| async { panic!("the callback must not run") as Result<(), String> })
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(403));
    assert_eq!(error.operation_id(), "getNotSeenStatuses");
    assert_eq!(marks.calls_async().await, 0);
}

#[tokio::test]
async fn nothing_new_is_an_empty_complete_report() {
    let server = MockServer::start_async().await;
    not_seen_mock(&server, json!([])).await;
    let report = bearer_client(&server)
        .drain_not_seen(|_| async { Ok::<(), String>(()) })
        .await
        .unwrap();
    assert!(report.is_complete());
    assert_eq!(report.total(), 0);
}
