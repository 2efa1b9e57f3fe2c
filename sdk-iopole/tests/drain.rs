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
    assert_eq!(seen.len(), 3, "every status reached the callback");
    let status_3 = STATUS_3.parse::<Uuid>().unwrap();
    let third = seen
        .iter()
        .find(|(id, _)| *id == status_3)
        .expect("the other invoice's status");
    assert_eq!(third.1, Some(sdk_iopole::LifecycleStatus::PaymentReceived));
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
    let status_2 = STATUS_2.parse::<Uuid>().unwrap();
    let odd_seen = seen
        .iter()
        .find(|status| status.status_id() == Some(status_2))
        .expect("handed over");
    let NotSeenStatus::Undecodable(bad) = odd_seen else {
        panic!("the odd status is undecodable: {odd_seen:?}");
    };
    assert_eq!(bad.status_id, Some(STATUS_2.parse().unwrap()));
    assert_eq!(bad.invoice_id, Some(INVOICE_A.parse().unwrap()));
    assert_eq!(serde_json::from_str::<serde_json::Value>(bad.raw_json()).unwrap(), odd);
    assert!(!bad.error().is_empty());
    assert_eq!(seen.iter().filter(|status| status.decoded().is_some()).count(), 2);
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
    // The id-less status of invoice A comes after A's failed one: it waits, reported, not dropped.
    assert_eq!(report.deferred.len(), 1, "{:?}", report.deferred);
    let NotSeenStatus::Undecodable(waiting) = &report.deferred[0] else {
        panic!("{:?}", report.deferred[0]);
    };
    assert_eq!(waiting.status_id, None);
    assert_eq!(waiting.invoice_id, Some(INVOICE_A.parse().unwrap()));
    assert_eq!(report.unmarkable.len(), 1, "{:?}", report.unmarkable);
    assert_eq!(report.unmarkable[0].status.invoice_id, Some(INVOICE_B.parse().unwrap()));
    assert!(report.unmarkable[0].status.raw_json().contains("not a list"));
    assert!(report.unmarkable[0].handler_error.is_some());
    assert_eq!(report.undecodable, 2);
    assert_eq!(report.total(), 4);
    assert!(!report.is_complete());
}

/// `count` statuses for each of `invoices` invoices, listed round-robin (so an invoice's statuses
/// are spread through the answer), with status ids `{invoice:04}{n:08}`.
fn many_statuses(invoices: u32, count: u32) -> (serde_json::Value, Vec<Vec<String>>) {
    let ids: Vec<Vec<String>> = (0..invoices)
        .map(|invoice| {
            (0..count)
                .map(|n| format!("00000000-0000-4000-8000-{invoice:04}{n:08}"))
                .collect()
        })
        .collect();
    let invoice_id = |invoice: u32| format!("cccccccc-cccc-4ccc-8ccc-{invoice:012}");
    let mut groups = Vec::new();
    for n in 0..count {
        for invoice in 0..invoices {
            let id = invoice_id(invoice);
            groups.push(json!({"invoiceId": id, "newStatus": [history_item(&ids[invoice as usize][n as usize], &id, "APPROVED")]}));
        }
    }
    (serde_json::Value::Array(groups), ids)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoices_are_drained_concurrently_each_in_order_nothing_lost_nothing_twice() {
    let server = MockServer::start_async().await;
    let (body, ids) = many_statuses(6, 5);
    not_seen_mock(&server, body).await;
    let mark = server
        .mock_async(|when, then| {
            when.method(PUT).path_includes("/markAsSeen");
            then.status(204);
        })
        .await;
    let client = bearer_client(&server);

    let seen: Arc<Mutex<Vec<(Uuid, Uuid)>>> = Arc::default();
    let in_flight = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let most = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    // Two invoices meet at a barrier: only a drain that runs invoices at once gets past it.
    let barrier = Arc::new(tokio::sync::Barrier::new(2));
    let first_status = ids[0][0].parse::<Uuid>().unwrap();
    let second_status = ids[1][0].parse::<Uuid>().unwrap();
    let report = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        client.drain_not_seen_with(sdk_iopole::DrainOptions::concurrency(4), |status| {
            let (seen, in_flight, most, barrier) = (seen.clone(), in_flight.clone(), most.clone(), barrier.clone());
            async move {
                let now = in_flight.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                most.fetch_max(now, std::sync::atomic::Ordering::SeqCst);
                let item = status.decoded().expect("decodes").clone();
                if item.status_id == first_status || item.status_id == second_status {
                    barrier.wait().await;
                }
                tokio::task::yield_now().await;
                seen.lock().unwrap().push((item.invoice_id, item.status_id));
                in_flight.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                Ok::<(), String>(())
            }
        }),
    )
    .await
    .expect("two invoices were handled at once (a one-at-a-time drain would wait at the barrier)")
    .unwrap();

    assert!(report.is_complete(), "{report:?}");
    assert_eq!(report.handled.len(), 30, "nothing lost");
    assert_eq!(mark.calls_async().await, 30, "each marked seen once");
    assert!(most.load(std::sync::atomic::Ordering::SeqCst) >= 2);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 30, "each handled once");
    // Within an invoice, strictly the order Iopole listed them.
    for (invoice, expected) in ids.iter().enumerate() {
        let invoice_id = format!("cccccccc-cccc-4ccc-8ccc-{invoice:012}")
            .parse::<Uuid>()
            .unwrap();
        let handled: Vec<String> = seen
            .iter()
            .filter(|(inv, _)| *inv == invoice_id)
            .map(|(_, status)| status.to_string())
            .collect();
        assert_eq!(&handled, expected, "invoice {invoice}");
    }
}

