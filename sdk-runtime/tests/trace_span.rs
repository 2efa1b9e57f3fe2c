//! The span of a call carries its fields and no body: alone in its test binary, so no other test's
//! thread races tracing's callsite interest cache.

mod common;

use common::*;
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use sdk_runtime::Credentials;
use serde_json::json;

#[tokio::test]
async fn one_span_per_operation_with_its_fields_and_no_body() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/things/7");
            then.status(200)
                .json_body(json!({ "id": 7, "name": "BODY-MARKER-31337" }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/things");
            then.status(400)
                .json_body(json!({ "code": "ERROR-BODY-MARKER", "message": "no" }));
        })
        .await;
    let (runtime, http) = runtime(Credentials::None, fast_config(2));

    let (dispatch, capture) = capture();
    let guard = tracing::dispatcher::set_default(&dispatch);
    let reply = get_thing(&runtime, &http, &server.base_url(), "7").await.unwrap();
    let error = create_thing(&runtime, &http, &server.base_url()).await.unwrap_err();
    drop(guard);

    assert_eq!(reply.value.name, "BODY-MARKER-31337");
    assert_eq!(error.body().map(|b| b.code.as_str()), Some("ERROR-BODY-MARKER"));
    let trace = capture.text();
    let closes: Vec<&str> = trace
        .lines()
        .filter(|line| line.contains("sdk.call") && line.contains("close"))
        .collect();
    assert_eq!(closes.len(), 2, "{trace}");
    let get = closes
        .iter()
        .find(|line| line.contains("getThing"))
        .expect("a getThing span");
    // The OpenTelemetry HTTP client conventions, plus the provider and the spec's operation id.
    for field in [
        "otel.name=GET /things/{id}",
        "otel.kind=\"client\"",
        "sdk.provider=\"testprov\"",
        "sdk.operation_id=\"getThing\"",
        "http.request.method=GET",
        "url.template=\"/things/{id}\"",
        "server.address=\"127.0.0.1\"",
        "server.port=",
        "http.response.status_code=200",
    ] {
        assert!(get.contains(field), "{field} missing from {get}");
    }
    let post = closes
        .iter()
        .find(|line| line.contains("createThing"))
        .expect("a createThing span");
    assert!(!get.contains("error.type") && !get.contains("resend_count"), "{get}");
    for field in [
        "http.request.method=POST",
        "url.template=\"/things\"",
        "http.response.status_code=400",
        "error.type=\"400\"",
    ] {
        assert!(post.contains(field), "{field} missing from {post}");
    }
    assert!(!trace.contains("BODY-MARKER"), "a body was traced: {trace}");
}
