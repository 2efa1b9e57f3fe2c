//! The four benchmarked operations, each done three ways against the same server: through the SDK
//! facade; as a hand-written raw `reqwest` call that sends the same request (method, path and
//! query, headers including credentials, body bytes) and reads the same response (decoding the
//! same body the SDK decodes); and through the plain progenitor client of the same spec
//! ([`crate::plain_progenitor`]), as a progenitor user calls it (the legacy XML operation has no
//! plain progenitor call: see [`Operation::plain_progenitor_gap`]).
//!
//! A plain progenitor user puts static credentials in the `reqwest::Client`'s default headers
//! (Iopole's bearer token, AppZen's three headers) and passes Iopole's `customer-id` header
//! parameter to each call's builder. InvoiceXpress's `api_key` query parameter has no place in a
//! plain client: the generator gives that client the key as its inner type and a pre-hook that
//! appends it to the URL (progenitor's own mechanism; see `xtask/src/generate/plain.rs`). The
//! plain clients send the User-Agent the raw calls send. What they send besides the SDK's
//! request is listed in [`PLAIN_EXTRA_HEADERS`].
//!
//! Every client is built once, in [`Clients::new`], with the SDKs' default configuration
//! ([`ClientConfig::default`](sdk_iopole::ClientConfig::default): up to 3 attempts, 30 s per attempt, 120 s per
//! call; no retry ever happens here since every answer is a success). Iopole uses a static bearer
//! token (no OAuth2).
//!

use std::fmt;

use chrono::{DateTime, TimeZone, Utc};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use serde::{Deserialize, Serialize};

use sdk_appzen::{AppZenClient, AppZenCredentials, Region, StatusSync};
use sdk_invoicexpress::legacy::{LegacyClient, XML_CONTENT_TYPE};
use sdk_invoicexpress::types::{Document, DocumentStatus};
use sdk_invoicexpress::{Account, DocumentKind, InvoiceXpressClient, StateChange};
use sdk_iopole::types::SendStatusCode;
use sdk_iopole::{Environment, IopoleClient, SendOutcome, StatusUpdateBuilder};
use uuid::Uuid;

use crate::plain_progenitor;

/// Iopole's static bearer token.
pub const IOPOLE_TOKEN: &str = "bench-static-bearer-token-7f3a9c2e5b";
/// Iopole's `customer-id` (sent on every call).
pub const IOPOLE_CUSTOMER_ID: &str = "0b8c2f7e-8f57-4a5a-9f3d-2a9c1d3e4f50";
/// The invoice Iopole statuses are sent for.
pub const IOPOLE_INVOICE_ID: &str = "6d9bf1a6-25a7-4d48-b641-623c05b0a967";
/// The status message sent to Iopole.
pub const IOPOLE_MESSAGE: &str = "Invoice received !";
/// The InvoiceXpress API key (the `api_key` query parameter).
pub const INVOICEXPRESS_API_KEY: &str = "bench-api-key-4d2c8e1f9a";
/// The JSON API document: seed 002's invoice id.
pub const INVOICEXPRESS_DOCUMENT_ID: i64 = 123_456_789;
/// The legacy API document: a debit note.
pub const LEGACY_DOCUMENT_ID: i64 = 42;
/// AppZen's three credentials.
pub const APPZEN_CREDENTIALS: (&str, &str, &str) =
    ("bench-x-api-key-51c3", "bench-customer-7731", "bench-customer-key-9e0d");
/// The AppZen invoice (seed 003's sample uuid).
pub const APPZEN_INVOICE_UUID: &str = "75823296-4af2-4475-aafd-461c60c284e7";
/// The ERP invoice id and status synced to AppZen.
pub const APPZEN_ERP_INVOICE: (&str, &str) = ("INV-2024-0042", "POSTED");

/// One benchmarked operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Iopole `send_status` (`POST /v1/invoice/{id}/status`, answered 204).
    IopoleSendStatus,
    /// InvoiceXpress JSON `change_state` (`PUT /invoices/{id}/change-state.json`, answered 200
    /// with seed 002's document body), called with the current status `draft` (guard on).
    InvoiceXpressChangeState,
    /// InvoiceXpress legacy XML `change_state` (`PUT /debit_notes/{id}/change-state.xml`,
    /// answered 200 with a small XML document), called with the current status `draft`.
    LegacyChangeState,
    /// AppZen `status_sync` (`POST /dictionary-data-services/invoice/{uuid}/status-sync`, answered
    /// 200 with an empty body and an `x-correlation-id`).
    AppZenStatusSync,
}

