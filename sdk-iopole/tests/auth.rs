//! Authentication: static bearer token, OAuth2 client credentials (caching, expiry, single flight,
//! 401 renewal, token endpoint failures) and secrets that never print.

mod common;

use std::time::Duration;

use common::oauth::*;
use common::*;
use httpmock::prelude::*;
use sdk_iopole::ErrorKind;
use serde_json::json;

#[tokio::test]
async fn static_bearer_token_is_sent_on_each_call() {
    let server = MockServer::start_async().await;
    let api = history_mock(&server, CANARY_TOKEN, 200).await;
    let client = bearer_client(&server);
    client.status_history(invoice()).await.unwrap();
    client.status_history(invoice()).await.unwrap();
    assert_eq!(api.calls_async().await, 2);
}

#[tokio::test]
async fn oauth_token_is_fetched_once_and_reused() {
    let server = MockServer::start_async().await;
    let token = token_mock(&server, CANARY_ACCESS_TOKEN, 600).await;
    let api = history_mock(&server, CANARY_ACCESS_TOKEN, 200).await;
    let client = oauth_client(&server);
    for _ in 0..3 {
        client.status_history(invoice()).await.unwrap();
    }
    assert_eq!(token.calls_async().await, 1);
    assert_eq!(api.calls_async().await, 3);
}

#[tokio::test]
async fn oauth_token_is_renewed_when_it_expires() {
    let server = MockServer::start_async().await;
    // A 1 s token is renewed half-way through its life.
    let token = token_mock(&server, CANARY_ACCESS_TOKEN, 1).await;
    let api = history_mock(&server, CANARY_ACCESS_TOKEN, 200).await;
    let client = oauth_client(&server);
    client.status_history(invoice()).await.unwrap();
    client.status_history(invoice()).await.unwrap();
    assert_eq!(token.calls_async().await, 1, "still fresh");
    tokio::time::sleep(Duration::from_millis(700)).await;
    client.status_history(invoice()).await.unwrap();
    assert_eq!(token.calls_async().await, 2, "renewed before expiry");
    assert_eq!(api.calls_async().await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_calls_share_one_token_request() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST).path(TOKEN_PATH);
            then.status(200)
                .delay(Duration::from_millis(300))
                .json_body(json!({"access_token": CANARY_ACCESS_TOKEN, "expires_in": 600}));
        })
        .await;
    let api = history_mock(&server, CANARY_ACCESS_TOKEN, 200).await;
    let client = oauth_client(&server);
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let client = client.clone();
        calls.spawn(async move { client.status_history(invoice()).await });
    }
    while let Some(result) = calls.join_next().await {
        result.expect("task").expect("call succeeds");
    }
    assert_eq!(
        token.calls_async().await,
        1,
        "one token request for 16 concurrent calls"
    );
    assert_eq!(api.calls_async().await, 16);
}

#[tokio::test]
async fn a_401_renews_the_token_once_and_sends_again() {
    let server = MockServer::start_async().await;
    let first = token_mock(&server, CANARY_ACCESS_TOKEN, 600).await;
    first.up_to_n_times_async(1).await;
    let second = token_mock(&server, CANARY_ACCESS_TOKEN_2, 600).await;
    let rejected = history_mock(&server, CANARY_ACCESS_TOKEN, 401).await;
    let accepted = history_mock(&server, CANARY_ACCESS_TOKEN_2, 200).await;

    let client = oauth_client(&server);
    let history = client
        .status_history(invoice())
        .await
        .expect("the resent call succeeds")
        .value;
    assert!(history.is_empty());
    assert_eq!(first.calls_async().await, 1);
    assert_eq!(second.calls_async().await, 1);
    assert_eq!(rejected.calls_async().await, 1);
    assert_eq!(accepted.calls_async().await, 1);

    // The renewed token is cached: no further token request.
    client.status_history(invoice()).await.unwrap();
    assert_eq!(second.calls_async().await, 1);
    assert_eq!(accepted.calls_async().await, 2);
}

