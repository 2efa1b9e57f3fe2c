//! Error conversion, request ids, the `User-Agent`, credentials on the wire, tracing fields and
//! redirects, against httpmock on loopback.

mod common;

use std::error::Error as _;
use std::time::Duration;

use common::*;
use httpmock::Method::{GET, PUT};
use httpmock::MockServer;
use progenitor_client::ResponseValue;
use reqwest::header::{AUTHORIZATION, HeaderName};
use sdk_runtime::{BodyProblem, ClientConfig, Credentials, Error, ErrorKind, Reply, Runtime, Secret};
use serde_json::json;

#[tokio::test]
async fn typed_error_body_decodes_and_raw_text_is_kept() {
    let server = MockServer::start_async().await;
    let body = r#"{"code":"invalid_siren","message":"SIREN must have 9 digits"}"#;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/things/7");
            then.status(422)
                .header("content-type", "application/json")
                .header("x-correlation-id", "corr-42")
                .body(body);
        })
        .await;
    let (runtime, http) = runtime(Credentials::None, fast_config(3));

    let error = get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(422));
    assert_eq!(
        error.body(),
        Some(&ApiError {
            code: "invalid_siren".into(),
            message: "SIREN must have 9 digits".into()
        })
    );
    assert_eq!(error.raw_body(), Some(body));
    assert_eq!(error.request_id(), Some("corr-42"));
    assert_eq!(error.headers().get("x-correlation-id").unwrap(), "corr-42");
    assert_eq!(error.attempts(), 1);
    assert_eq!(error.operation_id(), "getThing");
    assert_eq!(error.provider(), "testprov");
    assert!(!error.is_retryable());
    let shown = error.to_string();
    assert!(
        shown.contains("testprov") && shown.contains("getThing") && shown.contains("422"),
        "{shown}"
    );
    let debug = format!("{error:?}");
    assert!(debug.contains("invalid_siren") && debug.contains("corr-42"), "{debug}");

    // Facades refine the body type and keep everything else.
    let mapped = error.map_body(|body| body.code);
    assert_eq!(mapped.body().map(String::as_str), Some("invalid_siren"));
    assert_eq!(mapped.raw_body(), Some(body));
    assert_eq!(mapped.request_id(), Some("corr-42"));
}

#[tokio::test]
async fn undecodable_error_body_gives_no_typed_body_but_the_raw_text() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/things/html");
            then.status(404)
                .header("content-type", "text/html")
                .body("<html>Not Found</html>");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/things/other");
            then.status(400).json_body(json!({ "error": "something else" }));
        })
        .await;
    let (runtime, http) = runtime(Credentials::None, fast_config(3));

    let error = get_thing(&runtime, &http, &server.base_url(), "html")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert!(error.body().is_none());
    assert_eq!(error.raw_body(), Some("<html>Not Found</html>"));

    let error = get_thing(&runtime, &http, &server.base_url(), "other")
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    assert!(error.body().is_none());
    assert_eq!(error.raw_body(), Some(r#"{"error":"something else"}"#));
}

#[tokio::test]
async fn invalid_json_on_success_is_a_decode_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/things/7");
            then.status(200)
                .header("x-request-id", "req-7")
                .body("this is not json");
        })
        .await;
    let (runtime, http) = runtime(Credentials::None, fast_config(3));

    let error = get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Decode);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(error.raw_body(), Some("this is not json"));
    assert!(error.body().is_none());
    assert_eq!(error.request_id(), Some("req-7"));
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn request_id_on_success() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/things/7");
            then.status(200)
                .header("x-correlation-id", "corr-ok")
                .json_body(json!({ "id": 7, "name": "a" }));
        })
        .await;
    let (runtime, http) = runtime(Credentials::None, fast_config(3));

    let reply = get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap();

    assert_eq!(reply.request_id(), Some("corr-ok"));
    let reply: Reply<u64> = reply.map(|thing| thing.id);
    assert_eq!(reply.into_value(), 7);
}

#[tokio::test]
async fn send_raw_reads_the_body_and_decodes_errors() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/raw/ok");
            then.status(200)
                .header("content-type", "application/xml")
                .body("<thing id=\"7\"/>");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/raw/conflict");
            then.status(409)
                .header("x-correlation-id", "corr-409")
                .json_body(json!({ "code": "conflict", "message": "busy" }));
        })
        .await;
    let (runtime, http) = runtime(Credentials::None, fast_config(3));

    let reply = send_raw(&runtime, &http, http.get(server.url("/raw/ok")), "getThing")
        .await
        .unwrap();
    assert_eq!(reply.status.as_u16(), 200);
    assert_eq!(&reply.body[..], b"<thing id=\"7\"/>");

    let error = send_raw(&runtime, &http, http.get(server.url("/raw/conflict")), "getThing")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(409));
    assert_eq!(error.body().map(|b| b.code.as_str()), Some("conflict"));
    assert_eq!(error.request_id(), Some("corr-409"));
}