impl Operation {
    /// Every operation, in the table's order.
    pub const ALL: [Operation; 4] = [
        Self::IopoleSendStatus,
        Self::InvoiceXpressChangeState,
        Self::LegacyChangeState,
        Self::AppZenStatusSync,
    ];

    /// The table label.
    pub fn label(self) -> &'static str {
        match self {
            Self::IopoleSendStatus => "Iopole `send_status` (204)",
            Self::InvoiceXpressChangeState => "InvoiceXpress JSON `change_state` (200 + seed 002 body)",
            Self::LegacyChangeState => "InvoiceXpress legacy XML `change_state` (200 + small XML)",
            Self::AppZenStatusSync => "AppZen `status_sync` (200, empty)",
        }
    }
}

impl Operation {
    /// Why the operation has no plain progenitor call, or `None` when it has one.
    pub fn plain_progenitor_gap(self) -> Option<&'static str> {
        match self {
            Self::LegacyChangeState => Some(
                "hand-written XML endpoint: the spec marks it `x-sdk-facade`, so progenitor generates no call for it",
            ),
            _ => None,
        }
    }
}

/// Headers the plain progenitor clients send that the SDK and the raw calls do not: progenitor
/// adds `api-version` (the spec's `info.version`) to every request; the SDK's generator drops it
/// (`xtask/src/generate/emit/requests.rs`). [`same_requests`] checks that this is the only
/// difference.
pub const PLAIN_EXTRA_HEADERS: &[&str] = &["api-version"];

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A failed call: what went wrong, in words.
pub type CallError = String;

/// The SDK clients and the raw `reqwest` client, all built once against one base URL.
pub struct Clients {
    base_url: String,
    iopole: IopoleClient,
    invoicexpress: InvoiceXpressClient,
    legacy: LegacyClient,
    appzen: AppZenClient,
    raw: reqwest::Client,
    plain_iopole: plain_progenitor::iopole::Client,
    plain_invoicexpress: plain_progenitor::invoicexpress::Client,
    plain_appzen: plain_progenitor::appzen::Client,
    iopole_invoice: Uuid,
    iopole_customer: Uuid,
    appzen_invoice: Uuid,
    appzen_timestamp: DateTime<Utc>,
    iopole_agent: String,
    invoicexpress_agent: String,
    appzen_agent: String,
}

/// The Iopole status body, as a raw caller writes it.
#[derive(Serialize)]
struct RawStatusUpdate<'a> {
    code: &'a str,
    message: &'a str,
}

/// The InvoiceXpress change-state body, as a raw caller writes it.
#[derive(Serialize)]
struct RawChangeState<'a> {
    invoice: RawState<'a>,
}

#[derive(Serialize)]
struct RawState<'a> {
    state: &'a str,
}

/// The AppZen status-sync body, as a raw caller writes it.
#[derive(Serialize)]
struct RawStatusSync<'a> {
    appzen_invoice_state: &'a str,
    invoice_id: &'a str,
    invoice_status: &'a str,
    timestamp: DateTime<Utc>,
}

/// The change-state answer, as a raw caller reads it: the one document it asked about, under its
/// type's key (a raw caller need not decode the thirteen other keys `DocumentResponse` has room
/// for, so the baseline does not either).
#[derive(Deserialize)]
struct RawInvoiceResponse {
    invoice: Option<Document>,
}

/// The legacy XML document, as a raw caller reads it.
#[derive(Deserialize)]
struct RawLegacyDocument {
    #[serde(default)]
    id: Option<String>,
    #[serde(default, rename = "type")]
    type_: Option<String>,
    #[serde(default, rename = "sequence-number")]
    sequence_number: Option<String>,
    #[serde(default)]
    state: Option<String>,
}

fn failed(what: impl fmt::Display) -> CallError {
    what.to_string()
}

