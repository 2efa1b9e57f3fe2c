//! The offline tour (`cargo xtask demo`, or `cargo run -p sdk-tour`). Each SDK runs a realistic flow against an embedded mock of
//! its provider (httpmock on 127.0.0.1), printing every request (method and path, credentials
//! redacted, taken from the runtime's `sdk_runtime::request` trace event) and the typed result.
//!
//! With a provider's environment variables set, that provider's part targets its real sandbox
//! instead (see [`USAGE`]).

/// The workspace README's quick starts, compiled as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
mod readme_snippets {}

use std::error::Error as StdError;
use std::fmt::Write as _;

use httpmock::prelude::*;
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};

use sdk_appzen::{AppZenClient, AppZenCredentials, ErrorDetails, Region, StatusSync};
use sdk_invoicexpress::legacy::LegacyClient;
use sdk_invoicexpress::types::DocumentStatus;
use sdk_invoicexpress::{Account, DocumentKind, ErrorExt, InvoiceXpressClient, StateChange, TargetState};
use sdk_iopole::types::{RejectionReason, SendStatusCode};
use sdk_iopole::{Environment, IopoleClient, SendOutcome, StatusUpdateBuilder, Uuid};

type BoxError = Box<dyn StdError + Send + Sync>;

/// What `cargo xtask demo` does, and the environment variables that switch a provider to its sandbox.
pub const USAGE: &str = "\
cargo xtask demo: the offline tour of the three SDKs against embedded mocks (no network, no credentials).

Real sandboxes instead of mocks, per provider, when these are set:
  Iopole         IOPOLE_CLIENT_ID, IOPOLE_CLIENT_SECRET (or IOPOLE_TOKEN), IOPOLE_INVOICE_ID
  InvoiceXpress  INVOICEXPRESS_ACCOUNT, INVOICEXPRESS_API_KEY, INVOICEXPRESS_DOCUMENT_ID (a draft invoice)
  AppZen         APPZEN_API_KEY, APPZEN_CUSTOMER_ID, APPZEN_CUSTOMER_KEY, APPZEN_INVOICE_UUID
";

/// Runs the tour; an error ends it with a message.
pub fn run() -> Result<(), BoxError> {
    let subscriber = tracing_subscriber::registry().with(RequestPrinter);
    tracing::subscriber::set_global_default(subscriber)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        iopole().await?;
        invoicexpress().await?;
        appzen().await?;
        println!("\nTour complete: every call above went through the generated clients and sdk-runtime.");
        Ok(())
    })
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn heading(title: &str) {
    println!("\n== {title} {}", "=".repeat(70usize.saturating_sub(title.len())));
}

fn step(what: &str) {
    println!("\n-- {what}");
}

fn result(text: impl std::fmt::Display) {
    for line in text.to_string().lines() {
        println!("   = {line}");
    }
}