#[tokio::test]
async fn after_a_failure_the_later_statuses_of_the_same_invoice_wait_for_the_next_pass() {
    let server = MockServer::start_async().await;
    let status_4 = "00000000-0000-4000-8000-000000000004";
    not_seen_mock(
        &server,
        json!([
            {"invoiceId": INVOICE_A, "newStatus": [
                history_item(STATUS_1, INVOICE_A, "APPROVED"),
                history_item(STATUS_2, INVOICE_A, "REFUSED"),
                history_item(STATUS_3, INVOICE_A, "212")
            ]},
            {"invoiceId": INVOICE_B, "newStatus": [history_item(status_4, INVOICE_B, "APPROVED")]}
        ]),
    )
    .await;
    let marks = [
        mark_mock(&server, STATUS_1, 204).await,
        mark_mock(&server, STATUS_2, 204).await,
        mark_mock(&server, STATUS_3, 204).await,
        mark_mock(&server, status_4, 204).await,
    ];
    let handled: Arc<Mutex<Vec<Uuid>>> = Arc::default();
    let report = bearer_client(&server)
        .drain_not_seen(|status| {
            let handled = handled.clone();
            async move {
                let item = status.decoded().expect("decodes").clone();
                handled.lock().unwrap().push(item.status_id);
                if item.status.code == "REFUSED" {
                    Err("the ERP is locked")
                } else {
                    Ok(())
                }
            }
        })
        .await
        .unwrap();
    let id = |s: &str| s.parse::<Uuid>().unwrap();
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].status_id, id(STATUS_2));
    let deferred: Vec<Option<Uuid>> = report.deferred.iter().map(NotSeenStatus::status_id).collect();
    assert_eq!(
        deferred,
        vec![Some(id(STATUS_3))],
        "212 must not overtake the refused status"
    );
    assert!(!handled.lock().unwrap().contains(&id(STATUS_3)));
    // The other invoice is not held up.
    assert_eq!(report.handled, vec![id(STATUS_1), id(status_4)]);
    let calls: Vec<usize> = futures_calls(&marks).await;
    assert_eq!(calls, vec![1, 0, 0, 1]);
    assert_eq!(report.total(), 4);
    assert!(!report.is_complete());
}

async fn futures_calls(marks: &[httpmock::Mock<'_>]) -> Vec<usize> {
    let mut calls = Vec::new();
    for mark in marks {
        calls.push(mark.calls_async().await);
    }
    calls
}
