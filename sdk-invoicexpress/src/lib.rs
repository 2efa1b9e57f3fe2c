#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod amounts;
mod client;
mod config;
mod document;
mod ensure;
mod error;
mod generated;
pub mod legacy;
mod list;
mod state;
mod transitions;
mod wrapped;

/// The spec's types: the generated request and response types (with the accessors this crate
/// adds, such as [`Document::parsed_date`](types::Document::parsed_date),
/// [`Document::totals`](types::Document::totals), [`Document::currency_code`](types::Document::currency_code),
/// [`DecimalValue::decimal_text`](types::DecimalValue::decimal_text) and
/// [`DecimalValue::as_f64`](types::DecimalValue::as_f64)) and the open enums, whose `Unknown`
/// variant keeps values this version does not list. [`Document`](types::Document) keeps the
/// fields the spec does not name in its `extra` map.
pub mod types {
    pub use crate::generated::client::types::*;
    pub use crate::generated::open_enums::*;
}

/// Typed httpmock helpers generated from the spec, for your own tests (feature `mock`):
/// [`MockServerExt`](mock::MockServerExt) adds one method per generated operation to
/// `httpmock::MockServer`, with typed `When` matchers (path parameters, body) and a `Then` answer
/// per documented status.
///
/// ```
/// use httpmock::MockServer;
/// use sdk_invoicexpress::mock::MockServerExt;
/// use sdk_invoicexpress::types::{ChangeStateRequest, DocumentType, StateChange as WireChange, StateChangeKind};
/// use sdk_invoicexpress::{Account, DocumentKind, InvoiceXpressClient, StateChange};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let server = MockServer::start_async().await;
/// let change = WireChange { state: StateChangeKind::Finalized, message: None };
/// let expected = ChangeStateRequest { invoice: Some(change), ..Default::default() };
/// let mock = server.change_document_state(|when, then| {
///     when.document_type(&DocumentType::Invoices).document_id(7).body(&expected);
///     then.ok(&Default::default());
/// });
///
/// let client = InvoiceXpressClient::builder(Account::custom(server.base_url())).api_key("test-key").build()?;
/// client.change_state(DocumentKind::Invoices, 7, &StateChange::Finalize, None).await?;
/// mock.assert_async().await;
/// # Ok(())
/// # }
/// ```
#[cfg(feature = "mock")]
pub use generated::mock;

/// The spec's operations, one constant each (operation id, progenitor's name, method, path), and
/// the whole table: what errors and traces name, and what [`InvoiceXpressClient::runtime`]'s call wrappers
/// take when you run a call of [`GeneratedClient`] yourself.
pub use generated::operations;

/// The progenitor-generated client underneath [`InvoiceXpressClient`] (see [`InvoiceXpressClient::generated`]), for
/// what the facade does not wrap. Run its calls through the runtime's call wrappers
/// ([`sdk_runtime::Runtime::call`], `call_write`) to get this SDK's [`Error`].
pub use generated::client::Client as GeneratedClient;

pub use amounts::Totals;
pub use client::{InvoiceXpressClient, InvoiceXpressClientBuilder, StateChanged};
pub use config::{Account, ENV_ACCOUNT, ENV_API_KEY, ENV_BASE_URL, ENV_LEGACY_BASE_URL};
pub use document::{Atcud, InvalidDate, parse_date};
pub use ensure::{AppliedStep, MAX_UNCERTAIN_RETRIES, StateEnsured, TargetState, TargetUnreachable};
pub use error::{ApiError, Error, ErrorExt};
pub use list::{DocumentFilter, DocumentPage};

/// The result of every JSON API call: a [`Reply`] (value, status, headers, `request_id()`) or an
/// [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
pub use state::{CancelReason, DocumentFamily, DocumentKind, EmptyCancelReason, StateChange, UnknownDocumentKind};

/// The stream trait of [`InvoiceXpressClient::list_documents`], and its combinators (`next`,
/// `try_collect`...), re-exported from `futures-util`.
pub use futures_util::stream::{Stream, StreamExt, TryStreamExt};
/// One item of a tolerant list: decoded, or kept as raw JSON with the reason it did not decode.
pub use sdk_runtime::{Tolerant, Undecodable};
pub use transitions::{LEGACY_TRANSITIONS, TRANSITIONS, Transition, TransitionRefused, TransitionTable};

pub use sdk_runtime::{
    BodyLimits, BodyProblem, ClientConfig, ConfigError, Env, ErrorKind, Quota, RateLimits, Reply, RequestOutcome,
    RetryPolicy, Secret, SuccessBody, Timeouts, UnreadableBody,
};
