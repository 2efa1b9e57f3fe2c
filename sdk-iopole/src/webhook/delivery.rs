//! What a verified delivery carries: a status (JSON) or an invoice (multipart).

use std::future::Future;
use std::task::{Context, Poll, Waker};
use std::time::SystemTime;

use bytes::Bytes;
use http::HeaderMap;
use sdk_runtime::Tolerant;
use serde_json::value::RawValue;
use uuid::Uuid;

use super::verify::{IDEMPOTENCY_KEY_HEADER, TARGET_ELECTRONIC_ADDRESS_HEADER, VerifyError, single_header};
use crate::TolerantStatus;
use crate::types::StatusHistoryItem;

/// A delivery that passed verification.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedDelivery {
    /// What it carries.
    pub delivery: Delivery,
    /// `X-Idempotency-Key`: the same for every redelivery of this content.
    pub idempotency_key: Option<String>,
    /// `X-Target-Electronic-Address`: the recipient it is for (`scheme:value`).
    pub target_electronic_address: Option<String>,
    /// When Iopole signed it (`X-Timestamp`), for HMAC receivers.
    pub signed_at: Option<SystemTime>,
}

impl VerifiedDelivery {
    /// The de-duplication key: `X-Idempotency-Key`, else the status's `statusId`, else the
    /// invoice's `invoiceId` (prefixed by their kind so that they never collide).
    pub fn dedup_key(&self) -> Option<String> {
        if let Some(key) = &self.idempotency_key {
            return Some(format!("idempotency:{key}"));
        }
        match &self.delivery {
            Delivery::Status(status) => status.status_id().map(|id| format!("status:{id}")),
            Delivery::Invoice(invoice) => invoice.invoice_id.map(|id| format!("invoice:{id}")),
            Delivery::Unreadable(_) => None,
        }
    }
}

/// The content of a delivery.
// The status is the usual delivery: boxing it would cost an allocation per delivery.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Delivery {
    /// A status (`application/json`), decoded like a history item: one the SDK cannot read is
    /// [`Tolerant::Undecodable`] with its raw JSON, never an error.
    Status(Tolerant<StatusHistoryItem>),
    /// An inbound invoice (`multipart/form-data`).
    Invoice(InvoiceDelivery),
    /// An authenticated body that is neither JSON nor multipart form data: kept whole.
    Unreadable(UnreadableDelivery),
}

/// An inbound invoice delivered by push.
#[derive(Clone, Debug, PartialEq)]
pub struct InvoiceDelivery {
    /// The `file` field's content (the invoice, for example a PDF), exactly as received.
    pub file: Bytes,
    /// The file name the `file` field carries, if any.
    pub file_name: Option<String>,
    /// The content type of the `file` field, if given.
    pub file_content_type: Option<String>,
    /// `invoiceId`, when present and a UUID. Only the file is signed: check the identifier
    /// against the API before trusting it.
    pub invoice_id: Option<Uuid>,
    /// `invoiceId` as received, when present (also when it is not a UUID).
    pub raw_invoice_id: Option<String>,
    /// `senderAcceptStatus`: whether the invoice's sender can receive statuses (`None` when
    /// absent or neither `true` nor `false`).
    pub sender_accept_status: Option<bool>,
}

/// A verified delivery whose body could not be read as a status.
#[derive(Clone, Debug, PartialEq)]
pub struct UnreadableDelivery {
    /// The `Content-Type` received.
    pub content_type: Option<String>,
    /// The body, exactly as received.
    pub body: Bytes,
    /// Why it could not be read.
    pub error: String,
}

/// The body, split as the signature needs it.
pub(super) enum Content {
    Json { body: Bytes, content_type: Option<String> },
    Multipart(InvoiceDelivery),
}

