//! Push mode: Iopole delivers each new status (and each inbound invoice) to your webhook.
//!
//! This module is independent of any web framework. Give [`WebhookVerifier::verify`] what your
//! server received (method, path with query, headers, body: an [`IncomingRequest`], or an
//! [`http::Request`] through [`WebhookVerifier::verify_http`]); it checks the request came from
//! Iopole and decodes it:
//!
//! - **HMAC** receivers ([`ReceiverAuth::hmac`]): `X-Signature` must be the hex HMAC-SHA256,
//!   keyed with the registered secret, of `{X-Timestamp}\n{METHOD}\n{path_with_query}\n{checksum}`,
//!   where `checksum` is the SHA-256 hex digest of the raw body for a JSON delivery and of the
//!   `file` field's content only for a `multipart/form-data` one. `X-Checksum`, when present, is
//!   checked first. `X-Timestamp` (milliseconds; seconds accepted) must fall within a window
//!   around the verifier's clock, in both directions. The signature is compared in constant time.
//! - **Basic-auth** receivers ([`ReceiverAuth::basic`]): the `Authorization: Basic` credentials
//!   must match, compared in constant time.
//!
//! A failed check is a [`VerifyError`] naming the check; it never contains a secret. A verified
//! status delivery decodes into the history's item type, tolerantly
//! ([`Delivery::Status`], a [`Tolerant`](sdk_runtime::Tolerant)); an invoice delivery gives the
//! file's bytes, `invoiceId` and `senderAcceptStatus` ([`Delivery::Invoice`]).
//!
//! [`Answer`] gives the response Iopole expects for each outcome (2xx with an empty body for an
//! accepted or duplicate delivery, 401 for a failed check, never 429, never plain text), and
//! [`crate::feed::StatusFeed`] hands each status to your handler once, whether it came by push
//! or by pull, de-duplicated through a [`DedupStore`].
//!
//! ```
//! use sdk_iopole::webhook::{Answer, Delivery, IncomingRequest, ReceiverAuth, WebhookVerifier};
//!
//! let verifier = WebhookVerifier::new(ReceiverAuth::hmac("0123456789abcdef0123456789abcdef").unwrap());
//! let headers = http::HeaderMap::new(); // what the server received: here, no signature
//! let request = IncomingRequest::new("POST", "/iopole/status", &headers, b"{}");
//! let answer = match verifier.verify(&request) {
//!     Ok(verified) => {
//!         if let Delivery::Status(status) = verified.delivery { /* hand it on */ }
//!         Answer::Accepted
//!     }
//!     Err(error) => {
//!         assert_eq!(error.to_string(), "missing header X-Timestamp");
//!         Answer::Unauthorized
//!     }
//! };
//! assert_eq!(answer.status(), 401);
//! ```

mod answer;
mod config;
mod dedup;
mod delivery;
mod verify;

pub use answer::Answer;
pub use config::{WebhookConfigError, WebhookRegistrationBuilder};
pub use dedup::{Claim, DedupStore, MemoryDedupStore};
pub use delivery::{Delivery, InvoiceDelivery, UnreadableDelivery, VerifiedDelivery};
pub use verify::{
    CHECKSUM_HEADER, DEFAULT_WINDOW, IDEMPOTENCY_KEY_HEADER, IncomingRequest, ReceiverAuth, SIGNATURE_HEADER,
    TARGET_ELECTRONIC_ADDRESS_HEADER, TIMESTAMP_HEADER, VerifyError, WebhookVerifier, signature,
};

/// The `http` types [`IncomingRequest`] and [`Answer::into_response`] use, re-exported.
pub use http::{HeaderMap, HeaderName, HeaderValue, Request, Response, StatusCode};