/// Prints the runtime's `sdk_runtime::request` events: `-> METHOD /path?query` (credentials already
/// redacted by the runtime).
struct RequestPrinter;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for RequestPrinter {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() != "sdk_runtime::request" {
            return;
        }
        #[derive(Default)]
        struct Fields {
            method: String,
            target: String,
            attempt: String,
            credentials: String,
        }
        impl Visit for Fields {
            fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
                let text = format!("{value:?}");
                match field.name() {
                    "method" => self.method = text,
                    "target_path" => self.target = text,
                    "attempt" => self.attempt = text,
                    "credentials" => self.credentials = text,
                    _ => {}
                }
            }
            fn record_u64(&mut self, field: &Field, value: u64) {
                if field.name() == "attempt" {
                    self.attempt = value.to_string();
                }
            }
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let retry = if fields.attempt != "1" && !fields.attempt.is_empty() {
            format!("   (attempt {})", fields.attempt)
        } else {
            String::new()
        };
        println!("   -> {} {}{retry}", fields.method, fields.target);
        if !fields.credentials.starts_with("query") {
            println!("      credentials: {}", fields.credentials);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Iopole

const INVOICE: &str = "6d9bf1a6-25a7-4d48-b641-623c05b0a967";
const STATUS_IN_HAND: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
const STATUS_APPROVED: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

fn history_item(status_id: &str, code: &str, value: &str, desc: &str, date: &str) -> serde_json::Value {
    json!({
        "statusId": status_id,
        "date": date,
        "destType": "OPERATOR",
        "invoiceId": INVOICE,
        "status": { "code": code, "value": value, "desc": desc },
        "xml": "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>",
        "json": {
            "identification": { "id": format!("LC_{value}_STREAM"), "name": format!("LifeCycle - {desc}"), "date": date },
            "sender": { "name": "Buyer SAS", "siren": "123456789", "roleCode": "BY" },
            "issuer": null,
            "recipients": [{ "name": "Seller SARL", "siren": "987654321", "roleCode": { "code": "SELLER", "value": "SE", "desc": "Vendeur" } }]
        }
    })
}

async fn iopole_mock(server: &MockServer) {
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/realms/iopole/protocol/openid-connect/token")
                .body_includes("grant_type=client_credentials");
            then.status(200).json_body(
                json!({ "access_token": "demo-access-token-0001", "expires_in": 600, "token_type": "Bearer" }),
            );
        })
        .await;
    let status_path = format!("/v1/invoice/{INVOICE}/status");
    server
        .mock_async(|when, then| {
            when.method(POST).path(status_path.clone()).body_includes("\"IN_HAND\"");
            then.status(204);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path(status_path.clone())
                .body_includes("\"APPROVED\"");
            then.status(201)
                .json_body(json!({ "type": "INVOICE", "id": STATUS_APPROVED }));
        })
        .await;
    let history = json!([
        history_item(
            STATUS_IN_HAND,
            "IN_HAND",
            "In hand",
            "Prise en charge",
            "2026-11-20T09:15:00Z"
        ),
        history_item(STATUS_APPROVED, "205", "Approved", "Approuvée", "2026-11-21T10:02:00Z"),
    ]);
    server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v1/invoice/{INVOICE}/status-history"));
            then.status(200).json_body(history.clone());
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/invoice/status/notSeen");
            then.status(200)
                .json_body(json!([{ "invoiceId": INVOICE, "newStatus": history.clone() }]));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(PUT).path_includes("/markAsSeen");
            then.status(204);
        })
        .await;
}

