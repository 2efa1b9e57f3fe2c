#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod client;
mod decode;
mod drain;
mod generated;
mod lifecycle;
mod update;

pub use client::{
    Auth, Environment, IopoleClient, IopoleClientBuilder, PRODUCTION_BASE_URL, PRODUCTION_TOKEN_URL, PROVIDER,
    SANDBOX_BASE_URL, SANDBOX_TOKEN_URL,
};
pub use drain::{
    DrainOptions, DrainReport, HandlerFailure, MarkSeenFailure, NotSeenStatus, TolerantStatus, UndecodableStatus,
    UnmarkableStatus,
};
pub use lifecycle::{LifecycleStatus, UnknownLifecycleStatus};
pub use update::{SendOutcome, StatusUpdateBuilder, ValidationError};

pub use sdk_runtime::{
    AuthError, BodyLimits, BodyProblem, ClientConfig, ConfigError, Env, ErrorKind, Quota, RateLimits, Reply,
    RequestOutcome, RetryPolicy, Secret, SuccessBody, Timeouts, Tolerant, Undecodable, UnreadableBody,
};
pub use uuid::Uuid;

/// The wire types: everything the spec describes (generated), plus its open enums, whose
/// `Unknown` variant keeps values this version does not list.
pub mod types {
    pub use crate::generated::client::types::*;
    pub use crate::generated::open_enums::*;
}

/// Typed httpmock helpers generated from the spec, for testing code that uses this client
/// (feature `mock`): [`MockServerExt`](mock::MockServerExt) adds one method per operation to
/// `httpmock::MockServer`, with typed `When` matchers (path parameters, `customer-id`, body) and a
/// `Then` answer per documented status.
///
/// ```
/// use httpmock::MockServer;
/// use sdk_iopole::mock::MockServerExt;
/// use sdk_iopole::types::SendStatusCode;
/// use sdk_iopole::{Environment, IopoleClient, SendOutcome, StatusUpdateBuilder, Uuid};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let server = MockServer::start_async().await;
/// let invoice: Uuid = "6d9bf1a6-25a7-4d48-b641-623c05b0a967".parse()?;
/// let update = StatusUpdateBuilder::new(SendStatusCode::InHand).message("Invoice received !");
/// let expected = update.build()?;
/// let mock = server.send_status(|when, then| {
///     when.invoice_id(&invoice).body(&expected);
///     then.created(&sdk_iopole::types::SendStatusResponse { id: Some("s-1".into()), type_: Some("INVOICE".into()) });
/// });
///
/// let client = IopoleClient::builder(Environment::custom(server.base_url())).bearer_token("test-token").build()?;
/// let outcome = client.send_status(invoice, update).await?;
/// assert!(matches!(outcome.value, SendOutcome::Created(_)));
/// mock.assert_async().await;
/// # Ok(())
/// # }
/// ```
#[cfg(feature = "mock")]
pub use generated::mock;

/// The spec's operations, one constant each (operation id, progenitor's name, method, path), and
/// the whole table: what errors and traces name, and what [`IopoleClient::runtime`]'s call wrappers
/// take when you run a call of [`GeneratedClient`] yourself.
pub use generated::operations;

/// The progenitor-generated client underneath [`IopoleClient`] (see [`IopoleClient::generated`]), for
/// what the facade does not wrap. Run its calls through the runtime's call wrappers
/// ([`sdk_runtime::Runtime::call`], `call_write`) to get this SDK's [`Error`].
pub use generated::client::Client as GeneratedClient;

/// The error of every call: the kind ([`ErrorKind`]), the HTTP status, Iopole's typed error body
/// ([`types::IopoleError`], decoded leniently) and the raw body text, kept even when it does not
/// decode.
pub type Error = sdk_runtime::Error<types::IopoleError>;

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

pub mod feed;
pub mod webhook;