impl Clients {
    /// Builds every client once against `base_url` (`http://127.0.0.1:<port>`).
    pub fn new(base_url: &str) -> Result<Self, CallError> {
        let iopole = IopoleClient::builder(Environment::custom(base_url))
            .bearer_token(IOPOLE_TOKEN)
            .customer_id(IOPOLE_CUSTOMER_ID.parse().map_err(failed)?)
            .config(unpaced())
            .build()
            .map_err(failed)?;
        let invoicexpress = InvoiceXpressClient::builder(Account::custom(base_url))
            .api_key(INVOICEXPRESS_API_KEY)
            .config(unpaced())
            .build()
            .map_err(failed)?;
        let legacy = LegacyClient::builder(Account::custom(base_url))
            .api_key(INVOICEXPRESS_API_KEY)
            .config(unpaced())
            .build()
            .map_err(failed)?;
        let (api_key, customer_id, customer_key) = APPZEN_CREDENTIALS;
        let appzen = AppZenClient::builder(Region::Custom(base_url.to_string()))
            .credentials(AppZenCredentials::new(api_key, customer_id, customer_key))
            .config(unpaced())
            .build()
            .map_err(failed)?;
        let raw = reqwest::Client::builder().build().map_err(failed)?;
        let base_url = base_url.trim_end_matches('/');
        let iopole_agent = iopole.runtime().user_agent().to_string();
        let invoicexpress_agent = invoicexpress.runtime().user_agent().to_string();
        let appzen_agent = appzen.user_agent().to_string();
        let plain_iopole = plain_progenitor::iopole::Client::new_with_client(
            base_url,
            plain_http_client(
                &iopole_agent,
                &[(AUTHORIZATION.as_str(), &format!("Bearer {IOPOLE_TOKEN}"))],
            )?,
        );
        let plain_invoicexpress = plain_progenitor::invoicexpress::Client::new_with_client(
            base_url,
            plain_http_client(&invoicexpress_agent, &[])?,
            INVOICEXPRESS_API_KEY.to_string(),
        );
        let plain_appzen = plain_progenitor::appzen::Client::new_with_client(
            base_url,
            plain_http_client(
                &appzen_agent,
                &[
                    ("x-api-key", api_key),
                    ("customer-id", customer_id),
                    ("customer-key", customer_key),
                ],
            )?,
        );
        Ok(Self {
            base_url: base_url.to_string(),
            iopole_agent,
            invoicexpress_agent,
            appzen_agent,
            iopole,
            invoicexpress,
            legacy,
            appzen,
            raw,
            plain_iopole,
            plain_invoicexpress,
            plain_appzen,
            iopole_invoice: IOPOLE_INVOICE_ID.parse().map_err(failed)?,
            iopole_customer: IOPOLE_CUSTOMER_ID.parse().map_err(failed)?,
            appzen_invoice: APPZEN_INVOICE_UUID.parse().map_err(failed)?,
            appzen_timestamp: Utc
                .with_ymd_and_hms(2020, 11, 1, 11, 1, 0)
                .single()
                .ok_or_else(|| failed("bad time"))?,
        })
    }

    /// One call through the SDK facade.
    pub async fn sdk(&self, operation: Operation) -> Result<(), CallError> {
        match operation {
            Operation::IopoleSendStatus => {
                let update = StatusUpdateBuilder::new(SendStatusCode::InHand).message(IOPOLE_MESSAGE);
                match self
                    .iopole
                    .send_status(self.iopole_invoice, update)
                    .await
                    .map(|reply| reply.value)
                {
                    Ok(SendOutcome::Accepted) => Ok(()),
                    Ok(other) => Err(format!("unexpected outcome {other:?}")),
                    Err(error) => Err(failed(error)),
                }
            }
            Operation::InvoiceXpressChangeState => {
                let reply = self
                    .invoicexpress
                    .change_state(
                        DocumentKind::Invoices,
                        INVOICEXPRESS_DOCUMENT_ID,
                        &StateChange::Finalize,
                        Some(&DocumentStatus::Draft),
                    )
                    .await
                    .map_err(failed)?;
                match reply.value.document.and_then(|document| document.status) {
                    Some(DocumentStatus::Final) => Ok(()),
                    other => Err(format!("unexpected document status {other:?}")),
                }
            }
            Operation::LegacyChangeState => {
                let reply = self
                    .legacy
                    .change_state(
                        DocumentKind::DebitNotes,
                        LEGACY_DOCUMENT_ID,
                        &StateChange::Finalize,
                        Some(&DocumentStatus::Draft),
                    )
                    .await
                    .map_err(failed)?;
                match reply.value.document.and_then(|document| document.state) {
                    Some(DocumentStatus::Final) => Ok(()),
                    other => Err(format!("unexpected document state {other:?}")),
                }
            }
            Operation::AppZenStatusSync => {
                let (invoice_id, invoice_status) = APPZEN_ERP_INVOICE;
                let sync = StatusSync::created(invoice_id, invoice_status).at(self.appzen_timestamp);
                let receipt = self
                    .appzen
                    .status_sync(self.appzen_invoice, sync)
                    .await
                    .map_err(failed)?;
                match receipt.request_id() {
                    Some(_) => Ok(()),
                    None => Err(failed("no correlation id")),
                }
            }
        }
    }

