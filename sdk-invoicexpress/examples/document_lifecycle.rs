//! Finalizes, settles and cancels a document, with the transition guard on.
//!
//! By default it runs against a local httpmock server that prints every request it receives
//! (method, path and query, with the API key redacted):
//!
//! ```sh
//! cargo run -p sdk-invoicexpress --example document_lifecycle
//! ```
//!
//! Against a real account (this changes a real document: use a trial account and a draft):
//!
//! ```sh
//! INVOICEXPRESS_ACCOUNT=my-account INVOICEXPRESS_API_KEY=... \
//! INVOICEXPRESS_DOCUMENT_TYPE=debit_notes INVOICEXPRESS_DOCUMENT_ID=123 \
//!   cargo run -p sdk-invoicexpress --example document_lifecycle
//! ```

use std::error::Error as StdError;

use httpmock::prelude::*;
use sdk_invoicexpress::types::{Document, DocumentStatus};
use sdk_invoicexpress::{DocumentKind, ENV_ACCOUNT, ENV_API_KEY, ErrorExt, InvoiceXpressClient, StateChange};
use serde_json::json;

type BoxError = Box<dyn StdError + Send + Sync>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), BoxError> {
    let real = std::env::var_os(ENV_ACCOUNT).is_some() && std::env::var_os(ENV_API_KEY).is_some();
    if real {
        let kind: DocumentKind = std::env::var("INVOICEXPRESS_DOCUMENT_TYPE")
            .unwrap_or_else(|_| "debit_notes".into())
            .parse()?;
        let Some(id) = std::env::var("INVOICEXPRESS_DOCUMENT_ID")
            .ok()
            .and_then(|id| id.parse().ok())
        else {
            eprintln!(
                "Set INVOICEXPRESS_DOCUMENT_ID to the id of a draft document of that account (and optionally INVOICEXPRESS_DOCUMENT_TYPE)."
            );
            std::process::exit(2);
        };
        let client = InvoiceXpressClient::from_env()?;
        println!("Using the account at {}", client.base_url());
        let current = client.get_document(kind, id).await?.value;
        show("read", &current);
        return lifecycle(&client, kind, id, current.status.unwrap_or(DocumentStatus::Draft), true).await;
    }

    let server = MockServer::start_async().await;
    mock_invoicexpress(&server).await;
    let client = InvoiceXpressClient::builder()
        .account_name("demo")
        .api_key("demo-secret-key")
        .base_url(server.base_url())
        .build()?;
    println!("Using a local mock of InvoiceXpress at {}", client.base_url());
    println!("client: {client:?}");
    lifecycle(&client, DocumentKind::DebitNotes, 42, DocumentStatus::Draft, false).await
}

/// Finalize, settle, then cancel, following the status the API reports.
async fn lifecycle(
    client: &InvoiceXpressClient,
    kind: DocumentKind,
    id: i64,
    mut status: DocumentStatus,
    real: bool,
) -> Result<(), BoxError> {
    let cancel = StateChange::cancel("Issued by mistake (sdk-invoicexpress example)")?;
    for change in [StateChange::Finalize, StateChange::Settle, cancel.clone()] {
        match apply(client, kind, id, &change, &status, real).await {
            Ok(next) => status = next,
            Err(error) => match error.transition_refused() {
                // Seed 002: only invoice receipts go from settled to canceled; credit and debit
                // notes can be unsettled first.
                Some(refused)
                    if change == cancel && refused.allowed.iter().any(|row| row.state.as_str() == "unsettled") =>
                {
                    println!("  refused locally, nothing sent: {refused}");
                    status = apply(client, kind, id, &StateChange::Unsettle, &status, real).await?;
                    status = apply(client, kind, id, &cancel, &status, real).await?;
                }
                Some(refused) => println!("  refused locally, nothing sent: {refused}"),
                None => {
                    println!("  failed: {error} (messages: {:?})", error.messages());
                    return Err(error.into());
                }
            },
        }
    }
    println!("Final status: {status}");
    Ok(())
}

/// One state change with the guard on; returns the new status.
async fn apply(
    client: &InvoiceXpressClient,
    kind: DocumentKind,
    id: i64,
    change: &StateChange,
    status: &DocumentStatus,
    real: bool,
) -> Result<DocumentStatus, sdk_invoicexpress::Error> {
    println!("\n{change} ({kind} {id}, currently {status})");
    if real {
        println!("  > PUT /{kind}/{id}/change-state.json?api_key=[REDACTED]");
    }
    let reply = client.change_state(kind, id, change, Some(status)).await?;
    if let Some(document) = &reply.value.document {
        show("  <", document);
    } else {
        println!("  < HTTP {} without a body", reply.status.as_u16());
    }
    Ok(reply.value.status().cloned().unwrap_or_else(|| status.clone()))
}

fn show(label: &str, doc: &Document) {
    println!(
        "{label} document {} {} status={} sequence={} atcud={} date={:?} total={:?} {}",
        doc.type_.as_deref().unwrap_or("?"),
        doc.id,
        doc.status.as_ref().map_or("?", |s| s.as_str()),
        doc.sequence_number.as_deref().unwrap_or("-"),
        doc.atcud.as_deref().unwrap_or("-"),
        doc.parsed_date().ok().flatten(),
        doc.total,
        doc.currency.as_deref().unwrap_or(""),
    );
}

/// A tiny InvoiceXpress: each state the client sends gets the document back in the status it
/// leads to (debit note 42), and every request is printed with the API key redacted.
async fn mock_invoicexpress(server: &MockServer) {
    let transitions = [
        ("finalized", "final", "3/DN"),
        ("settled", "settled", "3/DN"),
        ("unsettled", "final", "3/DN"),
        ("canceled", "canceled", "3/DN"),
    ];
    for (state, status, sequence) in transitions {
        let document = json!({"debit_note": {
            "id": 42, "status": status, "type": "DebitNote", "sequence_number": sequence,
            "atcud": "ABCD1234-3", "date": "14/11/2022", "total": 24.6, "currency": "Euro",
            "items": [{"name": "Consulting", "unit_price": "20.0", "quantity": "1.0"}]
        }});
        server
            .mock_async(|when, then| {
                when.method(PUT)
                    .path("/debit_notes/42/change-state.json")
                    .json_body_includes(json!({"invoice": {"state": state}}).to_string());
                then.respond_with(move |request: &HttpMockRequest| {
                    print_request(request);
                    HttpMockResponse::builder()
                        .status(200)
                        .header("content-type", "application/json")
                        .body(document.to_string())
                        .build()
                });
            })
            .await;
    }
}

fn print_request(request: &HttpMockRequest) {
    let uri = request.uri();
    let query: Vec<String> = request
        .query_params()
        .into_iter()
        .map(|(name, value)| {
            if name == "api_key" {
                format!("{name}=[REDACTED]")
            } else {
                format!("{name}={value}")
            }
        })
        .collect();
    println!(
        "  > {} {}?{} {}",
        request.method_str(),
        uri.path(),
        query.join("&"),
        request.body_string()
    );
}
