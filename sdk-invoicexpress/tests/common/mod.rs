//! Shared test helpers: a canary API key and clients pointed at a loopback mock server.

#![allow(dead_code)]

use std::time::Duration;

use sdk_invoicexpress::legacy::LegacyClient;
use sdk_invoicexpress::{ClientConfig, InvoiceXpressClient, RetryPolicy, Timeouts};

/// An API key that must appear on the wire (as `api_key`) and nowhere else.
pub const CANARY: &str = "canary-key-7f3a9c1e55d0";

/// Fast retries and short timeouts, so failure tests stay quick.
pub fn fast_config() -> ClientConfig {
    ClientConfig {
        retry: RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(20),
            ..RetryPolicy::default()
        },
        timeouts: Timeouts {
            connect: Duration::from_secs(2),
            attempt: Duration::from_secs(5),
            deadline: Duration::from_secs(20),
        },
        user_agent_suffix: Some("sdk-invoicexpress-tests".into()),
    }
}

pub fn json_client(base_url: &str) -> InvoiceXpressClient {
    json_client_with(base_url, fast_config())
}

pub fn json_client_with(base_url: &str, config: ClientConfig) -> InvoiceXpressClient {
    InvoiceXpressClient::builder()
        .account_name("acme")
        .api_key(CANARY)
        .base_url(base_url)
        .config(config)
        .build()
        .expect("valid test settings")
}

pub fn legacy_client(base_url: &str) -> LegacyClient {
    legacy_client_with(base_url, fast_config())
}

pub fn legacy_client_with(base_url: &str, config: ClientConfig) -> LegacyClient {
    LegacyClient::builder()
        .screen_name("acme")
        .api_key(CANARY)
        .base_url(base_url)
        .config(config)
        .build()
        .expect("valid test settings")
}

/// Asserts that neither the `Display` nor the `Debug` of `value` shows the canary key.
pub fn assert_no_canary<T: std::fmt::Debug + std::fmt::Display>(what: &str, value: &T) {
    let display = value.to_string();
    let debug = format!("{value:?}");
    assert!(
        !display.contains(CANARY),
        "{what}: the key leaked into Display: {display}"
    );
    assert!(!debug.contains(CANARY), "{what}: the key leaked into Debug: {debug}");
}

/// Seed 002's example success body.
pub const SEED_002_RESPONSE: &str = r#"{
  "invoice": {
    "id": 123456789,
    "status": "final",
    "archived": false,
    "type": "Invoice",
    "sequence_number": "5/A",
    "inverted_sequence_number": "A/5",
    "atcud": "ABCD1234-5",
    "sequence_id": 987654321,
    "date": "14/11/2022",
    "due_date": "14/11/2022",
    "reference": null,
    "observations": null,
    "retention": null,
    "permalink": "https://www.app.invoicexpress.com/documents/123456789qwertyuiop",
    "saft_hash": "p6Ex",
    "sum": 2.02,
    "discount": 0.0,
    "before_taxes": 2.02,
    "taxes": 0.47,
    "total": 2.49,
    "currency": "Euro",
    "client": {
      "id": 51452363,
      "name": "Gabriel Cunha",
      "email": "gabriel.cunha@rupeal.com",
      "country": "Portugal"
    },
    "items": [
      {
        "name": "Pencil",
        "description": "The best pencil in the world",
        "unit_price": "2.0244",
        "unit": null,
        "quantity": "1.0",
        "tax": {
          "id": 349454,
          "name": "IVA23",
          "value": 23.0
        },
        "discount": 0.0,
        "subtotal": 2.0244,
        "tax_amount": 0.465612,
        "discount_amount": 0.0,
        "total": 2.49
      }
    ]
  }
}"#;

/// Seed 002's example request body.
pub const SEED_002_REQUEST: &str = r#"{"invoice":{"state":"finalized","message":"Wrong invoice totals."}}"#;
