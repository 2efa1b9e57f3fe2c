//! A request the server may have processed is never reported as safely retryable, and a 2xx is a
//! success for a write whatever its body: bodies cut off, dripping past the timeout, too large or
//! not what the spec says; and the outcome of timeouts and gateway errors.

mod common;

use std::time::Duration;

use common::*;
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use sdk_runtime::{BodyProblem, Credentials, ErrorKind, RequestOutcome, SuccessBody};
use serde_json::json;

/// A 200 whose headers promise 100 bytes, of which only the first few come before the close.
fn cut_off() -> RawAnswer {
    RawAnswer {
        first: b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\nx-request-id: req-cut\r\n\r\n{\"id\":1,".to_vec(),
        pause: Duration::ZERO,
        rest: Vec::new(),
    }
}

#[tokio::test]
async fn a_write_whose_2xx_body_breaks_off_is_a_success_with_what_arrived() {
    let server = RawServer::start(cut_off()).await;
    let (runtime, http) = runtime(Credentials::None, fast_config(3));

    let request = http
        .post(format!("{}/things", server.base_url))
        .json(&json!({ "name": "w" }));
    let reply = write::<Thing>(&runtime, &http, request, "createThing").await.unwrap();

    assert_eq!(reply.status.as_u16(), 200);
    assert_eq!(reply.request_id(), Some("req-cut"));
    let unreadable = reply.value.unreadable().expect("unreadable");
    assert_eq!(unreadable.raw(), b"{\"id\":1,");
    assert!(
        matches!(unreadable.problem(), BodyProblem::Interrupted(_)),
        "{unreadable:?}"
    );
    assert_eq!(server.requests(), 1, "a processed write is never sent again");
}

#[tokio::test]
async fn a_read_whose_2xx_body_breaks_off_carries_the_2xx_and_says_processed() {
    let server = RawServer::start(cut_off()).await;
    let (runtime, http) = runtime(Credentials::None, fast_config(1));

    let error = get_thing(&runtime, &http, &server.base_url, "1").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(error.outcome(), RequestOutcome::Processed);
    assert_eq!(error.raw_body(), Some("{\"id\":1,"));
    // A GET may be sent again safely.
    assert!(error.is_retryable());

    // The same body after a POST run as a read: processed, so never retryable.
    let error = create_thing(&runtime, &http, &server.base_url).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(error.outcome(), RequestOutcome::Processed);
    assert!(!error.is_retryable(), "{error:?}");
    assert!(
        error.to_string().contains("the server processed the request"),
        "{error}"
    );
}

#[tokio::test]
async fn a_2xx_body_dripping_past_the_attempt_timeout_is_a_processed_write() {
    let server = RawServer::start(RawAnswer {
        first: b"HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: 24\r\n\r\n{\"id\":1,"
            .to_vec(),
        pause: Duration::from_secs(3),
        rest: b"\"name\":\"late\"}".to_vec(),
    })
    .await;
    let mut config = fast_config(3);
    config.timeouts.attempt = Duration::from_millis(300);
    let (runtime, http) = runtime(Credentials::None, config);

    let request = http
        .post(format!("{}/things", server.base_url))
        .json(&json!({ "name": "w" }));
    let reply = write::<Thing>(&runtime, &http, request, "createThing").await.unwrap();

    assert_eq!(reply.status.as_u16(), 201);
    let unreadable = reply.value.unreadable().expect("unreadable");
    assert_eq!(unreadable.problem(), &BodyProblem::TimedOut);
    assert_eq!(unreadable.raw(), b"{\"id\":1,");
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_2xx_body_that_does_not_decode_is_a_success_for_a_write_and_an_error_for_a_read() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/things");
            then.status(201).body("{\"id\":\"not a number\"}");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/things/1");
            then.status(200).body("<html>maintenance</html>");
        })
        .await;
    let (runtime, http) = runtime(Credentials::None, fast_config(3));

    let request = http.post(server.url("/things")).json(&json!({ "name": "w" }));
    let reply = write::<Thing>(&runtime, &http, request, "createThing").await.unwrap();
    let unreadable = reply.value.unreadable().expect("unreadable");
    assert_eq!(unreadable.raw_text(), Some("{\"id\":\"not a number\"}"));
    assert!(
        matches!(unreadable.problem(), BodyProblem::NotDecodable(_)),
        "{unreadable:?}"
    );

    let error = get_thing(&runtime, &http, &server.base_url(), "1").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert_eq!(error.outcome(), RequestOutcome::Processed);
    assert_eq!(error.raw_body(), Some("<html>maintenance</html>"));
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn an_empty_2xx_is_an_empty_success_for_a_write() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/things");
            then.status(202);
        })
        .await;
    let (runtime, http) = runtime(Credentials::None, fast_config(3));
    let request = http.post(server.url("/things")).json(&json!({ "name": "w" }));
    let reply = write::<Thing>(&runtime, &http, request, "createThing").await.unwrap();
    assert_eq!(reply.status.as_u16(), 202);
    assert_eq!(reply.value, SuccessBody::Empty);
}