#[tokio::test]
async fn call_optional_maps_an_empty_success_to_none() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/things/empty");
            then.status(200);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/things/accepted");
            then.status(202)
                .header("x-request-id", "req-accepted")
                .json_body(json!({ "id": 3, "name": "later" }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/things/garbled");
            then.status(202).header("x-request-id", "req-garbled").body("{not json");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/things/nocontent");
            then.status(204);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/things/full");
            then.status(200).json_body(json!({ "id": 7, "name": "a" }));
        })
        .await;
    let (runtime, http) = runtime(Credentials::None, fast_config(3));
    let optional = |id: &'static str| {
        let request = http.get(server.url(format!("/things/{id}")));
        let call = generated_send::<Thing>(&runtime, &http, request, "getThing");
        runtime.call_optional::<Thing, ApiError, ApiError>(op("getThing"), call)
    };

    assert!(optional("empty").await.unwrap().value.is_none());
    assert!(optional("nocontent").await.unwrap().value.is_none());
    let accepted = optional("accepted").await.unwrap();
    assert_eq!(accepted.request_id(), Some("req-accepted"));
    assert_eq!(accepted.value.map(|t| t.id), Some(3));
    assert_eq!(optional("full").await.unwrap().value.map(|t| t.id), Some(7));
    // An undocumented 2xx whose body does not decode: a decode error that keeps the headers.
    let garbled = optional("garbled").await.unwrap_err();
    assert_eq!(garbled.kind(), ErrorKind::Decode);
    assert_eq!(garbled.request_id(), Some("req-garbled"));
    assert_eq!(garbled.raw_body(), Some("{not json"));
}

#[tokio::test]
async fn user_agent_with_and_without_suffix() {
    let server = MockServer::start_async().await;
    let bare = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/things/1")
                .header("user-agent", "sdk-testprov/9.9.9");
            then.status(200).json_body(json!({ "id": 1, "name": "a" }));
        })
        .await;
    let suffixed = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/things/2")
                .header("user-agent", "sdk-testprov/9.9.9 my-erp-sync/2.1");
            then.status(200).json_body(json!({ "id": 2, "name": "b" }));
        })
        .await;

    let (runtime, http) = runtime(Credentials::None, fast_config(1));
    assert_eq!(runtime.user_agent(), "sdk-testprov/9.9.9");
    get_thing(&runtime, &http, &server.base_url(), "1").await.unwrap();
    assert_eq!(bare.calls_async().await, 1);

    let config = ClientConfig {
        user_agent_suffix: Some("my-erp-sync/2.1".into()),
        ..fast_config(1)
    };
    let (runtime, http) = crate::runtime(Credentials::None, config);
    assert_eq!(runtime.user_agent(), "sdk-testprov/9.9.9 my-erp-sync/2.1");
    get_thing(&runtime, &http, &server.base_url(), "2").await.unwrap();
    assert_eq!(suffixed.calls_async().await, 1);

    // A blank suffix is ignored; one a header cannot carry is refused before anything is sent.
    let blank = ClientConfig {
        user_agent_suffix: Some("   ".into()),
        ..fast_config(1)
    };
    let runtime = Runtime::new(PROVIDER, Credentials::None, blank).unwrap();
    assert_eq!(runtime.user_agent(), "sdk-testprov/9.9.9");
    for suffix in ["bad\nsuffix", "bad\r\nX-Injected: yes", "caf\u{e9}"] {
        let config = ClientConfig {
            user_agent_suffix: Some(suffix.into()),
            ..fast_config(1)
        };
        let refused = Runtime::new(PROVIDER, Credentials::None, config).unwrap_err();
        assert!(
            matches!(refused, sdk_runtime::ConfigError::UserAgentSuffix { .. }),
            "{suffix:?}: {refused:?}"
        );
    }
}