    /// The same call through the plain progenitor client, as a progenitor user writes it; the
    /// legacy XML operation has none ([`Operation::plain_progenitor_gap`]) and fails.
    pub async fn plain(&self, operation: Operation) -> Result<(), CallError> {
        match operation {
            Operation::IopoleSendStatus => {
                use plain_progenitor::iopole::{Error, types};
                let sent = self
                    .plain_iopole
                    .send_status()
                    .invoice_id(self.iopole_invoice)
                    .customer_id(self.iopole_customer)
                    .body(types::StatusUpdate {
                        attachments: Vec::new(),
                        code: types::SendStatusCode::InHand,
                        message: Some(IOPOLE_MESSAGE.to_string()),
                        payment: None,
                        rejection_detail: None,
                    })
                    .send()
                    .await;
                // The spec's one success body is the 201's; its 204 is `x-sdk-facade` (progenitor
                // takes one success type), so plain progenitor hands the 204 back as unexpected.
                match sent {
                    Err(Error::UnexpectedResponse(response))
                        if response.status() == reqwest::StatusCode::NO_CONTENT =>
                    {
                        let body = response.bytes().await.map_err(failed)?;
                        if body.is_empty() {
                            Ok(())
                        } else {
                            Err(failed("a body with the 204"))
                        }
                    }
                    Ok(reply) => Err(format!("unexpected answer {}", reply.status())),
                    Err(error) => Err(failed(error)),
                }
            }
            Operation::InvoiceXpressChangeState => {
                use plain_progenitor::invoicexpress::types;
                let reply = self
                    .plain_invoicexpress
                    .change_document_state()
                    .document_type(types::DocumentType::Invoices)
                    .document_id(INVOICEXPRESS_DOCUMENT_ID)
                    .body(types::ChangeStateRequest {
                        invoice: Some(types::StateChange {
                            message: None,
                            state: types::StateChangeKind::Finalized,
                        }),
                        quote: None,
                        receipt: None,
                        shipping: None,
                    })
                    .send()
                    .await
                    .map_err(failed)?;
                match reply.into_inner().invoice.and_then(|document| document.status) {
                    Some(types::DocumentStatus::Final) => Ok(()),
                    other => Err(format!("unexpected document status {other:?}")),
                }
            }
            Operation::LegacyChangeState => Err(failed(
                operation.plain_progenitor_gap().unwrap_or("no plain progenitor call"),
            )),
            Operation::AppZenStatusSync => {
                use plain_progenitor::appzen::types;
                let (invoice_id, invoice_status) = APPZEN_ERP_INVOICE;
                let reply = self
                    .plain_appzen
                    .status_sync()
                    .uuid(self.appzen_invoice)
                    .body(types::StatusSyncRequest {
                        appzen_invoice_state: types::AppzenInvoiceState::Created,
                        error_data: None,
                        invoice_id: Some(invoice_id.to_string()),
                        invoice_status: Some(invoice_status.to_string()),
                        timestamp: self.appzen_timestamp,
                    })
                    .send()
                    .await
                    .map_err(failed)?;
                match reply.headers().get("x-correlation-id") {
                    Some(_) => Ok(()),
                    None => Err(failed("no correlation id")),
                }
            }
        }
    }

