//! The OAuth2 client-credentials flow: caching, renewal before expiry, single flight, renewal after
//! a 401, and token endpoint failures.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use httpmock::Method::{GET, POST};
use httpmock::{Mock, MockServer};
use sdk_runtime::{AuthError, ClientCredentialsFlow, Credentials, ErrorKind, Secret};
use serde_json::json;

const CLIENT_SECRET: &str = "client-secret-5e1f";

fn flow(server: &MockServer) -> Arc<ClientCredentialsFlow> {
    Arc::new(ClientCredentialsFlow::new(
        server.url("/oauth/token"),
        "client-1",
        Secret::new(CLIENT_SECRET),
        Some("invoices:read".into()),
        reqwest::Client::new(),
    ))
}

async fn token_endpoint<'a>(server: &'a MockServer, token: &str, expires_in: serde_json::Value) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/oauth/token")
                .header("content-type", "application/x-www-form-urlencoded")
                .form_urlencoded_tuple("grant_type", "client_credentials")
                .form_urlencoded_tuple("client_id", "client-1")
                .form_urlencoded_tuple("client_secret", CLIENT_SECRET)
                .form_urlencoded_tuple("scope", "invoices:read");
            then.status(200)
                .json_body(json!({ "access_token": token, "token_type": "Bearer", "expires_in": expires_in }));
        })
        .await
}

async fn api_accepting<'a>(server: &'a MockServer, token: &str) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/things/7")
                .header("authorization", format!("Bearer {token}"));
            then.status(200).json_body(json!({ "id": 7, "name": "widget" }));
        })
        .await
}

async fn api_rejecting<'a>(server: &'a MockServer, token: &str) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/things/7")
                .header("authorization", format!("Bearer {token}"));
            then.status(401)
                .json_body(json!({ "code": "unauthorized", "message": "token revoked" }));
        })
        .await
}

#[tokio::test]
async fn the_token_is_cached_across_calls() {
    let server = MockServer::start_async().await;
    let token = token_endpoint(&server, "tok-1", json!(3600)).await;
    let api = api_accepting(&server, "tok-1").await;
    let (runtime, http) = runtime(Credentials::OAuth2(flow(&server)), fast_config(3));

    for _ in 0..3 {
        get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap();
    }

    assert_eq!(token.calls_async().await, 1);
    assert_eq!(api.calls_async().await, 3);
}

#[tokio::test]
async fn expires_in_as_a_string_is_understood() {
    let server = MockServer::start_async().await;
    let token = token_endpoint(&server, "tok-1", json!("3600")).await;
    let api = api_accepting(&server, "tok-1").await;
    let (runtime, http) = runtime(Credentials::OAuth2(flow(&server)), fast_config(3));

    for _ in 0..2 {
        get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap();
    }

    assert_eq!(token.calls_async().await, 1);
    assert_eq!(api.calls_async().await, 2);
}

#[tokio::test]
async fn an_expired_token_is_renewed() {
    let server = MockServer::start_async().await;
    // One second of life: renewed after half of it (the 30 s margin is capped at half the lifetime).
    let token = token_endpoint(&server, "tok-1", json!(1)).await;
    let api = api_accepting(&server, "tok-1").await;
    let (runtime, http) = runtime(Credentials::OAuth2(flow(&server)), fast_config(3));

    get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap();

    assert_eq!(token.calls_async().await, 2);
    assert_eq!(api.calls_async().await, 2);
}

#[tokio::test]
async fn access_token_and_invalidate() {
    let server = MockServer::start_async().await;
    let token = token_endpoint(&server, "tok-1", json!(3600)).await;
    let flow = flow(&server);

    assert_eq!(flow.access_token().await.unwrap().expose(), "tok-1");
    assert_eq!(flow.access_token().await.unwrap().expose(), "tok-1");
    assert_eq!(token.calls_async().await, 1);
    flow.invalidate().await;
    assert_eq!(flow.access_token().await.unwrap().expose(), "tok-1");
    assert_eq!(token.calls_async().await, 2);
    assert_eq!(flow.token_url(), server.url("/oauth/token"));
    assert!(!format!("{flow:?}").contains(CLIENT_SECRET));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_calls_share_one_token_request() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth/token");
            then.status(200)
                .json_body(json!({ "access_token": "tok-1", "expires_in": 3600 }))
                .delay(Duration::from_millis(200));
        })
        .await;
    let api = api_accepting(&server, "tok-1").await;
    let (runtime, http) = runtime(Credentials::OAuth2(flow(&server)), fast_config(3));

    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let (runtime, http, base) = (runtime.clone(), http.clone(), server.base_url());
        calls.spawn(async move { get_thing(&runtime, &http, &base, "7").await.map(|reply| reply.value.id) });
    }
    while let Some(outcome) = calls.join_next().await {
        assert_eq!(outcome.unwrap().unwrap(), 7);
    }

    assert_eq!(token.calls_async().await, 1);
    assert_eq!(api.calls_async().await, 16);
}

