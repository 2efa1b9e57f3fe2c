//! The typed httpmock helpers of the `mock` feature, driven through the client.

mod common;

use httpmock::MockServer;
use sdk_appzen::mock::MockServerExt;
use sdk_appzen::types::{AppzenError, AppzenErrorStatus, StatusSyncRequest};
use sdk_appzen::{ErrorDetails, ErrorKind, StatusSync};

use common::*;

#[tokio::test]
async fn typed_mock_matches_the_uuid_and_the_body() {
    let server = MockServer::start_async().await;
    let sync = StatusSync::error(ErrorDetails::new("Supplier 10042 is not active in the ERP").status("400"));
    let expected = StatusSyncRequest::try_from(sync.clone()).unwrap();
    let mock = server.status_sync(|when, then| {
        when.uuid(&uuid()).body(&expected);
        then.ok().into_inner().header("x-correlation-id", CORRELATION_ID);
    });

    let receipt = client(&server).status_sync(uuid(), sync).await.unwrap();
    mock.assert_async().await;
    assert_eq!(receipt.request_id(), Some(CORRELATION_ID));

    // Another body does not match the mock.
    let other = client(&server)
        .status_sync(uuid(), StatusSync::created("INV-1", "POSTED"))
        .await
        .unwrap_err();
    assert_eq!(other.kind(), ErrorKind::Api);
    assert_eq!(
        other.status().map(|s| s.as_u16()),
        Some(404),
        "httpmock answers 404 when nothing matches"
    );
    assert_eq!(mock.calls_async().await, 1);
}

#[tokio::test]
async fn typed_mock_error_answers_decode_into_the_typed_error() {
    let server = MockServer::start_async().await;
    let seed: AppzenError = serde_json::from_str(SEED_404).unwrap();
    let mock = server.status_sync(|when, then| {
        when.uuid(&uuid());
        then.not_found(&seed);
    });

    let error = client(&server)
        .status_sync(uuid(), StatusSync::created("INV-1", "POSTED"))
        .await
        .unwrap_err();
    mock.assert_async().await;
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.body(), Some(&seed));
    assert_eq!(
        error.body().and_then(|b| b.status.clone()),
        Some(AppzenErrorStatus::Int32(404))
    );
    let raw: serde_json::Value = serde_json::from_str(error.raw_body().unwrap()).unwrap();
    assert_eq!(raw, serde_json::from_str::<serde_json::Value>(SEED_404).unwrap());
}