    /// The same call, hand-written with `reqwest`.
    pub async fn raw(&self, operation: Operation) -> Result<(), CallError> {
        match operation {
            Operation::IopoleSendStatus => {
                let response = self
                    .raw
                    .post(format!("{}/v1/invoice/{}/status", self.base_url, self.iopole_invoice))
                    .header(ACCEPT, "application/json")
                    .header("customer-id", IOPOLE_CUSTOMER_ID)
                    .header(USER_AGENT, &self.iopole_agent)
                    .header(AUTHORIZATION, format!("Bearer {IOPOLE_TOKEN}"))
                    .json(&RawStatusUpdate {
                        code: "IN_HAND",
                        message: IOPOLE_MESSAGE,
                    })
                    .send()
                    .await
                    .map_err(failed)?;
                let status = response.status();
                let body = response.bytes().await.map_err(failed)?;
                if status.is_success() && body.is_empty() {
                    Ok(())
                } else {
                    Err(format!("unexpected answer {status}"))
                }
            }
            Operation::InvoiceXpressChangeState => {
                let response = self
                    .raw
                    .put(format!(
                        "{}/invoices/{}/change-state.json?api_key={INVOICEXPRESS_API_KEY}",
                        self.base_url, INVOICEXPRESS_DOCUMENT_ID
                    ))
                    .header(ACCEPT, "application/json")
                    .header(USER_AGENT, &self.invoicexpress_agent)
                    .json(&RawChangeState {
                        invoice: RawState { state: "finalized" },
                    })
                    .send()
                    .await
                    .map_err(failed)?;
                let status = response.status();
                if !status.is_success() {
                    return Err(format!("unexpected answer {status}"));
                }
                let body = response.bytes().await.map_err(failed)?;
                let decoded: RawInvoiceResponse = serde_json::from_slice(&body).map_err(failed)?;
                match decoded.invoice.and_then(|document| document.status) {
                    Some(DocumentStatus::Final) => Ok(()),
                    other => Err(format!("unexpected document status {other:?}")),
                }
            }
            Operation::LegacyChangeState => {
                let response = self
                    .raw
                    .put(format!(
                        "{}/debit_notes/{}/change-state.xml?api_key={INVOICEXPRESS_API_KEY}",
                        self.base_url, LEGACY_DOCUMENT_ID
                    ))
                    .header(CONTENT_TYPE, XML_CONTENT_TYPE)
                    .header(ACCEPT, "application/xml")
                    .header(USER_AGENT, &self.invoicexpress_agent)
                    .body(format!(
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><invoice><state>{}</state></invoice>",
                        "finalized"
                    ))
                    .send()
                    .await
                    .map_err(failed)?;
                let status = response.status();
                if !status.is_success() {
                    return Err(format!("unexpected answer {status}"));
                }
                let body = response.bytes().await.map_err(failed)?;
                let xml = std::str::from_utf8(&body).map_err(failed)?;
                let document: RawLegacyDocument = quick_xml::de::from_str(xml).map_err(failed)?;
                let id: Option<i64> = document.id.map(|id| id.trim().parse()).transpose().map_err(failed)?;
                std::hint::black_box((id, document.type_, document.sequence_number));
                match document.state.as_deref().map(str::trim) {
                    Some("final") => Ok(()),
                    other => Err(format!("unexpected document state {other:?}")),
                }
            }
            Operation::AppZenStatusSync => {
                let (invoice_id, invoice_status) = APPZEN_ERP_INVOICE;
                let (api_key, customer_id, customer_key) = APPZEN_CREDENTIALS;
                let response = self
                    .raw
                    .post(format!(
                        "{}/dictionary-data-services/invoice/{}/status-sync",
                        self.base_url, self.appzen_invoice
                    ))
                    .header(ACCEPT, "application/json")
                    .header("x-api-key", api_key)
                    .header("customer-id", customer_id)
                    .header("customer-key", customer_key)
                    .header(USER_AGENT, &self.appzen_agent)
                    .json(&RawStatusSync {
                        appzen_invoice_state: "CREATED",
                        invoice_id,
                        invoice_status,
                        timestamp: self.appzen_timestamp,
                    })
                    .send()
                    .await
                    .map_err(failed)?;
                let status = response.status();
                let correlation_id = response
                    .headers()
                    .get("x-correlation-id")
                    .and_then(|value| value.to_str().ok())
                    .map(str::to_owned);
                let body = response.bytes().await.map_err(failed)?;
                if status.is_success() && body.is_empty() && correlation_id.is_some() {
                    Ok(())
                } else {
                    Err(format!("unexpected answer {status}"))
                }
            }
        }
    }
}