async fn iopole() -> Result<(), BoxError> {
    heading("Iopole: send lifecycle statuses, read the history, drain not-seen statuses");
    let _server;
    let (client, invoice) = if env("IOPOLE_CLIENT_ID").is_some() || env("IOPOLE_TOKEN").is_some() {
        let invoice = env("IOPOLE_INVOICE_ID").ok_or("set IOPOLE_INVOICE_ID to an invoice of the sandbox")?;
        println!("target: the real Iopole sandbox (credentials from the environment)");
        (IopoleClient::from_env()?, invoice.parse::<Uuid>()?)
    } else {
        let server = MockServer::start_async().await;
        iopole_mock(&server).await;
        let environment = Environment::custom_with_token_url(
            server.base_url(),
            server.url("/realms/iopole/protocol/openid-connect/token"),
        );
        let client = IopoleClient::builder(environment)
            .client_credentials("demo-client", "demo-client-secret-0001")
            .build()?;
        println!("target: an embedded mock of Iopole at {}", server.base_url());
        _server = server;
        (client, INVOICE.parse::<Uuid>()?)
    };
    println!("client: {client:?}");

    step("send IN_HAND (the OAuth2 token is fetched once, then reused)");
    let outcome = client
        .send_status(
            invoice,
            StatusUpdateBuilder::new(SendStatusCode::InHand).message("Invoice received !"),
        )
        .await?;
    result(describe_outcome(&outcome));

    step("send APPROVED");
    let outcome = client
        .send_status(invoice, StatusUpdateBuilder::new(SendStatusCode::Approved))
        .await?;
    result(describe_outcome(&outcome));

    step("a REFUSED status without a reason is refused locally, nothing is sent");
    match client
        .send_status(invoice, StatusUpdateBuilder::new(SendStatusCode::Refused))
        .await
    {
        Ok(outcome) => result(format!("unexpectedly sent: {outcome:?}")),
        Err(error) => result(format!("{:?}: {error}", error.kind())),
    }
    let _ = RejectionReason::VatRateIncorrect; // the 28 reasons are typed: StatusUpdateBuilder::refused(reason)

    step("status history, with lifecycle codes and labels");
    let history = client.status_history(invoice).await?;
    let mut lines = String::new();
    for entry in &history {
        let Some(item) = entry.decoded() else {
            let bad = entry.undecodable().map(|bad| bad.error()).unwrap_or_default();
            writeln!(lines, "(a status the SDK cannot decode: {bad})")?;
            continue;
        };
        match item.lifecycle_status() {
            Some(status) => writeln!(
                lines,
                "{}  {} {:<18} {} / {}{}",
                item.recorded_at().map_or_else(
                    || item.date.to_string(),
                    |date| date.format("%Y-%m-%d %H:%M").to_string()
                ),
                status.code(),
                status.name(),
                status.label_fr(),
                status.label_en(),
                if status.is_mandatory() {
                    "  (mandatory in the reform)"
                } else {
                    ""
                }
            )?,
            None => writeln!(lines, "{}  unknown status code {}", item.date, item.status.code)?,
        }
    }
    result(lines.trim_end());

    step("drain not-seen statuses: handle each, mark it seen only after the handler succeeded");
    let report = client
        .drain_not_seen(|status| async move {
            match status.decoded() {
                Some(item) => println!(
                    "   handler: invoice {} status {} ({})",
                    item.invoice_id, item.status.code, item.status_id
                ),
                None => println!("   handler: a status the SDK cannot decode ({:?})", status.status_id()),
            }
            Ok::<(), std::convert::Infallible>(())
        })
        .await?;
    result(format!(
        "handled and marked seen: {}, handler failures: {}, mark-seen failures: {}",
        report.handled.len(),
        report.failed.len(),
        report.mark_seen_failed.len()
    ));
    iopole_push(&client, invoice).await
}

