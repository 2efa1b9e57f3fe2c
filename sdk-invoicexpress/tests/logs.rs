//! Every trace event of JSON and legacy calls, at every level, without the API key. Its own test
//! binary: it installs the global subscriber, so no other test shares the process.

mod common;

use std::sync::{Arc, Mutex};

use common::{CANARY, json_client, legacy_client};
use httpmock::prelude::*;
use sdk_invoicexpress::types::DocumentStatus;
use sdk_invoicexpress::{DocumentKind, StateChange};

#[derive(Clone)]
struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn traces_never_carry_the_api_key() {
    let logs = Arc::new(Mutex::new(Vec::<u8>::new()));
    let writer = {
        let logs = logs.clone();
        move || LogWriter(logs.clone())
    };
    // Everything but the mock server's own logs (it records the requests it receives, key included:
    // that is the server side, not the SDK).
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace,httpmock=off"))
        .with_ansi(false)
        .with_writer(writer)
        .try_init()
        .expect("the only subscriber of this test binary");

    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/invoices/1/change-state.json")
                .query_param("api_key", CANARY);
            then.status(200)
                .header("content-type", "application/json")
                .body(r#"{"invoice":{"id":1,"status":"final"}}"#);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/debit_notes/2/change-state.xml")
                .query_param("api_key", CANARY);
            then.status(422)
                .header("content-type", "application/xml")
                .body("<errors><error>Invalid state</error></errors>");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/invoices/3.json");
            then.status(503);
        })
        .await;

    let json = json_client(&server.base_url());
    json.change_state(
        DocumentKind::Invoices,
        1,
        &StateChange::Finalize,
        Some(&DocumentStatus::Draft),
    )
    .await
    .expect("finalized");
    json.get_document(DocumentKind::Invoices, 3)
        .await
        .expect_err("503 after retries");
    json.change_state(
        DocumentKind::Invoices,
        1,
        &StateChange::Unsettle,
        Some(&DocumentStatus::Final),
    )
    .await
    .expect_err("refused locally");
    let legacy = legacy_client(&server.base_url());
    legacy
        .change_state(DocumentKind::DebitNotes, 2, &StateChange::Finalize, None)
        .await
        .expect_err("422");

    let logs = String::from_utf8(logs.lock().expect("logs").clone()).expect("UTF-8 logs");
    for expected in [
        "sdk.call",
        "changeDebitNoteStateLegacy",
        "retrying",
        "refused by the transition guard",
        "hyper",
    ] {
        assert!(logs.contains(expected), "the runtime traced `{expected}`: {logs}");
    }
    assert!(!logs.contains(CANARY), "the key leaked into the logs: {logs}");
}