/// A `reqwest::Client` as a plain progenitor user builds one: the User-Agent and the static
/// credential headers as default headers.
fn plain_http_client(user_agent: &str, headers: &[(&str, &str)]) -> Result<reqwest::Client, CallError> {
    let mut defaults = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let mut value = HeaderValue::from_str(value).map_err(failed)?;
        value.set_sensitive(true);
        defaults.insert(HeaderName::from_bytes(name.as_bytes()).map_err(failed)?, value);
    }
    reqwest::Client::builder()
        .user_agent(user_agent)
        .default_headers(defaults)
        .build()
        .map_err(failed)
}

/// One request as the server recorded it, for [`same_requests`]'s comparisons.
type Captured = crate::server::CapturedRequest;

/// Sends `operation` once through the SDK, once raw and once through the plain progenitor client
/// (when it has one) with the server recording, and checks that the raw request is identical to
/// the SDK's (method, path and query, every header (sorted), body bytes) and that the plain one
/// is too once the headers in [`PLAIN_EXTRA_HEADERS`] are left out (and that it sends them).
/// Returns the SDK's request.
pub async fn same_requests(
    server: &crate::server::Server,
    clients: &Clients,
    operation: Operation,
) -> Result<Captured, CallError> {
    let sdk = captured(server, "SDK", operation, clients.sdk(operation)).await?;
    let raw = captured(server, "raw", operation, clients.raw(operation)).await?;
    if raw != sdk {
        return Err(format!(
            "{operation}: the raw request differs from the SDK's\n  SDK: {sdk:?}\n  raw: {raw:?}"
        ));
    }
    if operation.plain_progenitor_gap().is_none() {
        let plain = captured(server, "plain progenitor", operation, clients.plain(operation)).await?;
        let missing: Vec<&str> = PLAIN_EXTRA_HEADERS
            .iter()
            .copied()
            .filter(|extra| !plain.headers.iter().any(|(name, _)| name == extra))
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "{operation}: the plain progenitor request lacks {missing:?}; update PLAIN_EXTRA_HEADERS\n  plain: {plain:?}"
            ));
        }
        let mut trimmed = plain.clone();
        trimmed
            .headers
            .retain(|(name, _)| !PLAIN_EXTRA_HEADERS.contains(&name.as_str()));
        if trimmed != sdk {
            return Err(format!(
                "{operation}: the plain progenitor request differs from the SDK's (beyond {PLAIN_EXTRA_HEADERS:?})\n  SDK:   {sdk:?}\n  plain: {plain:?}"
            ));
        }
    }
    Ok(sdk)
}

/// Runs `call` with the server recording, and returns the one request it sent.
async fn captured(
    server: &crate::server::Server,
    side: &str,
    operation: Operation,
    call: impl std::future::Future<Output = Result<(), CallError>>,
) -> Result<Captured, CallError> {
    server.capture(true);
    let outcome = call.await;
    let requests = server.capture(false);
    outcome.map_err(|error| format!("{operation} ({side}): {error}"))?;
    match <[Captured; 1]>::try_from(requests) {
        Ok([request]) => Ok(request),
        Err(requests) => Err(format!(
            "{operation}: expected one {side} request, saw {}",
            requests.len()
        )),
    }
}

/// The default configuration without the providers' rate budgets: the calls-per-second rows
/// measure what a call costs, not how the SDK paces a burst (the drain rows measure that).
fn unpaced() -> sdk_iopole::ClientConfig {
    sdk_iopole::ClientConfig {
        rate_limits: Some(sdk_iopole::RateLimits::none()),
        ..sdk_iopole::ClientConfig::default()
    }
}