/// Push mode: a signed webhook delivery is verified and handled once, a tampered one refused, a
/// redelivery absorbed, and the same status arriving by pull only marked seen.
async fn iopole_push(client: &IopoleClient, invoice: Uuid) -> Result<(), BoxError> {
    use sdk_iopole::feed::{FeedStatus, StatusFeed};
    use sdk_iopole::webhook::{self, HeaderMap, HeaderValue, IncomingRequest, ReceiverAuth, WebhookVerifier};

    step("push: a webhook delivery, verified (HMAC-SHA256) and handed to the handler once");
    let secret = sdk_iopole::Secret::new("demo-webhook-secret-0123456789abcdef");
    let verifier = WebhookVerifier::new(ReceiverAuth::hmac(secret.clone())?);
    let handled = std::sync::atomic::AtomicUsize::new(0);
    let feed = StatusFeed::new(|status: FeedStatus| {
        handled.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        println!(
            "   handler: {:?} status {:?} ({:?})",
            status.source,
            status.status.lifecycle_status().map(|s| s.name()),
            status.status.status_id()
        );
        std::future::ready(Ok::<(), std::convert::Infallible>(()))
    });
    // What Iopole would post: the APPROVED status, signed as Iopole signs it.
    let mut item = history_item(
        STATUS_APPROVED,
        "APPROVED",
        "Approved",
        "Approuvée",
        "2026-11-21T10:02:00Z",
    );
    item["invoiceId"] = json!(invoice);
    let body = serde_json::to_vec(&item)?;
    let path = "/hooks/iopole";
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis()
        .to_string();
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    headers.insert("x-timestamp", HeaderValue::from_str(&timestamp)?);
    let signature = webhook::signature(&secret, &timestamp, "POST", path, &body);
    headers.insert("x-signature", HeaderValue::from_str(&signature)?);
    headers.insert("x-idempotency-key", HeaderValue::from_static("demo-delivery-1"));
    for (what, body) in [
        ("signed delivery", body.clone()),
        ("the same delivery with one byte changed", {
            let mut tampered = body.clone();
            if let Some(byte) = tampered.iter_mut().find(|b| **b == b'9') {
                *byte = b'8';
            }
            tampered
        }),
        ("a redelivery of the signed one", body.clone()),
    ] {
        let request = IncomingRequest::new("POST", path, &headers, &body);
        let (answer, note) = match verifier.verify(&request) {
            Ok(delivery) => {
                let outcome = feed.push(delivery).await;
                let kind = match &outcome {
                    sdk_iopole::feed::PushOutcome::Handled(_) => "handled",
                    sdk_iopole::feed::PushOutcome::Duplicate(_) => "duplicate, not handled again",
                    _ => "not handled",
                };
                (outcome.answer(), kind.to_string())
            }
            Err(error) => (webhook::Answer::Unauthorized, format!("refused: {error}")),
        };
        result(format!("{what}: {} ({note})", answer.status()));
    }

    step("pull through the same feed: the status already pushed is only marked seen");
    let report = feed.pull(client).await?;
    result(format!(
        "marked seen: {}, handler calls in all: {} (APPROVED by push only, IN_HAND by pull)",
        report.handled.len(),
        handled.load(std::sync::atomic::Ordering::SeqCst)
    ));
    Ok(())
}

fn describe_outcome(outcome: &SendOutcome) -> String {
    match outcome {
        SendOutcome::Accepted => "accepted (204 No Content): Iopole processes it asynchronously".into(),
        SendOutcome::Created(created) => format!(
            "created (201): {} {}",
            created.type_.as_deref().unwrap_or("resource"),
            created.id.as_deref().unwrap_or("-")
        ),
        SendOutcome::AcceptedUnreadable(unreadable) => format!("accepted, body unreadable: {unreadable}"),
    }
}

// ---------------------------------------------------------------------------------------------
// InvoiceXpress

const DOCUMENT: i64 = 1001;
const DEBIT_NOTE: i64 = 2002;
const QUOTE: i64 = 3003;