#[tokio::test]
async fn a_persistent_401_is_an_api_error_after_one_renewal() {
    let server = MockServer::start_async().await;
    let token = token_mock(&server, CANARY_ACCESS_TOKEN, 600).await;
    let api = history_mock(&server, CANARY_ACCESS_TOKEN, 401).await;
    let client = oauth_client(&server);
    let error = client.status_history(invoice()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(
        error.body().and_then(|b| b.status_message.as_deref()),
        Some("Unauthorized")
    );
    assert_eq!(token.calls_async().await, 2, "initial token and one renewal");
    assert_eq!(api.calls_async().await, 2, "sent once more, not more");
}

#[tokio::test]
async fn a_static_token_rejected_with_401_is_not_resent() {
    let server = MockServer::start_async().await;
    let api = history_mock(&server, CANARY_TOKEN, 401).await;
    let error = bearer_client(&server).status_history(invoice()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(api.calls_async().await, 1);
}

#[tokio::test]
async fn token_endpoint_failure_is_a_typed_auth_error() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST).path(TOKEN_PATH);
            then.status(401).json_body(json!({
                "error": "invalid_client",
                "error_description": "Invalid client or Invalid client credentials"
            }));
        })
        .await;
    let api = server
        .mock_async(|when, then| {
            when.any_request().path_includes("/v1/");
            then.status(200).json_body(json!([]));
        })
        .await;
    let client = oauth_client(&server);
    let error = client.status_history(invoice()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Auth);
    let auth = std::error::Error::source(&error)
        .and_then(|s| s.downcast_ref::<sdk_iopole::AuthError>())
        .expect("the source is the AuthError");
    match auth {
        sdk_iopole::AuthError::TokenEndpoint { status, error, .. } => {
            assert_eq!(*status, 401);
            assert_eq!(error.as_deref(), Some("invalid_client"));
        }
        other => panic!("unexpected auth error {other:?}"),
    }
    assert_eq!(token.calls_async().await, 1);
    assert_eq!(api.calls_async().await, 0, "nothing sent to the API without a token");
    for shown in [format!("{error}"), format!("{error:?}")] {
        assert!(!shown.contains(CANARY_SECRET), "{shown}");
    }
}

#[tokio::test]
async fn a_malformed_token_response_is_an_auth_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(TOKEN_PATH);
            then.status(200).body("<html>login</html>");
        })
        .await;
    let error = oauth_client(&server).status_history(invoice()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Auth);
}

#[tokio::test]
async fn secrets_are_absent_from_debug_and_display_of_client_and_errors() {
    let server = MockServer::start_async().await;
    token_mock(&server, CANARY_ACCESS_TOKEN, 600).await;
    // A server that echoes the credentials it received in its error body.
    server
        .mock_async(|when, then| {
            when.method(GET).path(HISTORY_PATH);
            then.status(400).json_body(json!({
                "statusMessage": format!("bad token Bearer {CANARY_ACCESS_TOKEN}"),
                "details": {"client_secret": [CANARY_SECRET]}
            }));
        })
        .await;
    let oauth = oauth_client(&server);
    let error = oauth.status_history(invoice()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    // The one copy of the body the error keeps has the echoed credentials scrubbed.
    let raw = error.raw_body().unwrap_or_default();
    assert!(
        raw.contains("bad token Bearer [REDACTED]")
            && !raw.contains(CANARY_ACCESS_TOKEN)
            && !raw.contains(CANARY_SECRET),
        "{raw}"
    );

    let static_client = bearer_client(&server);
    let builder = sdk_iopole::IopoleClient::builder(sdk_iopole::Environment::Sandbox)
        .client_credentials(CLIENT_ID, CANARY_SECRET)
        .bearer_token(CANARY_TOKEN);
    let shown = [
        format!("{oauth:?}"),
        format!("{oauth:#?}"),
        format!("{oauth}"),
        format!("{static_client:?}"),
        format!("{static_client}"),
        format!("{builder:?}"),
        format!("{error}"),
        format!("{error:?}"),
        format!("{error:#?}"),
    ];
    for text in &shown {
        for canary in [CANARY_SECRET, CANARY_TOKEN, CANARY_ACCESS_TOKEN] {
            assert!(!text.contains(canary), "{canary} leaked in {text}");
        }
    }
    assert!(shown[0].contains("OAuth2 client credentials"));
    assert!(shown[6].contains("getStatusHistory"));
}

#[tokio::test]
async fn the_token_request_never_follows_a_redirect_to_another_origin() {
    // A token endpoint (or a proxy before it) answering 307/308 would have the client re-send the
    // form, client secret included, to the host it names.
    let server = MockServer::start_async().await;
    let elsewhere = MockServer::start_async().await;
    let stolen = elsewhere
        .mock_async(|when, then| {
            when.any_request();
            then.status(200)
                .json_body(json!({ "access_token": "stolen", "expires_in": 600 }));
        })
        .await;
    for status in [307, 308] {
        let path = format!("/redirect-{status}");
        server
            .mock_async(|when, then| {
                when.method(POST).path(path.clone());
                then.status(status).header("location", elsewhere.url(TOKEN_PATH));
            })
            .await;
        let client = sdk_iopole::IopoleClient::builder(sdk_iopole::Environment::custom_with_token_url(
            server.base_url(),
            server.url(&path),
        ))
        .client_credentials(CLIENT_ID, CANARY_SECRET)
        .config(test_config())
        .build()
        .expect("client builds");
        let error = client.status_history(invoice()).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Auth, "{status}: {error:?}");
        assert!(error.to_string().contains(&status.to_string()), "{error}");
    }
    assert_eq!(stolen.calls_async().await, 0, "the other origin saw no request");
}