#[tokio::test]
async fn credentials_go_on_the_wire_and_header_values_are_sensitive() {
    let server = MockServer::start_async().await;
    let bearer = server
        .mock_async(|when, then| {
            when.path("/things/1").header("authorization", "Bearer tok-123");
            then.status(200).json_body(json!({ "id": 1, "name": "a" }));
        })
        .await;
    let query = server
        .mock_async(|when, then| {
            when.path("/things/2")
                .query_param("api_key", "key-456")
                .query_param("lang", "fr");
            then.status(200).json_body(json!({ "id": 2, "name": "b" }));
        })
        .await;
    let headers = server
        .mock_async(|when, then| {
            when.path("/things/3")
                .header("x-api-key", "hk-789")
                .header("customer-key", "ck-000");
            then.status(200).json_body(json!({ "id": 3, "name": "c" }));
        })
        .await;

    let (runtime, http) = runtime(Credentials::Bearer(Secret::new("tok-123")), fast_config(1));
    get_thing(&runtime, &http, &server.base_url(), "1").await.unwrap();
    let mut request = http.get(server.url("/things/1")).build().unwrap();
    runtime.prepare::<()>(&mut request, "getThing").await.unwrap();
    assert!(request.headers().get(AUTHORIZATION).unwrap().is_sensitive());
    assert!(!format!("{:?}", request.headers()).contains("tok-123"));

    let credentials = Credentials::QueryApiKey {
        name: "api_key",
        value: Secret::new("key-456"),
    };
    let (runtime, http) = crate::runtime(credentials, fast_config(1));
    let request = http.get(server.url("/things/2")).query(&[("lang", "fr")]);
    call::<Thing>(&runtime, &http, request, "getThing").await.unwrap();

    let credentials = Credentials::Headers(vec![
        (HeaderName::from_static("x-api-key"), Secret::new("hk-789")),
        (HeaderName::from_static("customer-key"), Secret::new("ck-000")),
    ]);
    let (runtime, http) = crate::runtime(credentials, fast_config(1));
    get_thing(&runtime, &http, &server.base_url(), "3").await.unwrap();
    let mut request = http.get(server.url("/things/3")).build().unwrap();
    runtime.prepare::<()>(&mut request, "getThing").await.unwrap();
    for name in ["x-api-key", "customer-key"] {
        assert!(request.headers().get(name).unwrap().is_sensitive(), "{name}");
    }
    let shown = format!("{:?} {runtime:?}", request.headers());
    assert!(!shown.contains("hk-789") && !shown.contains("ck-000"), "{shown}");

    assert_eq!(bearer.calls_async().await, 1);
    assert_eq!(query.calls_async().await, 1);
    assert_eq!(headers.calls_async().await, 1);
}

#[test]
fn a_credential_unfit_for_a_header_is_refused_when_the_runtime_is_built() {
    let refused = |credentials: Credentials| Runtime::new(PROVIDER, credentials, fast_config(3)).unwrap_err();
    for token in ["bad\ntoken", "two words", "caf\u{e9}-token", ""] {
        let error = refused(Credentials::Bearer(Secret::new(token)));
        assert!(
            matches!(&error, sdk_runtime::ConfigError::InvalidCredential { name, .. } if name == "authorization"),
            "{error:?}"
        );
        let shown = format!("{error:?}{error}");
        assert!(token.is_empty() || !shown.contains(token), "{shown}");
    }
    let headers = Credentials::Headers(vec![
        (HeaderName::from_static("x-api-key"), Secret::new("good-key")),
        (HeaderName::from_static("customer-key"), Secret::new("bad\r\nkey")),
    ]);
    let error = refused(headers);
    assert!(
        matches!(&error, sdk_runtime::ConfigError::InvalidCredential { name, .. } if name == "customer-key"),
        "{error:?}"
    );
}

#[tokio::test]
async fn cross_origin_redirects_are_not_followed() {
    let origin = MockServer::start_async().await;
    let elsewhere = MockServer::start_async().await;
    let stolen = elsewhere
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(json!({ "id": 1, "name": "stolen" }));
        })
        .await;
    origin
        .mock_async(|when, then| {
            when.method(GET).path("/things/away");
            then.status(302).header("location", elsewhere.url("/things/1"));
        })
        .await;
    origin
        .mock_async(|when, then| {
            when.method(GET).path("/things/moved");
            then.status(301).header("location", "/things/7");
        })
        .await;
    let landed = origin
        .mock_async(|when, then| {
            when.method(GET).path("/things/7").header("x-api-key", "hk-1");
            then.status(200).json_body(json!({ "id": 7, "name": "here" }));
        })
        .await;
    let credentials = Credentials::Headers(vec![(HeaderName::from_static("x-api-key"), Secret::new("hk-1"))]);
    let (runtime, http) = runtime(credentials, fast_config(1));

    // Within the origin, redirects are followed with the credentials.
    let reply = get_thing(&runtime, &http, &origin.base_url(), "moved").await.unwrap();
    assert_eq!(reply.value.name, "here");
    assert_eq!(landed.calls_async().await, 1);

    // Elsewhere, the 3xx itself comes back and the credential header never leaves.
    let error = get_thing(&runtime, &http, &origin.base_url(), "away")
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(302));
    assert_eq!(stolen.calls_async().await, 0);
}

