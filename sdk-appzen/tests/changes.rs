//! The change feed against a fake AppZen that searches a list of invoices by update time: windows,
//! the overlap, de-duplication, a restart from a persisted cursor, undecodable items, the window
//! split, errors, and the search retried like a read.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use futures_util::StreamExt;
use httpmock::MockServer;
use sdk_appzen::types::InvoiceSearchRequest;
use sdk_appzen::{
    AppZenClient, AppZenCredentials, ChangeCursor, ChangeOptions, ClientConfig, ErrorKind, Region, RetryPolicy,
    StatusSync, Tolerant,
};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use common::*;

/// An invoice of the fake: its search result, its update time, whether the search shows it yet.
type FakeInvoice = (Value, DateTime<Utc>, bool);
/// A searched window: from, to.
type Searched = (DateTime<Utc>, DateTime<Utc>);

/// A fake of AppZen's invoice search: answers each `POST .../invoice/search` with the invoices
/// whose update time lies in the window (bounds inclusive) and that are visible yet.
#[derive(Clone, Default)]
struct FakeAppZen {
    /// (item JSON, update time, visible)
    invoices: Arc<Mutex<Vec<FakeInvoice>>>,
    /// The windows searched, in order.
    windows: Arc<Mutex<Vec<Searched>>>,
    /// Statuses to answer with instead of searching, one per request, first.
    failures: Arc<Mutex<Vec<u16>>>,
}

impl FakeAppZen {
    fn add(&self, uuid_tail: u32, status: &str, at: DateTime<Utc>, visible: bool) {
        let item = json!({
            "erp-invoice-id": format!("ERP-{uuid_tail}"),
            "erp-invoice-status": "Ready for Review",
            "appzen-uuid": format!("00000000-0000-4000-8000-{uuid_tail:012}"),
            "appzen-invoice-status": status,
            "last-appzen-update-time": at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        });
        self.invoices.lock().unwrap().push((item, at, visible));
    }

    fn add_raw(&self, item: Value, at: DateTime<Utc>) {
        self.invoices.lock().unwrap().push((item, at, true));
    }

    fn make_all_visible(&self) {
        for invoice in self.invoices.lock().unwrap().iter_mut() {
            invoice.2 = true;
        }
    }

    fn windows(&self) -> Vec<Searched> {
        self.windows.lock().unwrap().clone()
    }

    fn answer(&self, body: &[u8]) -> (u16, String) {
        if let Some(status) = {
            let mut failures = self.failures.lock().unwrap();
            (!failures.is_empty()).then(|| failures.remove(0))
        } {
            return (status, r#"{"status": 502, "error": "Bad Gateway"}"#.into());
        }
        let request: InvoiceSearchRequest = serde_json::from_slice(body).unwrap();
        let (from, to) = (request.from_last_appzen_update_time, request.to_last_appzen_update_time);
        self.windows.lock().unwrap().push((from, to));
        let found: Vec<Value> = self
            .invoices
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, at, visible)| *visible && *at >= from && *at <= to)
            .map(|(item, _, _)| item.clone())
            .collect();
        (200, Value::Array(found).to_string())
    }

    /// Serves on 127.0.0.1; gives the base URL.
    async fn start(&self) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let fake = self.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let fake = fake.clone();
                tokio::spawn(async move {
                    let mut buffer = Vec::new();
                    let mut chunk = [0u8; 4096];
                    let (head_end, length) = loop {
                        let n = socket.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        buffer.extend_from_slice(&chunk[..n]);
                        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
                            let length = head
                                .lines()
                                .find_map(|l| l.strip_prefix("content-length:"))
                                .and_then(|v| v.trim().parse::<usize>().ok())
                                .unwrap_or(0);
                            break (end + 4, length);
                        }
                    };
                    while buffer.len() < head_end + length {
                        let n = socket.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        buffer.extend_from_slice(&chunk[..n]);
                    }
                    let (status, body) = fake.answer(&buffer[head_end..head_end + length]);
                    let response = format!(
                        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = socket.write_all(response.as_bytes()).await;
                });
            }
        });
        format!("http://{address}")
    }
}

fn fake_client(base_url: String) -> AppZenClient {
    AppZenClient::builder(Region::Custom(base_url))
        .credentials(credentials())
        .config(ClientConfig {
            retry: RetryPolicy::none(),
            ..ClientConfig::default()
        })
        .build()
        .unwrap()
}

fn t(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, hour, minute, 0).unwrap()
}

/// The ERP ids of the decoded changes, in order.
fn erp_ids(changes: &[sdk_appzen::Change]) -> Vec<String> {
    changes
        .iter()
        .map(|c| match &c.invoice {
            Tolerant::Decoded(item) => item.erp_invoice_id.clone().unwrap_or_default(),
            Tolerant::Undecodable(raw) => format!("raw {}", raw.raw_json()),
        })
        .collect()
}

async fn drain(feed: &mut sdk_appzen::ChangeFeed) -> Vec<sdk_appzen::Change> {
    let mut changes = Vec::new();
    while let Some(change) = feed.next().await {
        changes.push(change.unwrap());
    }
    changes
}

