//! Send a lifecycle status, read the invoice's history, and drain the not-seen statuses, against a
//! mock made from the generated typed helpers:
//! `cargo run -p sdk-iopole --example send_and_history --features mock`.
//!
//! Against the real sandbox, build the client with `IopoleClient::from_env()` instead
//! (`IOPOLE_ENV=sandbox`, `IOPOLE_CLIENT_ID`, `IOPOLE_CLIENT_SECRET`).

use httpmock::MockServer;
use sdk_iopole::mock::MockServerExt;
use sdk_iopole::types::{NotSeenInvoiceStatuses, SendStatusCode, StatusHistoryItem};
use sdk_iopole::{Environment, IopoleClient, NotSeenStatus, SendOutcome, StatusUpdateBuilder, Tolerant, Uuid};

/// Seed 001's example history item: the invoice was approved (lifecycle code 205).
const APPROVED: &str = r#"{"statusId": "f47ac10b-58cc-4372-a567-0e02b2c3d479", "date": "2024-07-16T20:35:16Z",
  "destType": "OPERATOR", "invoiceId": "6d9bf1a6-25a7-4d48-b641-623c05b0a967",
  "status": {"code": "205", "value": "Approved", "desc": "Approuvée"}}"#;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let invoice: Uuid = "6d9bf1a6-25a7-4d48-b641-623c05b0a967".parse()?;
    let approved: StatusHistoryItem = serde_json::from_str(APPROVED)?;

    // Iopole, played by a mock built from the spec's typed helpers.
    let server = MockServer::start_async().await;
    server.send_status(|when, then| {
        when.invoice_id(&invoice);
        then.created(&sdk_iopole::types::SendStatusResponse {
            id: Some("st-1".into()),
            type_: Some("INVOICE".into()),
        });
    });
    server.get_status_history(|when, then| {
        when.invoice_id(&invoice);
        then.ok(&vec![Tolerant::Decoded(approved.clone())]);
    });
    server.get_not_seen_statuses(|_, then| {
        let group = NotSeenInvoiceStatuses {
            invoice_id: Some(invoice),
            new_status: vec![Tolerant::Decoded(approved.clone())],
        };
        then.ok(&vec![Tolerant::Decoded(group)]);
    });
    let marked = server.mark_status_as_seen(|when, then| {
        when.status_id(&approved.status_id);
        then.no_content();
    });

    let client = IopoleClient::builder(Environment::custom(server.base_url()))
        .bearer_token("example-token")
        .build()?;

    let update = StatusUpdateBuilder::new(SendStatusCode::InHand).message("Invoice received !");
    let sent = client.send_status(invoice, update).await?;
    if let SendOutcome::Created(created) = &sent.value {
        println!("IN_HAND accepted: {:?} (HTTP {})", created.id, sent.status.as_u16());
    }

    for item in client.status_history(invoice).await? {
        match item {
            Tolerant::Decoded(item) => println!("history: {:?} at {:?}", item.lifecycle_status(), item.recorded_at()),
            Tolerant::Undecodable(raw) => println!("history: unreadable ({})", raw.error()),
        }
    }

    // Each not-seen status goes to the handler, and is marked seen only when it returns Ok.
    let report = client
        .drain_not_seen(|status| async move {
            match status {
                NotSeenStatus::Decoded(item) => {
                    println!("ERP applies {:?} to {}", item.lifecycle_status(), item.invoice_id);
                    Ok(())
                }
                NotSeenStatus::Undecodable(item) => Err(format!("kept for later: {}", item.error())),
            }
        })
        .await?;
    println!(
        "drained: {} handled, {} kept",
        report.handled.len(),
        report.failed.len()
    );
    assert_eq!(marked.calls_async().await, 1);
    Ok(())
}