impl Content {
    /// Reads the body by its content type: `multipart/form-data` is parsed (the signed content
    /// is the `file` field), anything else is signed whole.
    pub(super) fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Self, VerifyError> {
        let content_type = single_header(headers, "content-type", "Content-Type")?.map(str::to_string);
        let is_multipart = content_type.as_deref().is_some_and(|ct| {
            ct.trim_start()
                .get(..19)
                .is_some_and(|prefix| prefix.eq_ignore_ascii_case("multipart/form-data"))
        });
        match content_type {
            Some(content_type) if is_multipart => parse_multipart(&content_type, body).map(Self::Multipart),
            content_type => Ok(Self::Json {
                body: Bytes::copy_from_slice(body),
                content_type,
            }),
        }
    }

    /// The bytes the checksum covers.
    pub(super) fn signed_bytes(&self) -> &[u8] {
        match self {
            Self::Json { body, .. } => body,
            Self::Multipart(invoice) => &invoice.file,
        }
    }

    pub(super) fn into_delivery(self, headers: &HeaderMap, signed_at: Option<SystemTime>) -> VerifiedDelivery {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let delivery = match self {
            Self::Multipart(invoice) => Delivery::Invoice(invoice),
            Self::Json { body, content_type } => match serde_json::from_slice::<Box<RawValue>>(&body) {
                Ok(raw) => Delivery::Status(Tolerant::from_raw(raw)),
                Err(error) => Delivery::Unreadable(UnreadableDelivery {
                    content_type,
                    body,
                    error: format!("not JSON: {error}"),
                }),
            },
        };
        VerifiedDelivery {
            delivery,
            idempotency_key: header(IDEMPOTENCY_KEY_HEADER),
            target_electronic_address: header(TARGET_ELECTRONIC_ADDRESS_HEADER),
            signed_at,
        }
    }
}

/// Parses a multipart body held in memory with `multer`.
fn parse_multipart(content_type: &str, body: &[u8]) -> Result<InvoiceDelivery, VerifyError> {
    let boundary = multer::parse_boundary(content_type).map_err(|e| VerifyError::MalformedMultipart(e.to_string()))?;
    let data = Bytes::copy_from_slice(body);
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::convert::Infallible>(data) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let parse = async move {
        let mut file: Option<(Bytes, Option<String>, Option<String>)> = None;
        let mut raw_invoice_id = None;
        let mut sender_accept_status = None;
        while let Some(field) = multipart.next_field().await? {
            let name = field.name().map(str::to_string);
            let file_name = field.file_name().map(str::to_string);
            let file_content_type = field.content_type().map(ToString::to_string);
            let data = field.bytes().await?;
            match name.as_deref() {
                Some("file") => {
                    if file.is_some() {
                        return Ok(Err(VerifyError::MissingFile));
                    }
                    file = Some((data, file_name, file_content_type));
                }
                Some("invoiceId") => raw_invoice_id = Some(String::from_utf8_lossy(&data).trim().to_string()),
                Some("senderAcceptStatus") => {
                    sender_accept_status = match String::from_utf8_lossy(&data).trim() {
                        value if value.eq_ignore_ascii_case("true") => Some(true),
                        value if value.eq_ignore_ascii_case("false") => Some(false),
                        _ => None,
                    }
                }
                _ => {}
            }
        }
        let Some((file, file_name, file_content_type)) = file else {
            return Ok(Err(VerifyError::MissingFile));
        };
        Ok::<_, multer::Error>(Ok(InvoiceDelivery {
            file,
            file_name,
            file_content_type,
            invoice_id: raw_invoice_id.as_deref().and_then(|id| id.parse().ok()),
            raw_invoice_id,
            sender_accept_status,
        }))
    };
    match poll_ready(parse) {
        Some(Ok(result)) => result,
        Some(Err(error)) => Err(VerifyError::MalformedMultipart(error.to_string())),
        None => Err(VerifyError::MalformedMultipart("the parser did not finish".into())),
    }
}

/// Runs a future that never waits (it reads from memory only) to completion without a runtime.
fn poll_ready<F: Future>(future: F) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    // Every read is served from memory, so it completes on the first poll; the bound only
    // guards against a future that would wait for something that never comes.
    for _ in 0..64 {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return Some(output);
        }
    }
    None
}
