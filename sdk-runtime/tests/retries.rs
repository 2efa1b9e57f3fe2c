//! Retries, backoff, `Retry-After`, timeouts and the call's deadline, against httpmock on loopback.

mod common;

use std::time::{Duration, Instant};

use common::*;
use httpmock::Method::{GET, POST, PUT};
use httpmock::MockServer;
use sdk_runtime::{ClientConfig, Credentials, ErrorKind, RetryPolicy};
use serde_json::json;

fn thing_json() -> serde_json::Value {
    json!({ "id": 7, "name": "widget" })
}

#[tokio::test]
async fn retry_after_http_date_is_honoured() {
    let server = MockServer::start_async().await;
    let when_to_retry = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
    let limited = server
        .mock_async(|when, then| {
            when.method(GET).path("/things/7");
            then.status(503)
                .header("retry-after", when_to_retry.as_str())
                .up_to_n_times(1);
        })
        .await;
    let ok = server
        .mock_async(|when, then| {
            when.method(GET).path("/things/7");
            then.status(200).json_body(thing_json());
        })
        .await;
    let (runtime, http) = runtime(Credentials::None, fast_config(3));

    let started = Instant::now();
    let reply = get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap();
    let elapsed = started.elapsed();

    assert_eq!(reply.value.id, 7);
    // The date is whole seconds: two seconds ahead, truncated, is at least one second away.
    assert!(
        elapsed >= Duration::from_millis(900),
        "HTTP-date Retry-After not honoured: {elapsed:?}"
    );
    assert_eq!(limited.calls_async().await, 1);
    assert_eq!(ok.calls_async().await, 1);
}

#[tokio::test]
async fn retry_after_beyond_the_deadline_is_not_waited_for() {
    let server = MockServer::start_async().await;
    let limited = server
        .mock_async(|when, then| {
            when.method(GET).path("/things/7");
            then.status(429).header("retry-after", "30").body("slow down");
        })
        .await;
    let mut config = fast_config(5);
    config.timeouts.deadline = Duration::from_secs(2);
    let (runtime, http) = runtime(Credentials::None, config);

    let started = Instant::now();
    let error = get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap_err();

    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "waited for Retry-After: {:?}",
        started.elapsed()
    );
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(error.attempts(), 1);
    assert!(error.is_retryable());
    assert_eq!(error.raw_body(), Some("slow down"));
    assert!(error.to_string().contains("deadline"), "{error}");
    assert_eq!(limited.calls_async().await, 1);
}

#[tokio::test]
async fn service_unavailable_until_max_attempts() {
    let server = MockServer::start_async().await;
    let unavailable = server
        .mock_async(|when, then| {
            when.method(GET).path("/things/7");
            then.status(503).header("x-request-id", "req-503").body("maintenance");
        })
        .await;
    let (runtime, http) = runtime(Credentials::None, fast_config(4));

    let error = get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(error.attempts(), 4);
    assert!(error.is_retryable());
    assert_eq!(error.request_id(), Some("req-503"));
    assert_eq!(error.raw_body(), Some("maintenance"));
    assert!(error.body().is_none());
    assert!(error.to_string().contains("after 4 attempts"), "{error}");
    assert!(format!("{error:?}").contains("attempts: 4"), "{error:?}");
    assert_eq!(unavailable.calls_async().await, 4);
}

#[tokio::test]
async fn post_not_retried_after_500() {
    let server = MockServer::start_async().await;
    let failing = server
        .mock_async(|when, then| {
            when.method(POST).path("/things");
            then.status(500)
                .json_body(json!({ "code": "boom", "message": "internal" }));
        })
        .await;
    let (runtime, http) = runtime(Credentials::None, fast_config(3));

    let error = create_thing(&runtime, &http, &server.base_url()).await.unwrap_err();

    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(error.attempts(), 1);
    assert!(!error.is_retryable());
    assert_eq!(error.body().map(|b| b.code.as_str()), Some("boom"));
    assert_eq!(failing.calls_async().await, 1);
}

#[tokio::test]
async fn get_not_retried_after_500() {
    let server = MockServer::start_async().await;
    let failing = server
        .mock_async(|when, then| {
            when.method(GET).path("/things/7");
            then.status(500);
        })
        .await;
    let (runtime, http) = runtime(Credentials::None, fast_config(3));

    let error = get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap_err();

    assert_eq!(error.attempts(), 1);
    assert_eq!(error.raw_body(), Some(""));
    assert_eq!(failing.calls_async().await, 1);
}

