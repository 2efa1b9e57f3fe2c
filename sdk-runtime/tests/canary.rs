//! The canary test: one distinctive secret, used as a bearer token, an `api_key` query value, a
//! credential header and OAuth2 client secret and token, driven through every error path. It must
//! appear in no `Display`, no `Debug` and no tracing output, even when the server echoes it.
//!
//! This file holds a single test, so it can install a process-wide TRACE subscriber (which also
//! receives `log` records from the HTTP stack, and events from every thread).

mod common;

use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use reqwest::header::HeaderName;
use sdk_runtime::{ClientConfig, ClientCredentialsFlow, Credentials, Error, ErrorKind, REDACTED, Runtime, Secret};
use serde_json::json;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::util::SubscriberInitExt;

const CANARY: &str = "CANARY-s3cr3t-7f1d";

#[derive(Clone, Copy, Debug)]
enum Scheme {
    Bearer,
    Query,
    Header,
    OAuth2,
}

fn credentials(scheme: Scheme, server: &MockServer) -> Credentials {
    match scheme {
        Scheme::Bearer => Credentials::Bearer(Secret::new(CANARY)),
        Scheme::Query => Credentials::QueryApiKey {
            name: "api_key",
            value: Secret::new(CANARY),
        },
        Scheme::Header => Credentials::Headers(vec![(HeaderName::from_static("x-api-key"), Secret::new(CANARY))]),
        Scheme::OAuth2 => Credentials::OAuth2(Arc::new(ClientCredentialsFlow::new(
            server.url("/oauth/token"),
            "client-1",
            Secret::new(CANARY),
            None,
            reqwest::Client::new(),
        ))),
    }
}

fn config() -> ClientConfig {
    let mut config = fast_config(2);
    config.timeouts.attempt = Duration::from_millis(150);
    config
}

