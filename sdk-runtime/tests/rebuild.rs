//! `Runtime::execute_rebuildable`: a request the caller can build again is built again for another
//! attempt (with the `User-Agent` and the credentials put on as for the first), and never when
//! the first attempt is the last.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use httpmock::Method::GET;
use httpmock::MockServer;
use reqwest::header::ACCEPT;
use sdk_runtime::{ClientCredentialsFlow, Credentials, Error, ErrorKind, Reply, Runtime, Secret};

/// `GET {base}/things/7` as the generated code sends it, through `execute_rebuildable`: the
/// request carries `x-build: n`, n counting the builds, and `rebuild` says whether building again
/// works. Returns the reply and how many times the request was built.
async fn get_rebuildable(
    runtime: &Runtime,
    http: &reqwest::Client,
    base: &str,
    rebuild: bool,
) -> (Result<Reply<Thing>, Error<ApiError>>, usize) {
    let builds = AtomicUsize::new(0);
    let build = || -> Option<reqwest::Request> {
        let build = builds.fetch_add(1, Ordering::SeqCst);
        if build > 0 && !rebuild {
            return None;
        }
        http.get(format!("{base}/things/7"))
            .header(ACCEPT, "application/json")
            .header("x-build", build.to_string())
            .build()
            .ok()
    };
    let operation = op("getThing");
    let send = async {
        let mut request = build().ok_or_else(|| progenitor_client::Error::InvalidRequest("unbuildable".into()))?;
        runtime.prepare(&mut request, operation.generated_id).await?;
        let response = runtime
            .execute_rebuildable(http, request, operation.generated_id, Some(&build))
            .await?;
        match response.status().as_u16() {
            200 => sdk_runtime::__private::response_value(response),
            _ => Err(progenitor_client::Error::ErrorResponse(
                sdk_runtime::__private::response_value::<ApiError, _>(response)?,
            )),
        }
    };
    let reply = runtime.call::<Thing, ApiError, ApiError>(operation, send).await;
    (reply, builds.load(Ordering::SeqCst))
}

#[tokio::test]
async fn a_first_attempt_that_succeeds_builds_the_request_once() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/things/7");
            then.status(200)
                .json_body(serde_json::json!({ "id": 7, "name": "widget" }));
        })
        .await;
    let (runtime, http) = runtime(Credentials::None, fast_config(3));

    let (reply, builds) = get_rebuildable(&runtime, &http, &server.base_url(), true).await;

    assert_eq!(reply.expect("ok").value.name, "widget");
    assert_eq!(builds, 1);
}

#[tokio::test]
async fn another_attempt_sends_the_request_built_again_with_agent_and_credentials() {
    let server = MockServer::start_async().await;
    let unavailable = server
        .mock_async(|when, then| {
            when.method(GET).path("/things/7").header("x-build", "0");
            then.status(503);
        })
        .await;
    let rebuilt = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/things/7")
                .header("x-build", "1")
                .header("authorization", "Bearer tok-9")
                .header("user-agent", "sdk-testprov/9.9.9");
            then.status(200)
                .json_body(serde_json::json!({ "id": 7, "name": "again" }));
        })
        .await;
    let (runtime, http) = runtime(Credentials::Bearer(Secret::new("tok-9")), fast_config(3));

    let (reply, builds) = get_rebuildable(&runtime, &http, &server.base_url(), true).await;

    assert_eq!(reply.expect("the second attempt succeeds").value.name, "again");
    assert_eq!(builds, 2);
    assert_eq!(unavailable.calls_async().await, 1);
    assert_eq!(rebuilt.calls_async().await, 1);
}

#[tokio::test]
async fn a_request_that_cannot_be_built_again_ends_with_the_last_answer() {
    let server = MockServer::start_async().await;
    let unavailable = server
        .mock_async(|when, then| {
            when.method(GET).path("/things/7");
            then.status(503)
                .json_body(serde_json::json!({ "code": "busy", "message": "later" }));
        })
        .await;
    let (runtime, http) = runtime(Credentials::None, fast_config(3));

    let (reply, builds) = get_rebuildable(&runtime, &http, &server.base_url(), false).await;

    let error = reply.expect_err("503");
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.status().map(|status| status.as_u16()), Some(503));
    assert_eq!(error.attempts(), 1);
    assert_eq!(error.body().map(|body| body.code.as_str()), Some("busy"));
    assert_eq!(builds, 2, "tried to build once more");
    assert_eq!(unavailable.calls_async().await, 1);
}

#[tokio::test]
async fn a_token_fetched_after_a_timed_out_attempt_is_not_cut_by_that_attempt_s_end() {
    let server = MockServer::start_async().await;
    let slow = server
        .mock_async(|when, then| {
            when.method(GET).path("/things/7");
            then.status(200).delay(Duration::from_secs(3));
        })
        .await;
    // A 1 s token, renewed half-way through its life: the second attempt needs a new one. Its
    // body arrives after its headers, so reading it waits.
    let token = r#"{"access_token":"tok-1","expires_in":1}"#;
    let tokens = RawServer::start(RawAnswer {
        first: format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            token.len()
        )
        .into_bytes(),
        pause: Duration::from_millis(100),
        rest: token.as_bytes().to_vec(),
    })
    .await;
    let flow = ClientCredentialsFlow::new(
        format!("{}/token", tokens.base_url),
        "client-1",
        Secret::new("secret-1"),
        None,
        reqwest::Client::new(),
    );
    let mut config = fast_config(2);
    config.timeouts.attempt = Duration::from_millis(700);
    let (runtime, http) = runtime(Credentials::OAuth2(Arc::new(flow)), config);

    let (reply, _) = get_rebuildable(&runtime, &http, &server.base_url(), true).await;

    let error = reply.expect_err("both attempts time out");
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error:?}");
    assert_eq!(
        error.attempts(),
        2,
        "the renewed token let the second attempt go: {error:?}"
    );
    assert_eq!(tokens.requests(), 2);
    assert_eq!(slow.calls_async().await, 2);
}