async fn invoicexpress_mock(server: &MockServer) {
    let path = format!("/invoices/{DOCUMENT}/change-state.json");
    server
        .mock_async(|when, then| {
            when.method(PUT).path(path.clone()).query_param_exists("api_key").body_includes("\"finalized\"");
            then.status(200).json_body(json!({ "invoice": {
                "id": DOCUMENT, "status": "final", "archived": false, "type": "Invoice",
                "sequence_number": "5/A", "inverted_sequence_number": "A/5", "atcud": "ABCD1234-5",
                "sequence_id": "987654321", "date": "21/11/2026", "due_date": "21/12/2026",
                "reference": null, "observations": null, "retention": null,
                "sum": 100.0, "discount": 0.0, "before_taxes": 100.0, "taxes": 23.0, "total": 123.0,
                "currency": "Euro",
                "client": { "id": 51452363, "name": "Gabriel Cunha", "email": "gabriel@example.com", "country": "Portugal" },
                "items": [{ "name": "Consulting", "description": "November", "unit_price": "100.0", "unit": null,
                            "quantity": "1.0", "tax": { "id": 1, "name": "IVA23", "value": 23.0 },
                            "discount": 0.0, "subtotal": 100.0, "tax_amount": 23.0, "discount_amount": 0.0, "total": 123.0 }]
            }}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(PUT)
                .path(path.clone())
                .query_param_exists("api_key")
                .body_includes("\"settled\"");
            then.status(200);
        })
        .await;
    let quote =
        |status: &str| json!({ "quote": { "id": QUOTE, "status": status, "type": "Quote", "sequence_number": "7/O" } });
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/quotes/{QUOTE}.json"))
                .query_param_exists("api_key");
            then.status(200).json_body(quote("draft"));
        })
        .await;
    for (sent, status) in [("finalized", "final"), ("accepted", "accepted")] {
        server
            .mock_async(|when, then| {
                when.method(PUT)
                    .path(format!("/quotes/{QUOTE}/change-state.json"))
                    .query_param_exists("api_key")
                    .body_includes("\"quote\"")
                    .body_includes(format!("\"{sent}\""));
                then.status(200).json_body(quote(status));
            })
            .await;
    }
    server
        .mock_async(|when, then| {
            when.method(PUT)
                .path(format!("/debit_notes/{DEBIT_NOTE}/change-state.xml"))
                .query_param_exists("api_key")
                .header("content-type", "application/xml; charset=utf-8")
                .body_includes("<state>canceled</state>");
            then.status(200).header("content-type", "application/xml").body(format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<debit_note><id>{DEBIT_NOTE}</id><type>DebitNote</type>\
                 <sequence_number>3/D</sequence_number><state>canceled</state></debit_note>"
            ));
        })
        .await;
}

