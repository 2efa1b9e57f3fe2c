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
    for field in [
        "testprov",
        "method=GET",
        "/things/{id}",
        "attempt=1",
        "status=200",
        "latency_ms=",
    ] {
        assert!(get.contains(field), "{field} missing from {get}");
    }
    let post = closes
        .iter()
        .find(|line| line.contains("createThing"))
        .expect("a createThing span");
    for field in ["method=POST", "path=\"/things\"", "status=400"] {
        assert!(post.contains(field), "{field} missing from {post}");
    }
    assert!(!trace.contains("BODY-MARKER"), "a body was traced: {trace}");
}