#[tokio::test]
async fn a_401_triggers_one_renewal_and_one_resend() {
    let server = MockServer::start_async().await;
    let old_token = token_endpoint(&server, "tok-old", json!(3600)).await;
    let old_accepted = api_accepting(&server, "tok-old").await;
    let (runtime, http) = runtime(Credentials::OAuth2(flow(&server)), fast_config(3));
    get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap();
    assert_eq!(old_token.calls_async().await, 1);

    // The provider revokes the cached token; the token endpoint now hands out a new one.
    old_accepted.delete_async().await;
    old_token.delete_async().await;
    let old_rejected = api_rejecting(&server, "tok-old").await;
    let new_token = token_endpoint(&server, "tok-new", json!(3600)).await;
    let new_accepted = api_accepting(&server, "tok-new").await;

    let reply = get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap();

    assert_eq!(reply.value.id, 7);
    assert_eq!(old_rejected.calls_async().await, 1);
    assert_eq!(new_token.calls_async().await, 1);
    assert_eq!(new_accepted.calls_async().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_401s_share_one_renewal() {
    let server = MockServer::start_async().await;
    let old_token = token_endpoint(&server, "tok-old", json!(3600)).await;
    let old_accepted = api_accepting(&server, "tok-old").await;
    let (runtime, http) = runtime(Credentials::OAuth2(flow(&server)), fast_config(3));
    get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap();

    old_accepted.delete_async().await;
    old_token.delete_async().await;
    let old_rejected = api_rejecting(&server, "tok-old").await;
    let new_token = token_endpoint(&server, "tok-new", json!(3600)).await;
    let new_accepted = api_accepting(&server, "tok-new").await;

    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (runtime, http, base) = (runtime.clone(), http.clone(), server.base_url());
        calls.spawn(async move { get_thing(&runtime, &http, &base, "7").await.map(|reply| reply.value.id) });
    }
    while let Some(outcome) = calls.join_next().await {
        assert_eq!(outcome.unwrap().unwrap(), 7);
    }

    assert_eq!(new_token.calls_async().await, 1);
    assert_eq!(new_accepted.calls_async().await, 8);
    assert!(old_rejected.calls_async().await >= 1);
}

#[tokio::test]
async fn a_second_401_is_returned_without_another_renewal() {
    let server = MockServer::start_async().await;
    let token = token_endpoint(&server, "tok-1", json!(3600)).await;
    let rejected = api_rejecting(&server, "tok-1").await;
    let (runtime, http) = runtime(Credentials::OAuth2(flow(&server)), fast_config(3));

    let error = get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(error.body().map(|b| b.code.as_str()), Some("unauthorized"));
    assert_eq!(error.attempts(), 2);
    assert_eq!(token.calls_async().await, 2, "one token, one renewal");
    assert_eq!(rejected.calls_async().await, 2, "one request, one resend");
}

#[tokio::test]
async fn a_static_bearer_token_is_not_resent_after_a_401() {
    let server = MockServer::start_async().await;
    let rejected = api_rejecting(&server, "static").await;
    let (runtime, http) = runtime(Credentials::Bearer(Secret::new("static")), fast_config(3));

    let error = get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap_err();

    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(error.attempts(), 1);
    assert_eq!(rejected.calls_async().await, 1);
}

#[tokio::test]
async fn a_token_endpoint_401_is_an_auth_error_without_the_secret() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth/token");
            then.status(401).json_body(json!({
                "error": "invalid_client",
                "error_description": format!("client secret {CLIENT_SECRET} is wrong"),
            }));
        })
        .await;
    let api = server
        .mock_async(|when, then| {
            when.any_request().path("/things/7");
            then.status(200);
        })
        .await;
    let (runtime, http) = runtime(Credentials::OAuth2(flow(&server)), fast_config(3));

    let error = get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Auth);
    assert_eq!(error.attempts(), 0);
    assert!(!error.is_retryable());
    let auth = std::error::Error::source(&error).and_then(|s| s.downcast_ref::<AuthError>());
    assert!(
        matches!(auth, Some(AuthError::TokenEndpoint { status: 401, .. })),
        "{auth:?}"
    );
    let shown = format!("{error}\n{error:?}\n{error:#?}\n{auth:?}");
    assert!(shown.contains("invalid_client"), "{shown}");
    assert!(!shown.contains(CLIENT_SECRET), "{shown}");
    assert_eq!(token.calls_async().await, 1);
    assert_eq!(api.calls_async().await, 0);
}

