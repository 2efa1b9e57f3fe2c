//! 429 with Retry-After then success, and the retry visible in tracing: alone in its test
//! binary, so no other test's thread races tracing's callsite interest cache.

mod common;

use common::*;
use httpmock::Method::GET;
use httpmock::MockServer;
use sdk_runtime::Credentials;
use serde_json::json;
use std::time::{Duration, Instant};

fn thing_json() -> serde_json::Value {
    json!({ "id": 7, "name": "widget" })
}

#[tokio::test]
async fn retry_after_429_then_success() {
    let server = MockServer::start_async().await;
    let limited = server
        .mock_async(|when, then| {
            when.method(GET).path("/things/7");
            then.status(429).header("retry-after", "1").up_to_n_times(1);
        })
        .await;
    let ok = server
        .mock_async(|when, then| {
            when.method(GET).path("/things/7");
            then.status(200).json_body(thing_json());
        })
        .await;
    let (runtime, http) = runtime(Credentials::None, fast_config(3));

    let (dispatch, capture) = capture();
    let guard = tracing::dispatcher::set_default(&dispatch);
    let started = Instant::now();
    let reply = get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap();
    let elapsed = started.elapsed();
    drop(guard);

    assert_eq!(
        reply.value,
        Thing {
            id: 7,
            name: "widget".into()
        }
    );
    assert_eq!(reply.status.as_u16(), 200);
    assert!(
        elapsed >= Duration::from_millis(900),
        "Retry-After: 1 not honoured: {elapsed:?}"
    );
    assert_eq!(limited.calls_async().await, 1);
    assert_eq!(ok.calls_async().await, 1);
    // The retry shows in tracing, inside the operation's span.
    let trace = capture.text();
    assert!(trace.contains("retrying"), "{trace}");
    assert!(trace.contains("status=429"), "{trace}");
    let close = trace
        .lines()
        .find(|line| line.contains("sdk.call") && line.contains("close"))
        .expect("the span closed");
    assert!(close.contains("sdk.operation_id=\"getThing\""), "{close}");
    assert!(close.contains("http.request.resend_count=1"), "{close}");
    assert!(close.contains("http.response.status_code=200"), "{close}");
    assert!(
        !close.contains("error.type"),
        "a call that succeeded has no error.type: {close}"
    );
}
