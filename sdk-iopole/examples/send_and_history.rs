//! Sends a status for an invoice, then reads the invoice's status history.
//!
//! By default everything runs against a local httpmock server (an OAuth2 token endpoint and the
//! two Iopole endpoints), and each request the mock receives is printed with its credentials
//! redacted. Set `IOPOLE_CLIENT_ID`, `IOPOLE_CLIENT_SECRET` and `IOPOLE_INVOICE_ID` (optionally
//! `IOPOLE_ENV`, `IOPOLE_CUSTOMER_ID`) to run it against the real sandbox instead.
//!
//! ```text
//! cargo run -p sdk-iopole --example send_and_history
//! ```

use std::sync::{Arc, Mutex};

use httpmock::MockServer;
use httpmock::prelude::*;
use sdk_iopole::types::SendStatusCode;
use sdk_iopole::{Environment, IopoleClient, IopoleClientBuilder, SendOutcome, StatusUpdateBuilder, Uuid};

/// Seed 001's example history item.
const HISTORY_ITEM: &str = r#"{
  "statusId": "f47ac10b-58cc-4372-a567-0e02b2c3d479",
  "date": "2024-07-16T20:35:16Z",
  "destType": "OPERATOR",
  "invoiceId": "6d9bf1a6-25a7-4d48-b641-623c05b0a967",
  "status": {"code": "205", "value": "Approved", "desc": "Approuvée",
             "message": "La facture est en cours de traitement par le destinataire"},
  "json": {"context": {"id": "LC_APPROVED_STREAM", "name": "LifeCycle - Approuvée",
                       "sender": {"name": "Sender Company", "siren": "123456789",
                                  "roleCode": {"code": "BUYER", "value": "BY", "desc": "Acheteur"}}}}
}"#;

type Log = Arc<Mutex<Vec<String>>>;

/// Records a request line with its credentials redacted.
fn record(log: &Log, request: &httpmock::HttpMockRequest) {
    let mut line = format!("{} {}", request.method(), request.uri().path());
    for (name, value) in request.headers_vec() {
        match name.to_ascii_lowercase().as_str() {
            "authorization" => line.push_str(&format!("\n    {name}: {}", redact_authorization(value))),
            "customer-id" | "content-type" => line.push_str(&format!("\n    {name}: {value}")),
            _ => {}
        }
    }
    if request.uri().path().ends_with("/token") {
        line.push_str("\n    body: grant_type=client_credentials&client_id=...&client_secret=[REDACTED]");
    } else if !request.body_ref().is_empty() {
        line.push_str(&format!("\n    body: {}", String::from_utf8_lossy(request.body_ref())));
    }
    if let Ok(mut log) = log.lock() {
        log.push(line);
    }
}

/// Keeps the scheme (`Bearer`), hides the credential.
fn redact_authorization(value: &str) -> String {
    match value.split_once(' ') {
        Some((scheme, _)) => format!("{scheme} [REDACTED]"),
        None => "[REDACTED]".into(),
    }
}

fn print_log(log: &Log) {
    if let Ok(mut log) = log.lock() {
        for line in log.drain(..) {
            println!("  -> {line}");
        }
    }
}

