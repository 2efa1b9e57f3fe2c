#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod base_url;
mod body;
mod call;
pub mod config;
mod convert;
pub mod credentials;
mod env;
pub mod error;
mod hooks;
mod http_client;
pub mod one_of;
pub mod open_enum;
mod operation;
mod rate;
mod record;
mod reply;
mod request_url;
mod response;
mod retry;
mod runtime;
pub mod secret;
mod then;
mod timer;
pub mod tolerant;

pub use base_url::check_base_url;
pub use body::{BodyProblem, SuccessBody, UnreadableBody};
pub use config::{BodyLimits, ClientConfig, ConfigError, RetryPolicy, Timeouts};
pub use credentials::{AuthError, ClientCredentialsFlow, Credentials};
pub use env::Env;
pub use error::{Error, ErrorKind, RequestOutcome};
pub use http_client::build_http_client;
pub use operation::{OperationSpec, Provider};
pub use rate::{Quota, RateLimits};
pub use reply::{RawReply, Reply};
pub use retry::{is_retryable_status, retry_after};
pub use runtime::Runtime;
pub use secret::{REDACTED, Secret};
pub use tolerant::{Tolerant, Undecodable};

/// Re-exports for [`open_enum!`] and what the generated clients (and the facades' hand-written
/// requests) call; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::request_url::request_url;
    pub use crate::response::response_value;
    pub use schemars;
    pub use serde;
}
