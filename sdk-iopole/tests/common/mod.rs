//! Shared test helpers: clients against a loopback httpmock server, the seed examples, canaries.
#![allow(dead_code)]

pub mod oauth;

use std::time::Duration;

use httpmock::MockServer;
use sdk_iopole::{ClientConfig, Environment, IopoleClient, RetryPolicy, Timeouts};

/// A static bearer token that must never be printed.
pub const CANARY_TOKEN: &str = "canary-static-token-7Qx2";
/// An OAuth2 client secret that must never be printed.
pub const CANARY_SECRET: &str = "canary-client-secret-Zx9w";
/// The OAuth2 client id (not a secret).
pub const CLIENT_ID: &str = "sdk-test-client";
/// Access tokens the mock token endpoint hands out; never printed either.
pub const CANARY_ACCESS_TOKEN: &str = "canary-access-token-A1";
pub const CANARY_ACCESS_TOKEN_2: &str = "canary-access-token-B2";
/// Where the mock token endpoint lives (the Keycloak path).
pub const TOKEN_PATH: &str = "/realms/iopole/protocol/openid-connect/token";

/// The invoice of seed 000.
pub const SEED_000_INVOICE: &str = "6d9bf1a6-25a7-4d48-b641-623c05b0a967";
/// The invoice id of seed 001's request.
pub const SEED_001_INVOICE: &str = "32c9aec1-e6d6-4ddf-82a0-42dfa29268f8";

/// Seed 001's response example, verbatim (one object, as the page shows it).
pub const SEED_001_EXAMPLE: &str = r#"{
  "statusId": "f47ac10b-58cc-4372-a567-0e02b2c3d479",
  "date": "2024-07-16T20:35:16Z",
  "destType": "OPERATOR",
  "invoiceId": "f47ac10b-58cc-4372-a567-0e02b2c3d479",
  "status": {
    "code": "205",
    "value": "Approved",
    "desc": "Approuvée",
    "message": "La facture est en cours de traitement par le destinataire"
  },
  "xml": "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>",
  "json": {
    "category": {
      "code": "eInvoicing",
      "value": "S1"
    },
    "context": {
      "id": "LC_APPROVED_STREAM",
      "name": "LifeCycle - Approuvée",
      "date": "2024-07-16T20:36:31Z",
      "sender": {
        "name": "Sender Company",
        "siren": "123456789",
        "siret": "12345678909090",
        "roleCode": {
          "code": "BUYER",
          "value": "BY",
          "desc": "Acheteur"
        }
      },
      "issuer": {
        "name": "Issuer Company",
        "siren": "987654321",
        "siret": "98765432109876",
        "roleCode": {
          "code": "SELLER",
          "value": "SE",
          "desc": "Vendeur"
        }
      },
      "recipients": [
        {
          "name": "Recipient Company",
          "siren": "112233445",
          "siret": "11223344556677",
          "roleCode": {
            "code": "INTERMEDIARY",
            "value": "IN",
            "desc": "Intermédiaire"
          }
        }
      ]
    },
    "responses": [
      {
        "documentReference": {
          "issuerAssignedId": "F-LGjGKOUIQjgFjB",
          "typeCode": "CDAR",
          "receiptDate": "2024-07-16T20:35:16Z",
          "issuerTradeParty": {
            "name": "Issuer Company",
            "siren": "987654321",
            "siret": "98765432109876",
            "roleCode": {
              "code": "SELLER",
              "value": "SE",
              "desc": "Vendeur"
            }
          }
        },
        "documentStatus": {
          "message": "La facture est en cours de traitement par le destinataire",
          "status": {
            "code": "205",
            "value": "Approved",
            "desc": "Approuvée"
          },
          "details": {
            "generatedDate": "2024-07-16T20:36:31Z",
            "reason": "Error occurred during invoice validation process",
            "documentStatusCharacteristic": []
          }
        }
      }
    ]
  }
}"#;

/// Seed 001's example as JSON.
pub fn seed_001_value() -> serde_json::Value {
    serde_json::from_str(SEED_001_EXAMPLE).expect("seed 001 example is JSON")
}

/// A history item with the given status id, invoice id and code.
pub fn history_item(status_id: &str, invoice_id: &str, code: &str) -> serde_json::Value {
    serde_json::json!({
        "statusId": status_id,
        "date": "2025-03-01T10:00:00Z",
        "invoiceId": invoice_id,
        "status": {"code": code}
    })
}

/// No retries and short timeouts, so hit counts are exact and failures are quick.
pub fn test_config() -> ClientConfig {
    ClientConfig {
        retry: RetryPolicy::none(),
        timeouts: Timeouts {
            connect: Duration::from_secs(5),
            attempt: Duration::from_secs(10),
            deadline: Duration::from_secs(20),
        },
        user_agent_suffix: None,
        limits: Default::default(),
        // The budgets have their own tests (budgets.rs); here calls go out at once.
        rate_limits: Some(sdk_iopole::RateLimits::none()),
    }
}

/// A client with the canary static bearer token, against `server`.
pub fn bearer_client(server: &MockServer) -> IopoleClient {
    IopoleClient::builder(Environment::custom(server.base_url()))
        .bearer_token(CANARY_TOKEN)
        .config(test_config())
        .build()
        .expect("client builds")
}

/// A client with OAuth2 client credentials, the token endpoint being on `server` too.
pub fn oauth_client(server: &MockServer) -> IopoleClient {
    IopoleClient::builder(Environment::custom_with_token_url(
        server.base_url(),
        server.url(TOKEN_PATH),
    ))
    .client_credentials(CLIENT_ID, CANARY_SECRET)
    .config(test_config())
    .build()
    .expect("client builds")
}

/// `Authorization` value for `token`.
pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}