#[tokio::test]
async fn windows_walk_from_the_cursor_to_the_end_and_the_next_run_repeats_only_the_overlap() {
    let fake = FakeAppZen::default();
    fake.add(1, "PROCESSED", t(1, 0), true);
    fake.add(2, "REJECTED", t(10, 30), true);
    fake.add(3, "PROCESSED", t(11, 58), true); // inside the overlap of the first run's end
    fake.add(4, "PROCESSED", t(11, 59), false); // stamped before the end, searchable only later
    let client = fake_client(fake.start().await);
    let options = ChangeOptions::default()
        .max_window(Duration::from_secs(4 * 3600))
        .overlap(Duration::from_secs(5 * 60));

    let mut feed = client.changes_since_with(ChangeCursor::since(t(0, 0)), options.clone().until(t(12, 0)));
    let first = drain(&mut feed).await;
    assert_eq!(erp_ids(&first), ["ERP-1", "ERP-2", "ERP-3"]);
    let seam = chrono::Duration::seconds(1);
    assert_eq!(
        fake.windows(),
        [
            (t(0, 0) - seam, t(4, 0)),
            (t(4, 0) - seam, t(8, 0)),
            (t(8, 0) - seam, t(12, 0))
        ]
    );
    assert_eq!(
        feed.cursor().next_from(),
        t(11, 55),
        "the next run starts one overlap back"
    );
    assert_eq!(feed.cursor().remembered(), 1, "only ERP-3 lies in the overlap");

    // The caller persists the cursor; AppZen makes ERP-4 visible and updates ERP-1 again.
    let saved = serde_json::to_string(feed.cursor()).unwrap();
    fake.make_all_visible();
    fake.add(1, "REJECTED", t(12, 20), true);
    let cursor: ChangeCursor = serde_json::from_str(&saved).unwrap();
    let mut feed = client.changes_since_with(cursor, options.until(t(13, 0)));
    let second = drain(&mut feed).await;
    assert_eq!(
        erp_ids(&second),
        ["ERP-4", "ERP-1"],
        "the late ERP-4 and ERP-1's new status; ERP-3, searched again in the overlap, is not repeated"
    );
    assert_eq!(fake.windows()[3], (t(11, 55) - seam, t(13, 0)));
}

#[tokio::test]
async fn a_restart_from_the_last_persisted_change_loses_nothing_and_repeats_nothing() {
    let fake = FakeAppZen::default();
    for (i, minute) in [5, 10, 15, 20, 25].into_iter().enumerate() {
        fake.add(i as u32 + 1, "PROCESSED", t(9, minute), true);
    }
    let client = fake_client(fake.start().await);
    let options = ChangeOptions::default().until(t(10, 0));

    // The first run handles two changes, persisting the cursor after each, then the process dies.
    let mut feed = client.changes_since_with(ChangeCursor::since(t(9, 0)), options.clone());
    let mut handled = Vec::new();
    let mut persisted = String::new();
    for _ in 0..2 {
        let change = feed.next_change().await.unwrap().unwrap();
        handled.extend(erp_ids(std::slice::from_ref(&change)));
        persisted = serde_json::to_string(&change.cursor).unwrap();
    }
    drop(feed);

    // The restart resumes from what was persisted.
    let cursor: ChangeCursor = serde_json::from_str(&persisted).unwrap();
    let mut feed = client.changes_since_with(cursor, options);
    let rest = drain(&mut feed).await;
    handled.extend(erp_ids(&rest));
    assert_eq!(
        handled,
        ["ERP-1", "ERP-2", "ERP-3", "ERP-4", "ERP-5"],
        "each exactly once"
    );
    assert_eq!(fake.windows().len(), 2, "the interrupted window is searched again");
}

#[tokio::test]
async fn an_item_that_does_not_decode_is_delivered_once_and_does_not_fail_the_feed() {
    let fake = FakeAppZen::default();
    fake.add(1, "PROCESSED", t(9, 5), true);
    fake.add_raw(
        json!({"appzen-uuid": 42, "appzen-invoice-status": "PROCESSED", "last-appzen-update-time": "2026-03-02T09:58:00Z"}),
        t(9, 58),
    );
    fake.add(3, "SOMETHING_NEW", t(9, 59), true);
    let client = fake_client(fake.start().await);

    let mut feed = client.changes_since_with(ChangeCursor::since(t(9, 0)), ChangeOptions::default().until(t(10, 0)));
    let changes = drain(&mut feed).await;
    assert_eq!(changes.len(), 3);
    let raw = changes[1].invoice.undecodable().expect("kept undecoded");
    assert_eq!(raw.field::<u32>("appzen-uuid"), Some(42));
    let unknown = changes[2].invoice.decoded().expect("an unknown status still decodes");
    assert!(!unknown.appzen_invoice_status.as_ref().unwrap().is_known());

    // The next run searches the overlap again: the raw item is remembered too.
    let mut feed = client.changes_since_with(feed.cursor().clone(), ChangeOptions::default().until(t(10, 30)));
    assert!(drain(&mut feed).await.is_empty());
}