#[tokio::test]
async fn token_endpoint_failures_are_auth_errors() {
    // Unreachable.
    let flow = Arc::new(ClientCredentialsFlow::new(
        format!("{}/oauth/token", refused_base_url()),
        "client-1",
        Secret::new(CLIENT_SECRET),
        None,
        reqwest::Client::new(),
    ));
    let (runtime, http) = runtime(Credentials::OAuth2(flow), fast_config(3));
    let error = get_thing(&runtime, &http, "http://127.0.0.1:9", "7").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Auth);
    assert!(error.to_string().contains("could not be reached"), "{error}");

    // Not a token response.
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth/token");
            then.status(200).json_body(json!({ "token": "nope" }));
        })
        .await;
    let (runtime, http) = crate::runtime(Credentials::OAuth2(crate::flow(&server)), fast_config(3));
    let error = get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Auth);
    assert!(error.to_string().contains("not a token response"), "{error}");
}

fn raw_status(status: &str, extra_headers: &str, body: &str) -> RawAnswer {
    RawAnswer {
        first: format!(
            "HTTP/1.1 {status}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{extra_headers}\r\n{body}",
            body.len()
        )
        .into_bytes(),
        pause: Duration::ZERO,
        rest: Vec::new(),
    }
}

fn flow_against(token_url: String, config: &sdk_runtime::ClientConfig) -> Arc<ClientCredentialsFlow> {
    Arc::new(
        ClientCredentialsFlow::new(
            token_url,
            "client-1",
            Secret::new(CLIENT_SECRET),
            None,
            reqwest::Client::new(),
        )
        .with_config(config),
    )
}

#[tokio::test]
async fn a_busy_token_endpoint_is_asked_again() {
    // 503 with Retry-After, then 429, then a token: one call, three token requests.
    let tokens = RawServer::start_sequence(vec![
        raw_status("503 Service Unavailable", "retry-after: 0\r\n", "{}"),
        raw_status("429 Too Many Requests", "", "{}"),
        raw_status("200 OK", "", r#"{"access_token":"tok-after-retries","expires_in":300}"#),
    ])
    .await;
    let api = MockServer::start_async().await;
    let accepted = api_accepting(&api, "tok-after-retries").await;
    let config = fast_config(3);
    let flow = flow_against(format!("{}/oauth/token", tokens.base_url), &config);
    let (runtime, http) = runtime(Credentials::OAuth2(flow), config);

    get_thing(&runtime, &http, &api.base_url(), "7").await.unwrap();
    assert_eq!(tokens.requests(), 3);
    accepted.assert_async().await;
}

#[tokio::test]
async fn a_token_endpoint_that_stays_busy_is_a_retryable_auth_error() {
    let tokens = RawServer::start(raw_status("503 Service Unavailable", "", "{}")).await;
    let config = fast_config(3);
    let flow = flow_against(format!("{}/oauth/token", tokens.base_url), &config);
    let (runtime, http) = runtime(Credentials::OAuth2(flow), config);

    let error = get_thing(&runtime, &http, "http://127.0.0.1:9", "7").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Auth);
    assert!(error.is_retryable(), "a transient token failure says so: {error:?}");
    assert_eq!(error.outcome(), sdk_runtime::RequestOutcome::NotSent);
    assert_eq!(tokens.requests(), 3, "the token request follows the retry policy");
}

#[tokio::test]
async fn refused_client_credentials_are_asked_once_and_not_retryable() {
    let tokens = RawServer::start(raw_status("401 Unauthorized", "", r#"{"error":"invalid_client"}"#)).await;
    let config = fast_config(3);
    let flow = flow_against(format!("{}/oauth/token", tokens.base_url), &config);
    let (runtime, http) = runtime(Credentials::OAuth2(flow), config);

    let error = get_thing(&runtime, &http, "http://127.0.0.1:9", "7").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Auth);
    assert!(!error.is_retryable());
    assert_eq!(tokens.requests(), 1);
}

#[tokio::test]
async fn an_unreachable_token_endpoint_is_retried_within_the_policy() {
    let config = fast_config(2);
    let flow = flow_against(format!("{}/oauth/token", refused_base_url()), &config);
    let (runtime, http) = runtime(Credentials::OAuth2(flow), config);
    let error = get_thing(&runtime, &http, "http://127.0.0.1:9", "7").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Auth);
    assert!(error.is_retryable());
    assert!(matches!(
        std::error::Error::source(&error).and_then(|s| s.downcast_ref::<AuthError>()),
        Some(AuthError::TokenTransport(_))
    ));
}
