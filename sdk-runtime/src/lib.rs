#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod body;
pub mod config;
pub mod credentials;
pub mod error;
pub mod one_of;
pub mod open_enum;
mod runtime;
pub mod secret;
pub mod tolerant;

pub use body::{BodyProblem, SuccessBody, UnreadableBody};
pub use config::{BodyLimits, ClientConfig, InvalidConfig, RetryPolicy, Timeouts};
pub use credentials::{AuthError, ClientCredentialsFlow, Credentials};
pub use error::{Error, ErrorKind, RequestOutcome};
pub use runtime::{
    OperationSpec, Provider, RawReply, Reply, Runtime, build_http_client, is_retryable_status, retry_after,
};
pub use secret::{REDACTED, Secret};
pub use tolerant::{Tolerant, Undecodable};

/// Re-exports for [`open_enum!`]; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use schemars;
    pub use serde;
}
