#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod client;
mod config;
mod document;
mod error;
mod generated;
pub mod legacy;
mod state;
mod transitions;

/// The spec's types: the generated request and response types (with the accessors this crate
/// adds, such as [`Document::parsed_date`](types::Document::parsed_date) and
/// [`DecimalValue::as_f64`](types::DecimalValue::as_f64)) and the open enums, whose `Unknown`
/// variant keeps values this version does not list.
pub mod types {
    pub use crate::generated::client::types::*;
    pub use crate::generated::open_enums::*;
}

/// Typed httpmock helpers generated from the spec (`MockServerExt`), for your own tests.
#[cfg(feature = "mock")]
pub use generated::mock;

/// The progenitor-generated client underneath [`InvoiceXpressClient`] (see
/// [`InvoiceXpressClient::generated`]), for what the facade does not wrap. Run its calls through
/// [`sdk_runtime::Runtime::call`] to get this SDK's [`Error`].
pub use generated::client::Client as GeneratedClient;

/// The spec's operations (operation id, method, path), facade-only ones included.
pub use generated::operations::OPERATIONS;

pub use client::{InvoiceXpressClient, InvoiceXpressClientBuilder, StateChanged};
pub use config::{ENV_ACCOUNT, ENV_API_KEY, ENV_BASE_URL, ENV_LEGACY_BASE_URL};
pub use document::{Atcud, InvalidDate, parse_date};
pub use error::{ApiError, ConfigError, Error, ErrorExt};
pub use state::{CancelReason, DocumentKind, EmptyCancelReason, StateChange, UnknownDocumentKind};
pub use transitions::{LEGACY_TRANSITIONS, TRANSITIONS, Transition, TransitionRefused, TransitionTable};

pub use sdk_runtime::{ClientConfig, ErrorKind, Reply, RetryPolicy, Secret, Timeouts};
