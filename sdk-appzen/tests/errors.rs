//! AppZen's error answers, typed from `{timestamp, status, error, message}` with the raw body kept.

mod common;

use std::time::Duration;

use httpmock::Method::POST;
use httpmock::MockServer;
use reqwest::StatusCode;
use sdk_appzen::types::AppzenErrorStatus;
use sdk_appzen::{ClientConfig, Error, ErrorKind, RetryPolicy, StatusSync};

use common::*;

/// Sends a CREATED sync to a server that answers every request with `status` and `body`; returns
/// the error and how many requests the server saw.
async fn failing_sync(status: u16, body: &str, config: ClientConfig) -> (Error, usize) {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path(PATH);
            then.status(status)
                .header("content-type", "application/json")
                .header("x-correlation-id", CORRELATION_ID)
                .body(body);
        })
        .await;
    let client = client_with(&server, config);
    let error = client
        .status_sync(uuid(), StatusSync::created("INV-1", "POSTED"))
        .await
        .unwrap_err();
    (error, mock.calls_async().await)
}

fn once() -> ClientConfig {
    ClientConfig {
        retry: RetryPolicy::none(),
        ..ClientConfig::default()
    }
}

#[tokio::test]
async fn seed_404_sample_decodes_into_the_typed_error_with_the_raw_body_kept() {
    let (error, hits) = failing_sync(404, SEED_404, once()).await;

    assert_eq!(hits, 1);
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.status(), Some(StatusCode::NOT_FOUND));
    assert_eq!(error.operation_id(), "statusSync");
    assert_eq!(error.provider(), "appzen");
    assert_eq!(error.raw_body(), Some(SEED_404));
    assert_eq!(error.request_id(), Some(CORRELATION_ID));
    assert!(!error.is_retryable());

    let body = error.body().expect("the seed's 404 body decodes");
    assert_eq!(body.timestamp.as_deref(), Some("2019-01-17T16:12:45.977+0000"));
    assert_eq!(body.status, Some(AppzenErrorStatus::Int32(404)));
    assert_eq!(body.error.as_deref(), Some("Not Found"));
    assert_eq!(
        body.message.as_deref(),
        Some("Error code : 17e3338d - The resource you specified cannot be not found")
    );
    assert_eq!(body.path, None);
    assert_eq!(body.status_code(), Some(404));
    assert_eq!(body.error_code(), Some("17e3338d"));
}

#[tokio::test]
async fn status_as_a_string_also_decodes() {
    let raw = SEED_404.replace("\"status\": 404", "\"status\": \"404\"");
    assert!(raw.contains("\"404\""), "the fixture changed: {raw}");
    let (error, _) = failing_sync(404, &raw, once()).await;

    let body = error.body().expect("status as a string decodes");
    assert_eq!(body.status, Some(AppzenErrorStatus::String("404".into())));
    assert_eq!(body.status_code(), Some(404));
    assert_eq!(error.raw_body(), Some(raw.as_str()));
}

#[tokio::test]
async fn a_body_that_is_not_the_envelope_is_kept_raw() {
    for (status, raw) in [(502, "<html>Bad Gateway</html>"), (500, ""), (400, "[1, 2]")] {
        let (error, _) = failing_sync(status, raw, once()).await;
        assert_eq!(error.kind(), ErrorKind::Api, "HTTP {status}");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert!(error.body().is_none(), "HTTP {status}: {:?}", error.body());
        assert_eq!(error.raw_body(), Some(raw));
        assert_eq!(error.request_id(), Some(CORRELATION_ID));
    }
}

#[tokio::test]
async fn rate_limited_posts_are_retried_and_server_errors_are_not() {
    let quick = ClientConfig {
        retry: RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
            ..RetryPolicy::default()
        },
        ..ClientConfig::default()
    };
    let body = r#"{"status":429,"error":"Too Many Requests"}"#;
    let (error, hits) = failing_sync(429, body, quick.clone()).await;
    assert_eq!(
        hits, 3,
        "429 means the server did not process the POST, so it is retried"
    );
    assert_eq!(error.attempts(), 3);
    assert_eq!(error.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert!(error.is_retryable());

    let (error, hits) = failing_sync(500, r#"{"status":500}"#, quick).await;
    assert_eq!(hits, 1, "a POST that may have been processed is not sent again");
    assert_eq!(error.attempts(), 1);
}
