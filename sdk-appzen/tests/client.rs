//! Building the client (regions, base URLs, credentials), syncs refused locally, and secrets kept
//! out of `Debug`, `Display`, errors and traces.

mod common;

use std::error::Error as _;

use chrono::Utc;
use httpmock::Method::POST;
use httpmock::MockServer;
use sdk_appzen::types::{AppzenInvoiceState, StatusSyncRequest};
use sdk_appzen::{
    AppZenClient, AppZenCredentials, ConfigError, ErrorDetails, ErrorKind, InvalidStatusSync, Region, StatusSync, Uuid,
};

use common::*;

const SECRETS: [&str; 3] = [API_KEY, CUSTOMER_ID, CUSTOMER_KEY];

fn assert_no_secret(shown: &str) {
    for secret in SECRETS {
        assert!(!shown.contains(secret), "a credential leaked into: {shown}");
    }
}

#[test]
fn named_regions_target_appzens_hosts() {
    let cases = [
        (Region::Production, "https://api.appzen.com"),
        (Region::UsSandbox, "https://api.us.sandbox.appzen.com"),
        (Region::Eu, "https://eu-api.appzen.com"),
        (
            Region::Custom("https://gateway.example.com/appzen/".into()),
            "https://gateway.example.com/appzen",
        ),
    ];
    for (region, base_url) in cases {
        let client = AppZenClient::builder(region.clone())
            .credentials(credentials())
            .build()
            .unwrap();
        assert_eq!(client.base_url(), base_url);
        assert_eq!(client.region(), &region);
    }
}

#[tokio::test]
async fn a_custom_base_url_keeps_its_path_prefix() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path(format!("/proxy/appzen{PATH}"));
            then.status(200);
        })
        .await;
    let client = AppZenClient::builder(Region::Custom(format!("{}/proxy/appzen/", server.base_url())))
        .credentials(credentials())
        .build()
        .unwrap();
    client
        .status_sync(uuid(), StatusSync::created("INV-1", "POSTED"))
        .await
        .unwrap();
    mock.assert_async().await;
}

#[test]
fn unusable_base_urls_are_refused_at_build() {
    for url in [
        "not a url",
        "http://api.appzen.com",
        "https://user:pw@api.appzen.com",
        "ftp://api.appzen.com",
    ] {
        let error = AppZenClient::builder(Region::Custom(url.into()))
            .credentials(credentials())
            .build()
            .unwrap_err();
        assert!(matches!(error, ConfigError::InvalidUrl { .. }), "{url}: {error:?}");
    }
}

#[test]
fn unusable_credentials_are_refused_at_build_naming_the_header() {
    let cases = [
        (AppZenCredentials::new("", CUSTOMER_ID, CUSTOMER_KEY), "x-api-key", true),
        (AppZenCredentials::new(API_KEY, "", CUSTOMER_KEY), "customer-id", true),
        (
            AppZenCredentials::new(API_KEY, CUSTOMER_ID, format!("{CUSTOMER_KEY}\r\n")),
            "customer-key",
            false,
        ),
    ];
    for (credentials, header, empty) in cases {
        let error = AppZenClient::builder(Region::UsSandbox)
            .credentials(credentials)
            .build()
            .unwrap_err();
        match &error {
            ConfigError::InvalidCredential { name, reason } => {
                assert_eq!(name, header);
                assert_eq!(reason.contains("empty"), empty, "{reason}");
            }
            other => panic!("{header}: {other:?}"),
        }
        assert!(error.to_string().contains(header), "{error}");
        assert_no_secret(&format!("{error} {error:?}"));
    }
}

#[tokio::test]
async fn invalid_syncs_are_refused_locally_and_nothing_is_sent() {
    let server = MockServer::start_async().await;
    let catch_all = server
        .mock_async(|_, then| {
            then.status(200);
        })
        .await;
    let client = client(&server);

    let typed = [
        (
            StatusSync::created("", "POSTED"),
            uuid(),
            InvalidStatusSync::Empty { field: "invoice_id" },
        ),
        (
            StatusSync::created("INV-1", " "),
            uuid(),
            InvalidStatusSync::Empty {
                field: "invoice_status",
            },
        ),
        (
            StatusSync::error(""),
            uuid(),
            InvalidStatusSync::Empty {
                field: "error_data.message",
            },
        ),
        (
            StatusSync::error(ErrorDetails::new("failed").exception("")),
            uuid(),
            InvalidStatusSync::Empty {
                field: "error_data.exception",
            },
        ),
        (
            StatusSync::created("INV-1", "POSTED"),
            Uuid::nil(),
            InvalidStatusSync::NilUuid,
        ),
    ];
    for (sync, uuid, expected) in typed {
        let error = client.status_sync(uuid, sync).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidRequest, "{error:?}");
        assert_eq!(error.attempts(), 0);
        assert_eq!(error.operation_id(), "statusSync");
        let reason = error.source().and_then(|s| s.downcast_ref::<InvalidStatusSync>());
        assert_eq!(reason, Some(&expected));
    }

    let hand_built = [
        (
            StatusSyncRequest {
                appzen_invoice_state: AppzenInvoiceState::Created,
                error_data: None,
                invoice_id: Some("INV-1".into()),
                invoice_status: None,
                timestamp: Utc::now(),
            },
            InvalidStatusSync::Missing {
                state: "CREATED",
                field: "invoice_status",
            },
        ),
        (
            StatusSyncRequest {
                appzen_invoice_state: AppzenInvoiceState::Error,
                error_data: None,
                invoice_id: None,
                invoice_status: None,
                timestamp: Utc::now(),
            },
            InvalidStatusSync::Missing {
                state: "ERROR",
                field: "error_data",
            },
        ),
    ];
    for (request, expected) in hand_built {
        let error = client.status_sync_request(uuid(), request).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidRequest);
        assert_eq!(
            error.source().and_then(|s| s.downcast_ref::<InvalidStatusSync>()),
            Some(&expected)
        );
        assert!(error.to_string().contains(&expected.to_string()), "{error}");
    }

    assert_eq!(catch_all.calls_async().await, 0, "a refused sync must not be sent");
}

#[tokio::test]
async fn secrets_never_show_in_debug_or_display() {
    let credentials = credentials();
    assert_no_secret(&format!("{credentials:?} {credentials:#?}"));
    let builder = AppZenClient::builder(Region::UsSandbox).credentials(credentials);
    assert_no_secret(&format!("{builder:?}"));
    let client = builder.build().unwrap();
    let shown = format!("{client:?} {client:#?}");
    assert_no_secret(&shown);
    assert!(
        shown.contains("[REDACTED]") && shown.contains("api.us.sandbox.appzen.com"),
        "{shown}"
    );

    // A server that echoes the credentials back in its error body.
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(PATH);
            then.status(401).header("x-correlation-id", CORRELATION_ID).body(format!(
                r#"{{"status":401,"error":"Unauthorized","message":"bad key {API_KEY} for customer {CUSTOMER_ID} / {CUSTOMER_KEY}"}}"#
            ));
        })
        .await;
    let error = common::client(&server)
        .status_sync(uuid(), StatusSync::created("INV-1", "POSTED"))
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(error.request_id(), Some(CORRELATION_ID));
    assert_no_secret(&format!("{error} {error:?} {error:#?}"));
    // The error keeps one copy of the body, with the echoed credentials scrubbed from it too.
    let raw = error.raw_body().unwrap_or_default();
    assert_no_secret(raw);
    assert!(raw.contains("bad key [REDACTED]"), "{raw}");
}