async fn invoicexpress() -> Result<(), BoxError> {
    heading("InvoiceXpress: finalize and settle, a refused transition, a target state reached, a legacy XML cancel");
    let _server;
    let real = env("INVOICEXPRESS_ACCOUNT").is_some() && env("INVOICEXPRESS_API_KEY").is_some();
    let (client, legacy, document) = if real {
        let document = env("INVOICEXPRESS_DOCUMENT_ID").ok_or("set INVOICEXPRESS_DOCUMENT_ID to a draft invoice")?;
        println!("target: the real InvoiceXpress account (credentials from the environment)");
        (
            InvoiceXpressClient::from_env()?,
            LegacyClient::from_env()?,
            document.parse::<i64>()?,
        )
    } else {
        let server = MockServer::start_async().await;
        invoicexpress_mock(&server).await;
        let key = "demo-api-key-0001";
        let account = Account::custom(server.base_url());
        let client = InvoiceXpressClient::builder(account.clone()).api_key(key).build()?;
        let legacy = LegacyClient::builder(account).api_key(key).build()?;
        println!("target: an embedded mock of InvoiceXpress at {}", server.base_url());
        _server = server;
        (client, legacy, DOCUMENT)
    };
    println!("client: {client:?}");

    step("finalize the draft invoice (guard: draft -> final)");
    let reply = client
        .change_state(
            DocumentKind::Invoices,
            document,
            &StateChange::Finalize,
            Some(&DocumentStatus::Draft),
        )
        .await?;
    match &reply.value.document {
        Some(doc) => result(format!(
            "invoice {} is {} (sequence {}, ATCUD {}, dated {}, total {} {})",
            doc.id,
            doc.status.as_ref().map(|s| s.to_string()).unwrap_or_default(),
            doc.sequence_number.as_deref().unwrap_or("-"),
            doc.atcud.as_deref().unwrap_or("-"),
            doc.parsed_date()
                .ok()
                .flatten()
                .map(|d| d.to_string())
                .unwrap_or_default(),
            doc.totals().total.map(|total| total.to_string()).unwrap_or_default(),
            doc.currency_name().unwrap_or_default()
        )),
        None => result("changed (the 200 had no body)"),
    }

    step("settle it (guard: final -> settled); InvoiceXpress answers 200 with an empty body");
    let reply = client
        .change_state(
            DocumentKind::Invoices,
            document,
            &StateChange::Settle,
            Some(&DocumentStatus::Final),
        )
        .await?;
    result(format!(
        "changed; document in the answer: {}; status the table predicts: {}",
        if reply.value.document.is_some() {
            "yes"
        } else {
            "none (empty 200)"
        },
        reply.value.expected_status().map(|s| s.to_string()).unwrap_or_default()
    ));

    step("unsettle a settled invoice: only credit and debit notes may; refused locally, nothing sent");
    match client
        .change_state(
            DocumentKind::Invoices,
            document,
            &StateChange::Unsettle,
            Some(&DocumentStatus::Settled),
        )
        .await
    {
        Ok(_) => result("unexpectedly allowed"),
        Err(error) => {
            let local = error.transition_refused().is_some() && error.attempts() == 0;
            result(format!("{:?}: {error}", error.kind()));
            result(format!("refused by the local guard, no request sent: {local}"));
        }
    }

    // The real account's document is the invoice just settled: already there, nothing is sent.
    let (kind, id, target) = if real {
        (DocumentKind::Invoices, document, TargetState::Settled)
    } else {
        (DocumentKind::Quotes, QUOTE, TargetState::Accepted)
    };
    step(&format!(
        "ensure_state: {kind} {id} should be {target} (read the status, plan the shortest legal path, apply it)"
    ));
    let reply = client.ensure_state(kind, id, &target).await?;
    let steps: Vec<String> = reply
        .value
        .steps
        .iter()
        .map(|step| {
            format!(
                "{} -> {} (`{}`)",
                step.transition.from, step.transition.to, step.transition.state
            )
        })
        .collect();
    result(if steps.is_empty() {
        format!("already {}: nothing sent", reply.value.status)
    } else {
        format!("now {} after {}", reply.value.status, steps.join(", "))
    });

    step("legacy XML API: cancel a debit note with a reason (escaped by quick-xml)");
    let cancel = StateChange::cancel("Returned goods <RMA-7> & credit issued")?;
    let reply = legacy
        .change_state(
            DocumentKind::DebitNotes,
            DEBIT_NOTE,
            &cancel,
            Some(&DocumentStatus::Final),
        )
        .await?;
    match &reply.value.document {
        Some(doc) => result(format!(
            "{} {} ({}) is now {}",
            doc.type_.as_deref().unwrap_or("document"),
            doc.id.unwrap_or_default(),
            doc.sequence_number.as_deref().unwrap_or("-"),
            doc.state.as_ref().map(|s| s.to_string()).unwrap_or_default()
        )),
        None => result("changed (no XML body)"),
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// AppZen

const APPZEN_INVOICE: &str = "75823296-4af2-4475-aafd-461c60c284e7";
const UNKNOWN_INVOICE: &str = "00000000-0000-4000-8000-000000000404";

async fn appzen_mock(server: &MockServer) {
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!(
                    "/dictionary-data-services/invoice/{APPZEN_INVOICE}/status-sync"
                ))
                .header_exists("x-api-key")
                .header_exists("customer-id")
                .header_exists("customer-key");
            then.status(200)
                .header("x-correlation-id", "c0ffee00-0000-4000-8000-000000000001");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!(
                    "/dictionary-data-services/invoice/{APPZEN_INVOICE}/audit-results"
                ))
                .header_exists("x-api-key");
            then.status(200)
                .header("content-type", "application/json")
                .header("x-correlation-id", "c0ffee00-0000-4000-8000-000000000002")
                .json_body(json!({"audit_results": {
                    "risk_level": "MEDIUM",
                    "status": "Approved",
                    "rules": [
                        {"rule_code": "duplicate_invoice_amount", "risk_message": "No duplicate detected",
                         "risk_results": {"risk_level": "LOW"}},
                        {"rule_code": "supplier_bank_change", "risk_message": "Supplier bank account changed 3 days ago",
                         "risk_results": {"risk_level": "MEDIUM"}}
                    ]
                }}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(format!(
                "/dictionary-data-services/invoice/{UNKNOWN_INVOICE}/status-sync"
            ));
            then.status(404)
                .header("x-correlation-id", "c0ffee00-0000-4000-8000-000000000404")
                .json_body(json!({
                    "timestamp": "2019-01-17T16:12:45.977+0000", "status": 404, "error": "Not Found",
                    "message": "Error code : 17e3338d - The resource you specified cannot be not found"
                }));
        })
        .await;
}

