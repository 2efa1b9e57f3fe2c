//! What a status sync puts on the wire, and how a success comes back.

mod common;

use chrono::{TimeZone, Utc};
use httpmock::Method::POST;
use httpmock::MockServer;
use sdk_appzen::types::StatusSyncRequest;
use sdk_appzen::{ErrorDetails, StatusSync};
use serde_json::json;

use common::*;

fn sample_time() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 11, 1, 11, 1, 0).unwrap()
}

#[tokio::test]
async fn seed_sample_request_is_sent_with_the_three_credential_headers() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .header("x-api-key", API_KEY)
                .header("customer-id", CUSTOMER_ID)
                .header("customer-key", CUSTOMER_KEY)
                .header("content-type", "application/json")
                .header("accept", "application/json")
                .json_body(seed_sample_body());
            then.status(200).header("x-correlation-id", CORRELATION_ID);
        })
        .await;

    // The seed's body carries `error_data` next to the CREATED fields, which `StatusSync` cannot
    // express; a hand-built body goes through `status_sync_request`.
    let request: StatusSyncRequest = serde_json::from_value(seed_sample_body()).unwrap();
    assert_eq!(serde_json::to_value(&request).unwrap(), seed_sample_body());
    let receipt = client(&server).status_sync_request(uuid(), request).await.unwrap();

    mock.assert_async().await;
    assert_eq!(receipt.status.as_u16(), 200);
    assert_eq!(receipt.request_id(), Some(CORRELATION_ID));
}

#[tokio::test]
async fn created_sync_sends_the_created_fields_only() {
    let server = MockServer::start_async().await;
    // The spec's `created` example.
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path(PATH).json_body(json!({
                "invoice_id": "string",
                "invoice_status": "string",
                "appzen_invoice_state": "CREATED",
                "timestamp": "2020-11-01T11:01:00Z"
            }));
            then.status(200).header("x-correlation-id", CORRELATION_ID);
        })
        .await;

    let sync = StatusSync::created("string", "string").at(sample_time());
    let receipt = client(&server).status_sync(uuid(), sync).await.unwrap();

    mock.assert_async().await;
    assert_eq!(receipt.request_id(), Some(CORRELATION_ID));
}

#[tokio::test]
async fn error_sync_sends_error_data_and_no_created_fields() {
    let server = MockServer::start_async().await;
    // The spec's `error` example.
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path(PATH).json_body(json!({
                "appzen_invoice_state": "ERROR",
                "timestamp": "2020-11-01T11:01:00Z",
                "error_data": {
                    "message": "Supplier 10042 is not active in the ERP",
                    "status": "400",
                    "exception": "SupplierInactiveException"
                }
            }));
            then.status(200);
        })
        .await;

    let sync = StatusSync::error(
        ErrorDetails::new("Supplier 10042 is not active in the ERP")
            .status("400")
            .exception("SupplierInactiveException"),
    )
    .at(sample_time());
    let receipt = client(&server).status_sync(uuid(), sync).await.unwrap();

    mock.assert_async().await;
    assert_eq!(receipt.status.as_u16(), 200);
    assert_eq!(receipt.request_id(), None, "no x-correlation-id header was sent");
}

#[tokio::test]
async fn default_timestamp_is_rfc3339_utc_in_whole_seconds() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path(PATH).is_true(|request| {
                let body: serde_json::Value = serde_json::from_slice(request.body_ref()).unwrap_or_default();
                let Some(text) = body["timestamp"].as_str() else {
                    return false;
                };
                let parsed = chrono::DateTime::parse_from_rfc3339(text);
                text.ends_with('Z')
                    && !text.contains('.')
                    && parsed.is_ok_and(|t| (Utc::now() - t.with_timezone(&Utc)).num_seconds().abs() < 60)
            });
            then.status(200);
        })
        .await;

    client(&server)
        .status_sync(uuid(), StatusSync::created("INV-1", "POSTED"))
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn a_200_with_a_body_is_still_success() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path(PATH);
            then.status(200).header("x-correlation-id", CORRELATION_ID).body("OK");
        })
        .await;

    let receipt = client(&server)
        .status_sync(uuid(), StatusSync::created("INV-1", "POSTED"))
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(receipt.request_id(), Some(CORRELATION_ID));
}

#[tokio::test]
async fn any_2xx_is_a_completed_sync_whatever_its_body() {
    // 201 is listed as a success on one AppZen page; a 2xx is a sync that happened, never an
    // error inviting a second send, whatever body comes with it.
    for (status, body) in [
        (201, ""),
        (201, r#"{"result":"ok","unexpected":[1,2]}"#),
        (202, "accepted"),
        (204, ""),
        (200, "{not json"),
    ] {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(POST).path(PATH);
                then.status(status)
                    .header("x-correlation-id", CORRELATION_ID)
                    .body(body);
            })
            .await;
        let receipt = client(&server)
            .status_sync(uuid(), StatusSync::created("INV-1", "POSTED"))
            .await
            .unwrap_or_else(|error| panic!("{status} {body:?}: {error:?}"));
        mock.assert_async().await;
        assert_eq!(receipt.status.as_u16(), status);
        assert_eq!(receipt.request_id(), Some(CORRELATION_ID));
    }
}

#[tokio::test]
async fn user_agent_names_the_sdk_and_the_suffix() {
    let server = MockServer::start_async().await;
    let expected = format!("sdk-appzen/{} my-erp/2.1", env!("CARGO_PKG_VERSION"));
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .header("user-agent", expected.as_str())
                // progenitor's undocumented `api-version` header is not generated.
                .header_missing("api-version");
            then.status(200);
        })
        .await;

    let config = sdk_appzen::ClientConfig {
        user_agent_suffix: Some("my-erp/2.1".into()),
        ..Default::default()
    };
    let client = client_with(&server, config);
    assert_eq!(client.user_agent(), expected);
    client
        .status_sync(uuid(), StatusSync::created("INV-1", "POSTED"))
        .await
        .unwrap();
    mock.assert_async().await;
}