#[tokio::test]
async fn a_window_at_the_result_limit_is_split_and_nothing_is_lost() {
    let fake = FakeAppZen::default();
    for i in 0..5u32 {
        fake.add(i + 1, "PROCESSED", t(9, 10 * i + 1), true);
    }
    let client = fake_client(fake.start().await);
    let options = ChangeOptions::default().max_results(3).until(t(10, 0));
    let mut feed = client.changes_since_with(ChangeCursor::since(t(9, 0)), options);
    let changes = drain(&mut feed).await;
    assert_eq!(erp_ids(&changes), ["ERP-1", "ERP-2", "ERP-3", "ERP-4", "ERP-5"]);
    assert!(fake.windows().len() > 2, "{:?}", fake.windows());
}

#[tokio::test]
async fn an_error_ends_the_feed_and_the_cursor_resumes_where_it_stopped() {
    let fake = FakeAppZen::default();
    fake.add(1, "PROCESSED", t(1, 0), true);
    fake.add(2, "PROCESSED", t(5, 0), true);
    let client = fake_client(fake.start().await);
    let options = ChangeOptions::default()
        .max_window(Duration::from_secs(4 * 3600))
        .until(t(8, 0));

    let mut feed = client.changes_since_with(ChangeCursor::since(t(0, 0)), options.clone());
    assert_eq!(erp_ids(&[feed.next_change().await.unwrap().unwrap()]), ["ERP-1"]);
    fake.failures.lock().unwrap().push(502);
    let error = feed.next_change().await.unwrap().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert!(feed.next_change().await.is_none(), "the feed ends after an error");
    assert_eq!(feed.cursor().next_from(), t(4, 0));

    let mut feed = client.changes_since_with(feed.cursor().clone(), options);
    assert_eq!(erp_ids(&drain(&mut feed).await), ["ERP-2"]);
}

#[tokio::test]
async fn unusable_options_are_refused_with_nothing_sent() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|_, then| {
            then.status(200).body("[]");
        })
        .await;
    let options = ChangeOptions::default()
        .overlap(Duration::from_secs(3600))
        .max_window(Duration::from_secs(600));
    let mut feed = client(&server).changes_since_with(ChangeCursor::since(t(0, 0)), options);
    let error = feed.next_change().await.unwrap().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidRequest);
    assert!(matches!(
        std::error::Error::source(&error).and_then(|s| s.downcast_ref::<sdk_appzen::InvalidSearch>()),
        Some(sdk_appzen::InvalidSearch::Option { option: "overlap", .. })
    ));
    assert!(feed.next_change().await.is_none());

    let empty = client(&server)
        .search_invoices(InvoiceSearchRequest::window(t(1, 0), t(1, 0)))
        .await
        .unwrap_err();
    assert_eq!(empty.kind(), ErrorKind::InvalidRequest);
    assert_eq!(mock.calls_async().await, 0);
}

#[tokio::test]
async fn the_search_is_retried_like_a_read_and_the_status_sync_is_not() {
    let server = MockServer::start_async().await;
    let search = server
        .mock_async(|when, then| {
            when.path("/dictionary-data-services/invoice/search");
            then.status(502);
        })
        .await;
    let sync = server
        .mock_async(|when, then| {
            when.path(PATH);
            then.status(502);
        })
        .await;
    let client = client_with(
        &server,
        ClientConfig {
            retry: RetryPolicy {
                max_attempts: 3,
                initial_backoff: Duration::from_millis(1),
                max_backoff: Duration::from_millis(5),
                retry_non_idempotent: false,
            },
            ..ClientConfig::default()
        },
    );
    let error = client
        .search_invoices(InvoiceSearchRequest::window(t(1, 0), t(2, 0)))
        .await
        .unwrap_err();
    assert_eq!(error.attempts(), 3);
    assert_eq!(search.calls_async().await, 3, "a query: sending it again is harmless");

    client
        .status_sync(uuid(), StatusSync::created("INV-1", "POSTED"))
        .await
        .unwrap_err();
    assert_eq!(sync.calls_async().await, 1, "a write: a 502 may hide a processed sync");
}

#[tokio::test]
async fn the_feed_is_a_stream() {
    let fake = FakeAppZen::default();
    fake.add(1, "PROCESSED", t(9, 5), true);
    let client = AppZenClient::builder(Region::Custom(fake.start().await))
        .credentials(AppZenCredentials::new(API_KEY, CUSTOMER_ID, CUSTOMER_KEY))
        .build()
        .unwrap();
    let feed = client.changes_since_with(ChangeCursor::since(t(9, 0)), ChangeOptions::default().until(t(10, 0)));
    let changes: Vec<_> = feed.collect().await;
    assert_eq!(changes.len(), 1);
    assert!(changes[0].as_ref().is_ok_and(|c| c.invoice.is_decoded()));
}