async fn appzen() -> Result<(), BoxError> {
    heading("AppZen: CREATED and ERROR syncs, the audit verdict, and a typed error");
    let _server;
    let (client, invoice) = if env("APPZEN_API_KEY").is_some() {
        let invoice = env("APPZEN_INVOICE_UUID").ok_or("set APPZEN_INVOICE_UUID to an invoice of the sandbox")?;
        println!("target: the real AppZen sandbox (credentials from the environment)");
        let region = Region::from_env(&sdk_appzen::Env::process()).unwrap_or(Region::UsSandbox);
        (
            AppZenClient::builder(region)
                .credentials(AppZenCredentials::from_env()?)
                .build()?,
            invoice.parse::<Uuid>()?,
        )
    } else {
        let server = MockServer::start_async().await;
        appzen_mock(&server).await;
        let credentials = AppZenCredentials::new("demo-x-api-key-0001", "100439", "demo-customer-key-0001");
        let client = AppZenClient::builder(Region::Custom(server.base_url()))
            .credentials(credentials)
            .build()?;
        println!("target: an embedded mock of AppZen at {}", server.base_url());
        _server = server;
        (client, APPZEN_INVOICE.parse::<Uuid>()?)
    };
    println!("client: {client:?}");

    step("CREATED: the invoice exists in the ERP");
    let receipt = client
        .status_sync(invoice, StatusSync::created("INV-2026-0042", "open"))
        .await?;
    result(format!(
        "synced (HTTP {}), correlation id {}",
        receipt.status.as_u16(),
        receipt.request_id().unwrap_or("-")
    ));

    step("ERROR: creating it in the ERP failed");
    let details = ErrorDetails::new("Vendor not found")
        .status("VENDOR_MISSING")
        .exception("LookupError");
    let receipt = client.status_sync(invoice, StatusSync::error(details)).await?;
    result(format!(
        "synced (HTTP {}), correlation id {}",
        receipt.status.as_u16(),
        receipt.request_id().unwrap_or("-")
    ));

    step("AppZen's verdict on the invoice just synced (its audit results)");
    match client.audit_results(invoice).await?.value {
        Some(verdict) => {
            result(format!(
                "status {}, risk {}",
                verdict.status.as_ref().map_or("-", |s| s.as_str()),
                verdict.risk_level.as_ref().map_or("-", |r| r.as_str())
            ));
            for rule in verdict.flagged_rules() {
                result(format!(
                    "flagged: {} ({})",
                    rule.rule_code.as_deref().unwrap_or("-"),
                    rule.risk_message.as_deref().unwrap_or("-")
                ));
            }
        }
        None => result("not audited yet"),
    }

    step("an unknown invoice: AppZen's 404 comes back as a typed error");
    match client
        .status_sync(UNKNOWN_INVOICE.parse::<Uuid>()?, StatusSync::created("INV-X", "open"))
        .await
    {
        Ok(receipt) => result(format!("unexpectedly synced: {receipt:?}")),
        Err(error) => {
            result(format!("{:?}: {error}", error.kind()));
            if let Some(body) = error.body() {
                result(format!(
                    "typed body: error {:?}, message {:?}, code {:?}",
                    body.error.as_deref().unwrap_or_default(),
                    body.message.as_deref().unwrap_or_default(),
                    body.error_code()
                ));
            }
            result(format!("correlation id {}", error.request_id().unwrap_or("-")));
        }
    }
    Ok(())
}