/// Every way a call can fail, and the server echoing the secret wherever it can.
async fn mock_every_path(server: &MockServer) {
    let echo = format!("you sent {CANARY}");
    server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth/token");
            then.status(200)
                .json_body(json!({ "access_token": CANARY, "expires_in": 3600 }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth/refused");
            then.status(401)
                .json_body(json!({ "error": "invalid_client", "error_description": echo }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/things/unauthorized");
            then.status(401)
                .header("www-authenticate", format!("Bearer error=\"{CANARY}\""))
                .header("x-correlation-id", "corr-401")
                .json_body(json!({ "code": "unauthorized", "message": echo }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/things/missing");
            then.status(404).header("content-type", "text/plain").body(&echo);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/things/invalid");
            then.status(422).json_body(json!({ "code": CANARY, "message": echo }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/things/crash");
            then.status(500).body(format!(
                "panic at handler; Authorization: Bearer {CANARY}; api_key={CANARY}"
            ));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/things/busy");
            then.status(503).header("x-echo", CANARY).body(&echo);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/things/slow");
            then.status(200)
                .json_body(json!({ "id": 1, "name": "late" }))
                .delay(Duration::from_secs(2));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/things/garbled");
            then.status(200).body(format!("{{not json {CANARY}"));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/things/mistyped");
            then.status(200).json_body(json!({ "id": CANARY, "name": "x" }));
        })
        .await;
}

/// Proof that the secret really goes on the wire in each scheme (so its absence from the output
/// means something).
async fn mock_authenticated_success<'a>(server: &'a MockServer, scheme: Scheme) -> httpmock::Mock<'a> {
    server
        .mock_async(|when, then| {
            let when = when.method(GET).path("/things/ok");
            match scheme {
                Scheme::Bearer | Scheme::OAuth2 => when.header("authorization", format!("Bearer {CANARY}")),
                Scheme::Query => when.query_param("api_key", CANARY),
                Scheme::Header => when.header("x-api-key", CANARY),
            };
            then.status(200).json_body(json!({ "id": 1, "name": "ok" }));
        })
        .await
}

/// Everything an error can show: `Display` (plain and alternate), `Debug` (plain and pretty), and
/// the same for each error in its source chain.
fn everything_shown<E: std::fmt::Debug>(error: &Error<E>) -> String {
    let mut shown = format!("{error}\n{error:#}\n{error:?}\n{error:#?}\n");
    let mut source = error.source();
    while let Some(cause) = source {
        shown.push_str(&format!("{cause}\n{cause:?}\n{cause:#?}\n"));
        source = cause.source();
    }
    shown
}

fn assert_clean<E: std::fmt::Debug>(scheme: Scheme, path: &str, error: &Error<E>, shown: &mut Vec<String>) {
    let text = everything_shown(error);
    assert!(!text.contains(CANARY), "{scheme:?} {path}: the secret leaked:\n{text}");
    assert!(text.contains("getThing"), "{scheme:?} {path}: {text}");
    shown.push(text);
}

#[tokio::test]
async fn canary_secret_never_shows() {
    let capture = Capture::default();
    tracing_subscriber::fmt()
        // Everything at TRACE, the HTTP stack included; only the mock server (which logs what it
        // receives, secret included, as a server would) is left out.
        .with_env_filter(EnvFilter::new("trace,httpmock=off"))
        .with_ansi(false)
        .with_span_events(FmtSpan::FULL)
        .with_writer(capture.clone())
        .finish()
        .try_init()
        .unwrap();

    let server = MockServer::start_async().await;
    mock_every_path(&server).await;
    let refused = refused_base_url();
    let base = server.base_url();
    let mut shown = Vec::new();

    for scheme in [Scheme::Bearer, Scheme::Query, Scheme::Header, Scheme::OAuth2] {
        let runtime = Runtime::new(PROVIDER, credentials(scheme, &server), config()).unwrap();
        let http = runtime.http_client().unwrap();
        let described = format!("{runtime:?} {:?} {:#?}", credentials(scheme, &server), runtime.config());
        assert!(!described.contains(CANARY), "{described}");

        let ok = mock_authenticated_success(&server, scheme).await;
        get_thing(&runtime, &http, &base, "ok").await.unwrap();
        assert_eq!(ok.calls_async().await, 1, "{scheme:?}: the secret was not sent");
        ok.delete_async().await;

        let expectations: [(&str, Option<u16>, ErrorKind); 8] = [
            ("unauthorized", Some(401), ErrorKind::Api),
            ("missing", Some(404), ErrorKind::Api),
            ("invalid", Some(422), ErrorKind::Api),
            ("crash", Some(500), ErrorKind::Api),
            ("busy", Some(503), ErrorKind::Api),
            ("slow", None, ErrorKind::Timeout),
            ("garbled", Some(200), ErrorKind::Decode),
            ("mistyped", Some(200), ErrorKind::Decode),
        ];
        for (path, status, kind) in expectations {
            let error = get_thing(&runtime, &http, &base, path).await.unwrap_err();
            assert_eq!(error.kind(), kind, "{scheme:?} {path}: {error}");
            assert_eq!(error.status().map(|s| s.as_u16()), status, "{scheme:?} {path}");
            assert_clean(scheme, path, &error, &mut shown);
            if path == "crash" {
                // The error keeps one copy of the body, scrubbed: the echo is replaced in it too.
                let raw = error.raw_body().unwrap();
                assert!(raw.contains(REDACTED) && !raw.contains(CANARY), "{raw}");
            }
            if path == "invalid" {
                // The typed body is decoded from the scrubbed text.
                assert_eq!(error.body().map(|b| b.code.as_str()), Some(REDACTED));
            }

            // The same through the hand-written path.
            let request = http.get(format!("{base}/things/{path}"));
            let error = send_raw(&runtime, &http, request, "getThing").await;
            if let Err(error) = error {
                assert_clean(scheme, path, &error, &mut shown);
            }
        }

        let error = get_thing(&runtime, &http, &refused, "7").await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Connect, "{scheme:?}: {error}");
        assert_eq!(error.attempts(), 2);
        assert_clean(scheme, "refused", &error, &mut shown);
        let error = send_raw(&runtime, &http, http.get(format!("{refused}/things/7")), "getThing")
            .await
            .unwrap_err();
        assert_clean(scheme, "refused (raw)", &error, &mut shown);
    }

    // The token endpoint refusing a secret it echoes back.
    let flow = ClientCredentialsFlow::new(
        server.url("/oauth/refused"),
        "client-1",
        Secret::new(CANARY),
        None,
        reqwest::Client::new(),
    );
    let runtime = Runtime::new(PROVIDER, Credentials::OAuth2(Arc::new(flow)), config()).unwrap();
    let http = runtime.http_client().unwrap();
    let error = get_thing(&runtime, &http, &base, "7").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Auth);
    assert_clean(Scheme::OAuth2, "token refused", &error, &mut shown);
    assert!(shown.last().unwrap().contains("invalid_client"));

    // The check can fail: what was shown and traced is real output, with the operation in it.
    assert_eq!(shown.len(), 4 * 16 + 1);
    let trace = capture.text();
    assert!(!trace.is_empty());
    for expected in [
        "sdk.call",
        "getThing",
        "/things/{id}",
        "retrying",
        "status=503",
        "status=401",
    ] {
        assert!(trace.contains(expected), "{expected} missing from the trace:\n{trace}");
    }
    assert!(!trace.contains(CANARY), "the secret leaked into tracing:\n{trace}");
}
