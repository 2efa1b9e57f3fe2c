//! No credential in captured traces: alone in its test binary, so no other test's thread races
//! tracing's callsite interest cache.

mod common;

use common::*;
use httpmock::Method::POST;
use httpmock::MockServer;
use sdk_appzen::StatusSync;
use std::io::Write;
use std::sync::{Arc, Mutex};

const SECRETS: [&str; 3] = [API_KEY, CUSTOMER_ID, CUSTOMER_KEY];

fn assert_no_secret(shown: &str) {
    for secret in SECRETS {
        assert!(!shown.contains(secret), "a credential leaked into: {shown}");
    }
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn secrets_never_show_in_traces() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        // Everything this crate, the runtime, reqwest and hyper trace; not the mock server's own.
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace,httpmock=off"))
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(PATH);
            then.status(403).body(r#"{"status":403,"error":"Forbidden"}"#);
        })
        .await;
    let client = common::client(&server);
    let error = client
        .status_sync(uuid(), StatusSync::created("INV-1", "POSTED"))
        .await
        .unwrap_err();
    tracing::info!(?client, %error, ?error, "done");

    let traces = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        traces.contains("sdk.call") && traces.contains("appzen"),
        "nothing was traced: {traces}"
    );
    assert_no_secret(&traces);
}
