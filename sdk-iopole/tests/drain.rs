//! The pull workflow helper: a status is marked seen only after its callback succeeded.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use httpmock::prelude::*;
use sdk_iopole::{ErrorKind, NotSeenStatus, Uuid};
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
                let status = status.decoded().expect("every status decodes").clone();
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
    assert_eq!(report.failed[0].invoice_id, Some(INVOICE_A.parse::<Uuid>().unwrap()));
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

/// One status the SDK cannot decode must not block the drain: it reaches the handler with its raw
/// JSON and ids, the handler decides (here: `Ok`, so it is marked seen), and the others go on.
#[tokio::test]
async fn an_undecodable_status_goes_to_the_handler_and_the_drain_goes_on() {
    let server = MockServer::start_async().await;
    let mut odd = history_item(STATUS_2, INVOICE_A, "APPROVED");
    odd["date"] = json!({"when": "yesterday"});
    not_seen_mock(
        &server,
        json!([
            {"invoiceId": INVOICE_A, "newStatus": [history_item(STATUS_1, INVOICE_A, "APPROVED"), odd.clone()]},
            {"invoiceId": INVOICE_B, "newStatus": [history_item(STATUS_3, INVOICE_B, "REFUSED")]}
        ]),
    )
    .await;
    let marks = [
        mark_mock(&server, STATUS_1, 204).await,
        mark_mock(&server, STATUS_2, 204).await,
        mark_mock(&server, STATUS_3, 204).await,
    ];
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let report = bearer_client(&server)
        .drain_not_seen(move |status| {
            record.lock().unwrap().push(status.clone());
            async { Ok::<(), String>(()) }
        })
        .await
        .expect("one undecodable status does not fail the drain");
    for mark in &marks {
        assert_eq!(mark.calls_async().await, 1);
    }
    let ids = |v: &[&str]| v.iter().map(|s| s.parse::<Uuid>().unwrap()).collect::<Vec<_>>();
    assert_eq!(report.handled, ids(&[STATUS_1, STATUS_2, STATUS_3]));
    assert_eq!(report.undecodable, 1);
    assert!(report.is_complete());
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 3);
    let NotSeenStatus::Undecodable(bad) = &seen[1] else {
        panic!("the odd status is undecodable: {:?}", seen[1]);
    };
    assert_eq!(bad.status_id, Some(STATUS_2.parse().unwrap()));
    assert_eq!(bad.invoice_id, Some(INVOICE_A.parse().unwrap()));
    assert_eq!(serde_json::from_str::<serde_json::Value>(bad.raw_json()).unwrap(), odd);
    assert!(!bad.error().is_empty());
    assert!(seen[2].decoded().is_some());
}

/// The handler keeps an undecodable status by failing; one without a readable `statusId` cannot
/// be marked seen and is reported; a group that does not decode still yields its statuses.
#[tokio::test]
async fn undecodable_statuses_are_kept_reported_or_opened_never_dropped() {
    let server = MockServer::start_async().await;
    let mut kept = history_item(STATUS_1, INVOICE_A, "APPROVED");
    kept["status"] = json!(["APPROVED"]);
    let no_id = json!({"statusId": 42, "status": {"code": "APPROVED"}});
    not_seen_mock(
        &server,
        json!([
            {"invoiceId": INVOICE_A, "newStatus": [kept, no_id]},
            // The group itself does not decode (its invoiceId is not a UUID), its status does.
            {"invoiceId": "B", "newStatus": [history_item(STATUS_3, INVOICE_B, "APPROVED")]},
            {"invoiceId": INVOICE_B, "newStatus": "not a list"}
        ]),
    )
    .await;
    let mark_1 = mark_mock(&server, STATUS_1, 204).await;
    let mark_3 = mark_mock(&server, STATUS_3, 204).await;
    let report = bearer_client(&server)
        .drain_not_seen(|status| async move {
            match status {
                NotSeenStatus::Decoded(_) => Ok(()),
                NotSeenStatus::Undecodable(status) => Err(format!("cannot read {:?}", status.status_id)),
            }
        })
        .await
        .unwrap();
    assert_eq!(mark_1.calls_async().await, 0, "the handler kept it");
    assert_eq!(
        mark_3.calls_async().await,
        1,
        "a status of an undecodable group is still handled"
    );
    assert_eq!(report.handled, vec![STATUS_3.parse::<Uuid>().unwrap()]);
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].status_id, STATUS_1.parse::<Uuid>().unwrap());
    assert_eq!(report.failed[0].invoice_id, Some(INVOICE_A.parse().unwrap()));
    assert_eq!(report.unmarkable.len(), 2, "{:?}", report.unmarkable);
    assert_eq!(report.unmarkable[0].status.status_id, None);
    assert_eq!(report.unmarkable[0].status.invoice_id, Some(INVOICE_A.parse().unwrap()));
    assert!(report.unmarkable[0].handler_error.is_some());
    assert_eq!(report.unmarkable[1].status.invoice_id, Some(INVOICE_B.parse().unwrap()));
    assert!(report.unmarkable[1].status.raw_json().contains("not a list"));
    assert_eq!(report.undecodable, 3);
    assert_eq!(report.total(), 4);
    assert!(!report.is_complete());
}