#[tokio::test]
async fn a_post_that_timed_out_after_sending_has_an_unknown_outcome_and_is_not_retryable() {
    let server = RawServer::start(RawAnswer {
        first: Vec::new(),
        pause: Duration::from_secs(3),
        rest: Vec::new(),
    })
    .await;
    let mut config = fast_config(3);
    config.timeouts.attempt = Duration::from_millis(200);
    let (runtime, http) = runtime(Credentials::None, config);

    let error = create_thing(&runtime, &http, &server.base_url).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert_eq!(error.outcome(), RequestOutcome::Unknown);
    assert!(!error.is_retryable(), "{error:?}");
    assert_eq!(error.attempts(), 1);
    assert!(
        error.to_string().contains("may have processed"),
        "the message says so: {error}"
    );

    // A GET that timed out is retried, and retryable: sending it twice changes nothing.
    let error = get_thing(&runtime, &http, &server.base_url, "1").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert_eq!(error.outcome(), RequestOutcome::Unknown);
    assert_eq!(error.attempts(), 3);
    assert!(error.is_retryable());
}

#[tokio::test]
async fn gateway_errors_on_a_post_are_unknown_outcomes_and_refusals_are_not_processed() {
    let server = MockServer::start_async().await;
    for (status, outcome, retryable) in [
        (502, RequestOutcome::Unknown, false),
        (504, RequestOutcome::Unknown, false),
        (500, RequestOutcome::Unknown, false),
        (503, RequestOutcome::NotProcessed, true),
        (429, RequestOutcome::NotProcessed, true),
        (409, RequestOutcome::NotProcessed, false),
    ] {
        let path = format!("/s{status}/things");
        server
            .mock_async(|when, then| {
                when.method(POST).path(path.clone());
                then.status(status);
            })
            .await;
        let (runtime, http) = runtime(Credentials::None, fast_config(1));
        let error = create_thing(&runtime, &http, &server.url(format!("/s{status}")))
            .await
            .unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(error.outcome(), outcome, "{status}");
        assert_eq!(error.is_retryable(), retryable, "{status}");
    }
}

#[tokio::test]
async fn a_refused_connection_was_not_sent() {
    let (runtime, http) = runtime(Credentials::None, fast_config(1));
    let error = create_thing(&runtime, &http, &refused_base_url()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Connect);
    assert_eq!(error.outcome(), RequestOutcome::NotSent);
    assert!(error.is_retryable());
}

#[tokio::test]
async fn success_bodies_past_the_limit_stop_there() {
    let server = MockServer::start_async().await;
    let big = format!("{{\"id\":1,\"name\":\"{}\"}}", "x".repeat(10_000));
    server
        .mock_async(|when, then| {
            when.path_includes("/things");
            then.status(200).body(big.clone());
        })
        .await;
    let mut config = fast_config(3);
    config.limits.success = 1_000;
    let (runtime, http) = runtime(Credentials::None, config);

    let error = get_thing(&runtime, &http, &server.base_url(), "1").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::BodyTooLarge, "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(error.raw_body().map(str::len), Some(1_000));
    assert!(!error.is_retryable(), "the same body would be as large again");

    let request = http.post(server.url("/things")).json(&json!({ "name": "w" }));
    let reply = write::<Thing>(&runtime, &http, request, "createThing").await.unwrap();
    let unreadable = reply.value.unreadable().expect("unreadable");
    assert_eq!(unreadable.problem(), &BodyProblem::TooLarge { limit: 1_000 });
    assert_eq!(unreadable.raw().len(), 1_000);
}

#[tokio::test]
async fn error_bodies_past_the_limit_keep_the_status_and_the_start() {
    let server = MockServer::start_async().await;
    let big = format!("{{\"code\":\"E\",\"message\":\"{}\"}}", "y".repeat(10_000));
    server
        .mock_async(|when, then| {
            when.path("/things/1");
            then.status(404).body(big.clone());
        })
        .await;
    let mut config = fast_config(3);
    config.limits.error = 100;
    let (runtime, http) = runtime(Credentials::None, config);

    let error = get_thing(&runtime, &http, &server.base_url(), "1").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(error.raw_body(), Some(&big[..100]));
    assert!(error.body().is_none(), "a cut-off body is not decoded");
    assert!(error.to_string().contains("incomplete"), "{error}");
}

#[tokio::test]
async fn a_post_the_spec_marks_idempotent_is_retried_and_retryable_like_a_get() {
    let server = MockServer::start_async().await;
    let search = server
        .mock_async(|when, then| {
            when.method(POST).path("/things/search");
            then.status(502);
        })
        .await;
    let (runtime, http) = runtime(Credentials::None, fast_config(3));
    let request = http.post(server.url("/things/search")).json(&json!({ "name": "w" }));
    let error = call::<Thing>(&runtime, &http, request, "searchThings")
        .await
        .unwrap_err();
    assert_eq!(search.calls_async().await, 3, "retried like a GET");
    assert_eq!(error.outcome(), RequestOutcome::Unknown);
    assert!(error.is_retryable(), "safe to send again: {error:?}");

    // The same method on an operation that is not marked stays a single send.
    let create = server
        .mock_async(|when, then| {
            when.method(POST).path("/things");
            then.status(502);
        })
        .await;
    let error = create_thing(&runtime, &http, &server.base_url()).await.unwrap_err();
    assert_eq!(create.calls_async().await, 1);
    assert!(!error.is_retryable());
}
