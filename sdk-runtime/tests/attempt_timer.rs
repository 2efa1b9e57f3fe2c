//! The call's timer ending attempts (instead of `reqwest`'s per-request timeout): a timed-out
//! attempt is retried, an error body is cut at the attempt's end, the final error says which
//! timeout ended the call, and a timer reused from call to call still ends a slow call.

mod common;

use std::time::{Duration, Instant};

use common::*;
use sdk_runtime::{Credentials, ErrorKind, RequestOutcome};

fn ok_thing() -> Vec<u8> {
    b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: 24\r\n\r\n{\"id\":7,\"name\":\"widget\"}"
        .to_vec()
}

/// Answers nothing for `pause`, then a 200.
fn late(pause: Duration) -> RawAnswer {
    RawAnswer {
        first: Vec::new(),
        pause,
        rest: ok_thing(),
    }
}

fn at_once() -> RawAnswer {
    RawAnswer {
        first: ok_thing(),
        pause: Duration::ZERO,
        rest: Vec::new(),
    }
}

#[tokio::test]
async fn a_get_whose_first_attempt_times_out_is_answered_on_the_second() {
    let server = RawServer::start_sequence(vec![late(Duration::from_secs(3)), at_once()]).await;
    let mut config = fast_config(3);
    config.timeouts.attempt = Duration::from_millis(200);
    let (runtime, http) = runtime(Credentials::None, config);

    let started = Instant::now();
    let reply = get_thing(&runtime, &http, &server.base_url, "7").await.unwrap();

    assert_eq!(reply.value.name, "widget");
    assert_eq!(server.requests(), 2);
    // One attempt timeout and a short backoff, not the first answer's 3 s.
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_last_attempt_s_timeout_names_itself_in_the_error() {
    let server = RawServer::start(late(Duration::from_secs(3))).await;
    let mut config = fast_config(2);
    config.timeouts.attempt = Duration::from_millis(150);
    let (runtime, http) = runtime(Credentials::None, config);

    let error = get_thing(&runtime, &http, &server.base_url, "7").await.unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert_eq!(error.outcome(), RequestOutcome::Unknown);
    assert_eq!(error.attempts(), 2);
    assert!(
        error
            .to_string()
            .contains("no response within the attempt's timeout of 150ms"),
        "{error}"
    );
}

#[tokio::test]
async fn an_error_body_dripping_past_the_attempt_timeout_keeps_its_status_and_start() {
    let server = RawServer::start(RawAnswer {
        first: b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\ncontent-length: 60\r\n\r\n{\"code\":\"E1\","
            .to_vec(),
        pause: Duration::from_secs(3),
        rest: b"\"message\":\"late\"}".to_vec(),
    })
    .await;
    let mut config = fast_config(3);
    config.timeouts.attempt = Duration::from_millis(200);
    let (runtime, http) = runtime(Credentials::None, config);

    let started = Instant::now();
    // A POST is not retried after a 500: the body is the final error's.
    let error = create_thing(&runtime, &http, &server.base_url).await.unwrap_err();

    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.status().map(|status| status.as_u16()), Some(500));
    assert_eq!(error.raw_body(), Some("{\"code\":\"E1\","));
    assert!(error.to_string().contains("error body incomplete"), "{error}");
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_timer_reused_by_many_calls_still_ends_a_slow_one() {
    let mut answers: Vec<RawAnswer> = (0..30).map(|_| at_once()).collect();
    answers.push(late(Duration::from_secs(3)));
    answers.push(at_once());
    let server = RawServer::start_sequence(answers).await;
    let mut config = fast_config(1);
    config.timeouts.attempt = Duration::from_millis(200);
    let (runtime, http) = runtime(Credentials::None, config);

    for _ in 0..30 {
        get_thing(&runtime, &http, &server.base_url, "7").await.unwrap();
    }
    let started = Instant::now();
    let error = get_thing(&runtime, &http, &server.base_url, "7").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error:?}");
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(200), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
    // And the next call, on the timer the slow one gave back, is answered.
    get_thing(&runtime, &http, &server.base_url, "7").await.unwrap();
    assert_eq!(server.requests(), 32);
}

#[tokio::test]
async fn a_call_dropped_mid_attempt_leaves_the_next_calls_bounded() {
    let server = RawServer::start_sequence(vec![late(Duration::from_secs(3)), late(Duration::from_secs(3))]).await;
    let mut config = fast_config(1);
    config.timeouts.attempt = Duration::from_millis(200);
    let (runtime, http) = runtime(Credentials::None, config);

    // Dropped before its attempt's end: its timer is dropped with it.
    let dropped = tokio::time::timeout(
        Duration::from_millis(50),
        get_thing(&runtime, &http, &server.base_url, "7"),
    )
    .await;
    assert!(dropped.is_err(), "the first call was still waiting");

    let started = Instant::now();
    let error = get_thing(&runtime, &http, &server.base_url, "7").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
}