async fn start_mock(log: &Log) -> MockServer {
    let server = MockServer::start_async().await;
    let l = log.clone();
    server
        .mock_async(move |when, then| {
            when.method(POST)
                .path("/realms/iopole/protocol/openid-connect/token")
                .is_true(move |r| {
                    record(&l, r);
                    true
                });
            then.status(200)
                .json_body(serde_json::json!({"access_token": "example-access-token", "expires_in": 600}));
        })
        .await;
    let l = log.clone();
    server
        .mock_async(move |when, then| {
            when.method(POST)
                .path_includes("/v1/invoice/")
                .path_suffix("/status")
                .is_true(move |r| {
                    record(&l, r);
                    true
                });
            then.status(204);
        })
        .await;
    let l = log.clone();
    server
        .mock_async(move |when, then| {
            when.method(GET).path_suffix("/status-history").is_true(move |r| {
                record(&l, r);
                true
            });
            then.status(200)
                .header("content-type", "application/json")
                .body(format!("[{HISTORY_ITEM}]"));
        })
        .await;
    server
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let log: Log = Arc::default();
    let real = std::env::var("IOPOLE_CLIENT_ID").is_ok() && std::env::var("IOPOLE_CLIENT_SECRET").is_ok();

    // Keep the mock server alive for the whole run.
    let mut _server = None;
    let (client, invoice) = if real {
        let invoice: Uuid = std::env::var("IOPOLE_INVOICE_ID")
            .map_err(|_| "set IOPOLE_INVOICE_ID to an invoice of your sandbox account")?
            .trim()
            .parse()?;
        // Defaults to the sandbox when IOPOLE_ENV is not set.
        let client = IopoleClientBuilder::from_lookup(|name| match std::env::var(name) {
            Ok(value) => Some(value),
            Err(_) if name == "IOPOLE_ENV" => Some("sandbox".into()),
            Err(_) => None,
        })?
        .build()?;
        println!("Running against {client}");
        (client, invoice)
    } else {
        let server = start_mock(&log).await;
        let client = IopoleClient::builder(Environment::custom_with_token_url(
            server.base_url(),
            server.url("/realms/iopole/protocol/openid-connect/token"),
        ))
        .client_credentials("example-client", "example-secret")
        .customer_id("0b8c2f7e-8f57-4a5a-9f3d-2a9c1d3e4f50".parse()?)
        .build()?;
        _server = Some(server);
        println!("Running against a local mock ({client}); set IOPOLE_CLIENT_ID/IOPOLE_CLIENT_SECRET for the sandbox");
        (client, "6d9bf1a6-25a7-4d48-b641-623c05b0a967".parse()?)
    };

    println!("\nsend_status({invoice}, IN_HAND)");
    if real {
        println!(
            "  -> POST {}/v1/invoice/{invoice}/status (Authorization: Bearer [REDACTED])",
            client.base_url()
        );
    }
    let outcome = client
        .send_status(
            invoice,
            StatusUpdateBuilder::new(SendStatusCode::InHand).message("Invoice received !"),
        )
        .await;
    print_log(&log);
    match outcome {
        Ok(SendOutcome::Accepted) => println!("  <- accepted (204)"),
        Ok(SendOutcome::Created(created)) => println!("  <- created: {created:?}"),
        Ok(SendOutcome::AcceptedUnreadable(body)) => println!("  <- accepted, body unreadable: {body}"),
        Err(error) => println!("  <- error: {error}\n     body: {:?}", error.body()),
    }

    println!("\nstatus_history({invoice})");
    if real {
        println!(
            "  -> GET {}/v1/invoice/{invoice}/status-history (Authorization: Bearer [REDACTED])",
            client.base_url()
        );
    }
    let history = client.status_history(invoice).await;
    print_log(&log);
    match history {
        Ok(items) => {
            println!("  <- {} status(es)", items.len());
            for entry in items {
                let item = match entry.into_result() {
                    Ok(item) => item,
                    Err(bad) => {
                        println!("     (undecodable status: {})", bad.error());
                        continue;
                    }
                };
                let status = item.lifecycle_status();
                println!(
                    "     {} {} code={:?} -> {}",
                    item.date,
                    item.status_id,
                    item.status.code,
                    match status {
                        Some(s) => format!(
                            "{} {} ({} / {}){}",
                            s.code(),
                            s.name(),
                            s.label_fr(),
                            s.label_en(),
                            if s.is_mandatory() { ", mandatory" } else { "" }
                        ),
                        None => "not a lifecycle status".into(),
                    }
                );
                if let Some(document) = &item.json {
                    println!(
                        "     message {:?}, sender {:?}",
                        document.message_id(),
                        document.sender_party().and_then(|p| p.name.as_deref())
                    );
                }
            }
        }
        Err(error) => println!("  <- error: {error}\n     body: {:?}", error.body()),
    }
    Ok(())
}
