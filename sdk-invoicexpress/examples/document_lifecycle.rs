//! Finalizes, settles and cancels a document, with the transition guard on; then asks the legacy
//! XML client for a change, whose errors read the same way (one error type, one `ErrorExt`).
//!
//! By default it runs against a local httpmock server that prints every request it receives
//! (method, path and query, with the API key redacted):
//!
//! ```sh
//! cargo run -p sdk-invoicexpress --example document_lifecycle
//! ```
//!
//! Against a real account (this changes a real document: use a trial account and a draft; the
//! legacy step runs against the mock only):
//!
//! ```sh
//! INVOICEXPRESS_ACCOUNT=my-account INVOICEXPRESS_API_KEY=... \
//! INVOICEXPRESS_DOCUMENT_TYPE=debit_notes INVOICEXPRESS_DOCUMENT_ID=123 \
//!   cargo run -p sdk-invoicexpress --example document_lifecycle
//! ```

use std::error::Error as StdError;

use httpmock::prelude::*;
use sdk_invoicexpress::legacy::LegacyClient;
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
        let status = lifecycle(&client, kind, id, current.status.unwrap_or(DocumentStatus::Draft), true).await?;
        println!("Final status: {status}");
        return Ok(());
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
    let status = lifecycle(&client, DocumentKind::DebitNotes, 42, DocumentStatus::Draft, false).await?;
    println!("Final status: {status}");

    let legacy = LegacyClient::builder()
        .screen_name("demo")
        .api_key("demo-secret-key")
        .base_url(server.base_url())
        .build()?;
    legacy_finalize(&legacy, DocumentKind::DebitNotes, 42, &status).await;
    Ok(())
}

/// Finalize, settle, then cancel, following the status the API reports; returns the last status.
async fn lifecycle(
    client: &InvoiceXpressClient,
    kind: DocumentKind,
    id: i64,
    mut status: DocumentStatus,
    real: bool,
) -> Result<DocumentStatus, BoxError> {
    let cancel = StateChange::cancel("Issued by mistake (sdk-invoicexpress example)")?;
    for change in [StateChange::Finalize, StateChange::Settle, cancel.clone()] {
        match apply(client, kind, id, &change, &status, real).await {
            Ok(next) => status = next,
            Err(error) => {
                println!("  {}", describe(&error));
                match error.transition_refused() {
                    // Seed 002: only invoice receipts go from settled to canceled; credit and debit
                    // notes can be unsettled first.
                    Some(refused)
                        if change == cancel && refused.allowed.iter().any(|row| row.state.as_str() == "unsettled") =>
                    {
                        status = apply(client, kind, id, &StateChange::Unsettle, &status, real).await?;
                        status = apply(client, kind, id, &cancel, &status, real).await?;
                    }
                    Some(_) => {}
                    None => return Err(error.into()),
                }
            }
        }
    }
    Ok(status)
}

/// The legacy XML client, asked to finalize the document: with its status, seed 004's table
/// refuses that locally; without it, the server decides (the mock answers as InvoiceXpress does,
/// 422 with an `<errors>` body). Both errors read as the JSON client's do.
async fn legacy_finalize(legacy: &LegacyClient, kind: DocumentKind, id: i64, status: &DocumentStatus) {
    for known in [Some(status), None] {
        println!("\nlegacy XML API: finalize ({kind} {id}, status given: {known:?})");
        match legacy.change_state(kind, id, &StateChange::Finalize, known).await {
            Ok(reply) => println!("  < HTTP {}: now {:?}", reply.status.as_u16(), reply.value.status()),
            Err(error) => println!("  {}", describe(&error)),
        }
    }
}

/// What went wrong, for either client: both errors are the runtime's error (over the JSON or the
/// XML error body), with the same `ErrorExt` accessors.
fn describe<B>(error: &sdk_runtime::Error<B>) -> String
where
    sdk_runtime::Error<B>: ErrorExt,
{
    match (error.transition_refused(), error.api_error()) {
        (Some(refused), _) => format!("refused locally, nothing sent: {refused}"),
        (None, Some(api_error)) => format!("< {api_error:?}, messages: {:?}", error.messages()),
        (None, None) => format!("failed: {error} (messages: {:?})", error.messages()),
    }
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
        "{label} document {} {} status={} sequence={} atcud={} date={:?} total={} {}",
        doc.type_.as_deref().unwrap_or("?"),
        doc.id,
        doc.status.as_ref().map_or("?", |s| s.as_str()),
        doc.sequence_number.as_deref().unwrap_or("-"),
        doc.atcud.as_deref().unwrap_or("-"),
        doc.parsed_date().ok().flatten(),
        doc.totals()
            .total
            .and_then(|total| total.decimal_text())
            .unwrap_or_default(),
        doc.currency_code().or(doc.currency_name()).unwrap_or(""),
    );
}

/// A tiny InvoiceXpress: each state the client sends gets the document back in the status it
/// leads to (debit note 42), a legacy change of the (by then canceled) document is refused, and
/// every request is printed with the API key redacted.
async fn mock_invoicexpress(server: &MockServer) {
    server
        .mock_async(|when, then| {
            when.method(PUT).path("/debit_notes/42/change-state.xml");
            then.respond_with(|request: &HttpMockRequest| {
                print_request(request);
                HttpMockResponse::builder()
                    .status(422)
                    .header("content-type", "application/xml")
                    .body("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<errors>\n <error>Invalid state</error>\n</errors>")
                    .build()
            });
        })
        .await;
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