#[test]
fn invalid_request_keeps_its_reason() {
    #[derive(Debug, thiserror::Error, PartialEq)]
    #[error("the invoice id is empty")]
    struct EmptyId;

    let error: Error<ApiError> = Error::invalid_request("testprov", "getThing", EmptyId);

    assert_eq!(error.kind(), ErrorKind::InvalidRequest);
    assert_eq!(error.attempts(), 0);
    assert!(error.status().is_none());
    assert!(!error.is_retryable());
    assert!(error.to_string().contains("the invoice id is empty"), "{error}");
    assert_eq!(error.source().and_then(|s| s.downcast_ref::<EmptyId>()), Some(&EmptyId));
}

#[test]
fn errors_are_send_sync_and_std_errors() {
    fn assert_error<T: std::error::Error + Send + Sync + 'static>() {}
    assert_error::<Error<ApiError>>();
    assert_error::<Error<()>>();
}

#[tokio::test]
async fn generated_invalid_request_is_not_sent() {
    let (runtime, _http) = runtime(Credentials::None, fast_config(3));
    let call = async {
        Err::<ResponseValue<Thing>, _>(progenitor_client::Error::<ApiError>::InvalidRequest("uuid: bad".into()))
    };

    let error = runtime
        .call::<Thing, ApiError, ApiError>(op("getThing"), call)
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::InvalidRequest);
    assert_eq!(error.attempts(), 0);
    assert!(error.to_string().contains("uuid: bad"));
}

#[tokio::test]
async fn the_whole_call_deadline_bounds_the_generated_future() {
    let mut config = fast_config(1);
    config.timeouts.deadline = Duration::from_millis(200);
    let (runtime, _http) = runtime(Credentials::None, config);
    // A call that never finishes (e.g. a stalled body read after the hooks returned).
    let stalled = async {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Err::<ResponseValue<Thing>, _>(progenitor_client::Error::<ApiError>::Custom("unreachable".into()))
    };

    let started = std::time::Instant::now();
    let error = runtime
        .call::<Thing, ApiError, ApiError>(op("getThing"), stalled)
        .await
        .unwrap_err();

    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert!(error.is_retryable());
    assert!(error.to_string().contains("deadline"), "{error}");
}

/// A type like the generated ones: an optional array is a `Vec` with a default, which rejects
/// `null`.
#[derive(Debug, serde::Deserialize, PartialEq)]
struct Listing {
    id: u32,
    #[serde(default)]
    items: Vec<String>,
    note: Option<String>,
}

#[tokio::test]
async fn a_null_where_the_type_expects_an_absent_field_still_decodes() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/listings/1");
            then.status(200)
                .body(r#"{"id":1,"items":null,"note":null,"extra":[null,{"x":null}]}"#);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/listings/2");
            then.status(200).body(r#"{"id":"not a number","items":null}"#);
        })
        .await;
    let (runtime, http) = runtime(Credentials::None, fast_config(1));
    let base = server.base_url();

    let reply: Reply<Listing> = call(&runtime, &http, http.get(format!("{base}/listings/1")), "getThing")
        .await
        .unwrap();
    assert_eq!(
        reply.value,
        Listing {
            id: 1,
            items: Vec::new(),
            note: None
        }
    );

    // A body that is wrong for another reason is still a decode error, with the raw text kept.
    let error = call::<Listing>(&runtime, &http, http.get(format!("{base}/listings/2")), "getThing")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert_eq!(error.raw_body(), Some(r#"{"id":"not a number","items":null}"#));
}

#[tokio::test]
async fn an_unreadable_body_of_a_hand_written_operation_is_kept_not_an_error() {
    let server = MockServer::start_async().await;
    let secret = "decode-canary-secret";
    server
        .mock_async(|when, then| {
            when.method(PUT).path("/things/7.xml");
            then.status(200)
                .header("x-correlation-id", "corr-7")
                .body(format!("<thing><unclosed>{secret}"));
        })
        .await;
    let (runtime, http) = runtime(
        Credentials::QueryApiKey {
            name: "api_key",
            value: Secret::new(secret),
        },
        fast_config(2),
    );
    let reply = send_raw(
        &runtime,
        &http,
        http.put(format!("{}/things/7.xml", server.base_url())),
        "putThingXml",
    )
    .await
    .unwrap();
    assert_eq!(reply.attempts, 1);
    assert_eq!(reply.problem, None);
    let unreadable = runtime.unreadable(
        op("putThingXml"),
        reply.body.clone(),
        BodyProblem::NotDecodable(format!("unexpected <{secret}>")),
    );
    // The bytes are kept, with the echoed key scrubbed from them and from the reason.
    assert_eq!(unreadable.raw_text(), Some("<thing><unclosed>[REDACTED]"));
    assert_eq!(
        unreadable.problem(),
        &BodyProblem::NotDecodable("unexpected <[REDACTED]>".into())
    );
    assert!(!format!("{unreadable} {unreadable:?}").contains(secret));
}