#[tokio::test]
async fn post_not_retried_after_502_unless_opted_in() {
    let server = MockServer::start_async().await;
    let gateway = server
        .mock_async(|when, then| {
            when.method(POST).path("/things");
            then.status(502);
        })
        .await;

    let (runtime, http) = runtime(Credentials::None, fast_config(3));
    let error = create_thing(&runtime, &http, &server.base_url()).await.unwrap_err();
    assert_eq!(error.attempts(), 1);
    assert_eq!(gateway.calls_async().await, 1);

    let mut config = fast_config(3);
    config.retry.retry_non_idempotent = true;
    let (runtime, http) = crate::runtime(Credentials::None, config);
    let error = create_thing(&runtime, &http, &server.base_url()).await.unwrap_err();
    assert_eq!(error.attempts(), 3);
    assert_eq!(gateway.calls_async().await, 1 + 3);
}

#[tokio::test]
async fn post_retried_after_429_and_503() {
    for status in [429, 503] {
        let server = MockServer::start_async().await;
        let refused = server
            .mock_async(|when, then| {
                when.method(POST).path("/things");
                then.status(status).up_to_n_times(2);
            })
            .await;
        let created = server
            .mock_async(|when, then| {
                when.method(POST).path("/things").json_body(json!({ "name": "widget" }));
                then.status(201).json_body(thing_json());
            })
            .await;
        let (runtime, http) = runtime(Credentials::None, fast_config(3));

        let reply = create_thing(&runtime, &http, &server.base_url()).await.unwrap();

        assert_eq!(reply.status.as_u16(), 201);
        assert_eq!(refused.calls_async().await, 2, "status {status}");
        assert_eq!(created.calls_async().await, 1, "status {status}");
    }
}

#[tokio::test]
async fn put_and_delete_retried_on_gateway_errors() {
    for (method, status) in [("PUT", 502), ("DELETE", 504), ("GET", 408)] {
        let server = MockServer::start_async().await;
        let failing = server
            .mock_async(|when, then| {
                when.method(method).path("/things/7");
                then.status(status);
            })
            .await;
        let (runtime, http) = runtime(Credentials::None, fast_config(3));
        let (request, operation) = match method {
            "PUT" => (
                http.put(server.url("/things/7")).json(&json!({ "name": "x" })),
                "putThing",
            ),
            "DELETE" => (http.delete(server.url("/things/7")), "deleteThing"),
            _ => (http.get(server.url("/things/7")), "getThing"),
        };

        let error = call::<Thing>(&runtime, &http, request, operation).await.unwrap_err();

        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(error.attempts(), 3, "{method} {status}");
        assert_eq!(failing.calls_async().await, 3, "{method} {status}");
    }
}

#[tokio::test]
async fn streaming_body_is_sent_once() {
    let server = MockServer::start_async().await;
    let unavailable = server
        .mock_async(|when, then| {
            when.method(PUT).path("/things/7").body("streamed");
            then.status(503);
        })
        .await;
    let (runtime, http) = runtime(Credentials::None, fast_config(3));
    // `Body::wrap` makes a streaming body, which `try_clone` cannot copy.
    let request = http
        .put(server.url("/things/7"))
        .body(reqwest::Body::wrap(String::from("streamed")));

    let error = call::<Thing>(&runtime, &http, request, "putThing").await.unwrap_err();

    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(error.attempts(), 1);
    assert_eq!(unavailable.calls_async().await, 1);
}

#[tokio::test]
async fn slow_server_hits_the_attempt_timeout() {
    let server = MockServer::start_async().await;
    let slow = server
        .mock_async(|when, then| {
            when.method(GET).path("/things/7");
            then.status(200).json_body(thing_json()).delay(Duration::from_secs(3));
        })
        .await;
    let mut config = fast_config(2);
    config.timeouts.attempt = Duration::from_millis(150);
    let (runtime, http) = runtime(Credentials::None, config);

    let started = Instant::now();
    let error = get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap_err();

    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert_eq!(error.attempts(), 2);
    assert!(error.is_retryable());
    assert!(error.status().is_none());
    wait_for_calls(&slow, 2).await;
}

#[tokio::test]
async fn post_timeout_is_not_retried() {
    let server = MockServer::start_async().await;
    let slow = server
        .mock_async(|when, then| {
            when.method(POST).path("/things");
            then.status(201).json_body(thing_json()).delay(Duration::from_secs(3));
        })
        .await;
    let mut config = fast_config(3);
    config.timeouts.attempt = Duration::from_millis(150);
    let (runtime, http) = runtime(Credentials::None, config);

    let error = create_thing(&runtime, &http, &server.base_url()).await.unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert_eq!(error.attempts(), 1);
    wait_for_calls(&slow, 1).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(slow.calls_async().await, 1);
}

