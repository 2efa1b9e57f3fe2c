//! Finalize and settle an invoice with the transition guard, see a change the table refuses
//! stopped before sending, and cancel a debit note through the legacy XML API, against mocks:
//! `cargo run -p sdk-invoicexpress --example document_lifecycle --features mock`.
//!
//! Against a real account, build the clients with `InvoiceXpressClient::from_env()` and
//! `LegacyClient::from_env()` instead (`INVOICEXPRESS_ACCOUNT`, `INVOICEXPRESS_API_KEY`).

use httpmock::prelude::*;
use sdk_invoicexpress::legacy::LegacyClient;
use sdk_invoicexpress::mock::MockServerExt;
use sdk_invoicexpress::types::{DocumentResponse, DocumentStatus, DocumentType};
use sdk_invoicexpress::{Account, DocumentKind, ErrorExt, InvoiceXpressClient, StateChange};

/// The document InvoiceXpress returns after a change, in the given status.
fn invoice(status: &str) -> Result<DocumentResponse, serde_json::Error> {
    serde_json::from_value(serde_json::json!({
        "invoice": {"id": 123, "status": status, "type": "Invoice", "sequence_number": "5/A", "total": "123.0"}
    }))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // InvoiceXpress, played by a mock built from the spec's typed helpers: one answer per state.
    let server = MockServer::start_async().await;
    for (state, status) in [("finalized", "final"), ("settled", "settled")] {
        let answer = invoice(status)?;
        server.change_document_state(|when, then| {
            let when = when.document_type(&DocumentType::Invoices).document_id(123);
            when.into_inner()
                .json_body_includes(format!(r#"{{"invoice":{{"state":"{state}"}}}}"#));
            then.ok(&answer);
        });
    }
    // The legacy XML endpoint is written by hand in the SDK, and mocked by hand here.
    server.mock(|when, then| {
        when.method(PUT).path("/debit_notes/7/change-state.xml");
        then.status(200)
            .body("<debit_note><id>7</id><state>canceled</state></debit_note>");
    });

    let account = Account::custom(server.base_url());
    let client = InvoiceXpressClient::builder(account.clone())
        .api_key("demo-key")
        .build()?;

    // With the current status given, the guard checks each change against the spec's table.
    let finalized = client
        .change_state(
            DocumentKind::Invoices,
            123,
            &StateChange::Finalize,
            Some(&DocumentStatus::Draft),
        )
        .await?;
    println!("finalized: now {:?}", finalized.status());
    let settled = client
        .change_state(DocumentKind::Invoices, 123, &StateChange::Settle, finalized.status())
        .await?;
    println!("settled: now {:?}", settled.status());

    // Settled → draft is not in the table: refused locally, nothing sent.
    let refused = client
        .change_state(DocumentKind::Invoices, 123, &StateChange::Finalize, settled.status())
        .await
        .expect_err("refused by the guard");
    println!(
        "refused locally: {:?}",
        refused.transition_refused().map(ToString::to_string)
    );

    let legacy = LegacyClient::builder(account).api_key("demo-key").build()?;
    let canceled = legacy
        .change_state(
            DocumentKind::DebitNotes,
            7,
            &StateChange::cancel("Issued twice.")?,
            None,
        )
        .await?;
    println!("legacy cancel: now {:?}", canceled.status());
    Ok(())
}
