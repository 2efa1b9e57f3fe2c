//! Fixtures shared by the integration tests: the seed page's sample values and a client for a mock
//! server.
#![allow(dead_code)]

use httpmock::MockServer;
use sdk_appzen::{AppZenClient, AppZenCredentials, ClientConfig, Region, RetryPolicy, Uuid};
use serde_json::{Value, json};

/// The invoice uuid of the seed's sample request.
pub const UUID: &str = "75823296-4af2-4475-aafd-461c60c284e7";
/// The path of the seed's sample request.
pub const PATH: &str = "/dictionary-data-services/invoice/75823296-4af2-4475-aafd-461c60c284e7/status-sync";
/// The seed's sample credentials.
pub const API_KEY: &str = "R7wsFGLmxZ8Gko8ODwivE3Rmnv1zzuPe4s4ZfQ4R";
pub const CUSTOMER_ID: &str = "100439";
pub const CUSTOMER_KEY: &str = "15d165f255eb18dadf7e85085573bbb852e7ef057e8b96f33faec77aa65c2d1f";
/// The seed's failure sample, verbatim.
pub const SEED_404: &str = r#"{
  "timestamp": "2019-01-17T16:12:45.977+0000",
  "status": 404,
  "error": "Not Found",
  "message": "Error code : 17e3338d - The resource you specified cannot be not found"
}"#;
pub const CORRELATION_ID: &str = "c0ffee00-1234-4abc-8def-000000000042";

pub fn uuid() -> Uuid {
    UUID.parse().unwrap()
}

pub fn credentials() -> AppZenCredentials {
    AppZenCredentials::new(API_KEY, CUSTOMER_ID, CUSTOMER_KEY)
}

/// A client of `server` that sends every request once.
pub fn client(server: &MockServer) -> AppZenClient {
    client_with(
        server,
        ClientConfig {
            retry: RetryPolicy::none(),
            ..ClientConfig::default()
        },
    )
}

pub fn client_with(server: &MockServer, config: ClientConfig) -> AppZenClient {
    AppZenClient::builder(Region::Custom(server.base_url()))
        .credentials(credentials())
        .config(config)
        .build()
        .unwrap()
}

/// The seed's sample body, fixed into valid JSON (the spec's `seedSample` example).
pub fn seed_sample_body() -> Value {
    json!({
        "invoice_id": "string",
        "invoice_status": "string",
        "appzen_invoice_state": "CREATED",
        "timestamp": "2020-11-01T11:01:00Z",
        "error_data": { "message": "string", "status": "string", "exception": "string" }
    })
}
