//! Rate budgets through the runtime: a call that cannot get budget before its deadline is not
//! sent, clones share one budget, an operation's own budget leaves the others alone.

mod common;

use std::time::Duration;

use common::*;
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use sdk_runtime::{ClientConfig, Credentials, ErrorKind, Quota, RateLimits, RequestOutcome};
use serde_json::json;

fn limited(limits: RateLimits) -> ClientConfig {
    let mut config = fast_config(1);
    config.timeouts.deadline = Duration::from_millis(500);
    config.rate_limits = Some(limits);
    config
}

fn once_a_minute() -> RateLimits {
    RateLimits {
        shared: vec![Quota::per_minute(1)],
        per_operation: Vec::new(),
        adaptive: false,
    }
}

#[tokio::test]
async fn a_call_without_budget_before_its_deadline_is_not_sent() {
    let server = MockServer::start_async().await;
    let things = server
        .mock_async(|when, then| {
            when.method(GET).path_includes("/things/");
            then.status(200).json_body(json!({ "id": 1, "name": "a" }));
        })
        .await;
    let (runtime, http) = runtime(Credentials::None, limited(once_a_minute()));

    get_thing(&runtime, &http, &server.base_url(), "1").await.unwrap();
    let error = get_thing(&runtime, &http, &server.base_url(), "2").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error:?}");
    assert_eq!(error.outcome(), RequestOutcome::NotSent);
    assert_eq!(error.attempts(), 0);
    assert!(error.is_retryable());
    assert!(error.to_string().contains("rate budget"), "{error}");
    assert_eq!(things.calls_async().await, 1, "the second call was not sent");

    // A clone spends from the same budget.
    let clone = runtime.clone();
    let error = get_thing(&clone, &http, &server.base_url(), "3").await.unwrap_err();
    assert_eq!(error.outcome(), RequestOutcome::NotSent);
    assert_eq!(things.calls_async().await, 1);
}

#[tokio::test]
async fn an_operation_budget_leaves_the_other_operations_alone() {
    let server = MockServer::start_async().await;
    let reads = server
        .mock_async(|when, then| {
            when.method(GET).path_includes("/things/");
            then.status(200).json_body(json!({ "id": 1, "name": "a" }));
        })
        .await;
    let creates = server
        .mock_async(|when, then| {
            when.method(POST).path("/things");
            then.status(201).json_body(json!({ "id": 2, "name": "b" }));
        })
        .await;
    let limits = RateLimits::none().with_operation("getThing", Quota::per_minute(1));
    let (runtime, http) = runtime(Credentials::None, limited(limits));

    get_thing(&runtime, &http, &server.base_url(), "1").await.unwrap();
    assert!(get_thing(&runtime, &http, &server.base_url(), "1").await.is_err());
    for _ in 0..5 {
        create_thing(&runtime, &http, &server.base_url()).await.unwrap();
    }
    assert_eq!(reads.calls_async().await, 1);
    assert_eq!(creates.calls_async().await, 5);
}

#[tokio::test]
async fn no_limits_means_no_waiting() {
    let server = MockServer::start_async().await;
    let reads = server
        .mock_async(|when, then| {
            when.method(GET).path_includes("/things/");
            then.status(200).json_body(json!({ "id": 1, "name": "a" }));
        })
        .await;
    let (runtime, http) = runtime(Credentials::None, limited(RateLimits::none()));
    for _ in 0..20 {
        get_thing(&runtime, &http, &server.base_url(), "1").await.unwrap();
    }
    assert_eq!(reads.calls_async().await, 20);
}