#[tokio::test]
async fn the_deadline_ends_the_retry_loop() {
    let server = MockServer::start_async().await;
    let unavailable = server
        .mock_async(|when, then| {
            when.method(GET).path("/things/7");
            then.status(503);
        })
        .await;
    let config = ClientConfig {
        retry: RetryPolicy {
            max_attempts: 1000,
            initial_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(40),
            retry_non_idempotent: false,
        },
        timeouts: sdk_runtime::Timeouts {
            connect: Duration::from_secs(1),
            attempt: Duration::from_secs(1),
            deadline: Duration::from_millis(400),
        },
        user_agent_suffix: None,
        limits: Default::default(),
        rate_limits: None,
    };
    let (runtime, http) = runtime(Credentials::None, config);

    let started = Instant::now();
    let error = get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap_err();

    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert!(error.attempts() > 1 && error.attempts() < 1000, "{}", error.attempts());
    assert!(error.to_string().contains("deadline"), "{error}");
    let calls = unavailable.calls_async().await;
    match error.kind() {
        // Usually the next backoff no longer fits before the deadline: the last 503 is the error.
        ErrorKind::Api => {
            assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
            assert_eq!(calls, error.attempts() as usize);
        }
        // On a loaded machine the last attempt can still be in flight when the deadline comes, and
        // the deadline cuts it (before or after the server saw it).
        ErrorKind::Timeout => {
            let attempts = error.attempts() as usize;
            assert!(
                calls == attempts || calls + 1 == attempts,
                "{calls} calls, {attempts} attempts"
            );
        }
        other => panic!("the deadline should end the loop with the last 503 or a timeout, not {other:?}: {error}"),
    }
}

#[tokio::test]
async fn the_deadline_cuts_the_attempt_in_flight_and_says_so() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/things/7");
            then.status(503).delay(Duration::from_millis(300));
        })
        .await;
    let mut config = fast_config(5);
    config.timeouts.deadline = Duration::from_millis(500);
    let (runtime, http) = runtime(Credentials::None, config);

    // The first 503 comes at ~300 ms; the second attempt starts before 400 ms and would end at
    // ~650 ms, so the deadline cuts it at 500 ms.
    let error = get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
    assert_eq!(error.attempts(), 2);
    assert!(error.to_string().contains("deadline"), "{error}");
}

#[tokio::test]
async fn the_deadline_cuts_a_slow_attempt() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/things/7");
            then.status(200).json_body(thing_json()).delay(Duration::from_secs(3));
        })
        .await;
    let mut config = fast_config(5);
    config.timeouts.attempt = Duration::from_secs(10);
    config.timeouts.deadline = Duration::from_millis(300);
    let (runtime, http) = runtime(Credentials::None, config);

    let started = Instant::now();
    let error = get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap_err();

    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert_eq!(error.attempts(), 1);
}

#[tokio::test]
async fn connection_refused_is_retried_even_for_post() {
    let base = refused_base_url();
    let (runtime, http) = runtime(Credentials::None, fast_config(3));

    let error = get_thing(&runtime, &http, &base, "7").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Connect);
    assert_eq!(error.attempts(), 3);
    assert!(error.is_retryable());
    assert!(error.status().is_none());

    // Nothing was sent, so there is no risk of a duplicate.
    let error = create_thing(&runtime, &http, &base).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Connect);
    assert_eq!(error.attempts(), 3);
}

#[tokio::test]
async fn retry_policy_none_sends_once() {
    let server = MockServer::start_async().await;
    let unavailable = server
        .mock_async(|when, then| {
            when.method(GET).path("/things/7");
            then.status(503);
        })
        .await;
    let config = ClientConfig {
        retry: RetryPolicy::none(),
        ..fast_config(1)
    };
    let (runtime, http) = runtime(Credentials::None, config);

    let error = get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap_err();

    assert_eq!(error.attempts(), 1);
    assert_eq!(unavailable.calls_async().await, 1);
}

#[tokio::test]
async fn huge_retry_after_does_not_panic() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/things/7");
            then.status(503).header("retry-after", "18446744073709551615");
        })
        .await;
    let (runtime, http) = runtime(Credentials::None, fast_config(3));

    let error = get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap_err();

    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(error.attempts(), 1);
}

#[tokio::test]
async fn huge_deadline_does_not_panic() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/things/7");
            then.status(200).json_body(thing_json());
        })
        .await;
    let mut config = fast_config(3);
    config.timeouts.deadline = Duration::MAX;
    config.timeouts.attempt = Duration::MAX;
    let (runtime, http) = runtime(Credentials::None, config);

    let reply = get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap();
    assert_eq!(reply.value.id, 7);
}
