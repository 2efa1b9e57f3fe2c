//! The errors of this crate besides the call error [`Error`](crate::Error): configuration problems
//! and syncs refused locally, plus helpers on AppZen's error envelope.

use crate::types::{AppzenError, AppzenErrorStatus};

/// The client could not be configured: a missing environment variable, an unusable credential or
/// base URL. Never contains a credential's value, only its name.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// An environment variable [`AppZenCredentials::from_env`](crate::AppZenCredentials::from_env)
    /// needs is not set, or is empty.
    #[error("the environment variable {name} is not set or is empty")]
    MissingEnvVar {
        /// The variable's name, e.g. `APPZEN_API_KEY`.
        name: &'static str,
    },
    /// An environment variable is set but is not valid Unicode.
    #[error("the environment variable {name} is not valid Unicode")]
    InvalidEnvVar {
        /// The variable's name.
        name: &'static str,
    },
    /// A credential is empty.
    #[error("the credential {header} is empty")]
    EmptyCredential {
        /// The header the credential is sent in: `x-api-key`, `customer-id` or `customer-key`.
        header: &'static str,
    },
    /// A credential contains characters an HTTP header cannot carry (e.g. a newline).
    #[error("the credential {header} contains characters not allowed in an HTTP header")]
    InvalidCredential {
        /// The header the credential is sent in: `x-api-key`, `customer-id` or `customer-key`.
        header: &'static str,
    },
    /// The base URL is not usable. The URL itself is left out, since it may carry user info.
    #[error("invalid base URL: {reason}")]
    InvalidBaseUrl {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The HTTP client could not be built (e.g. no TLS backend could be initialised).
    #[error("the HTTP client could not be built")]
    HttpClient(#[source] sdk_runtime::Error<()>),
    /// The configuration cannot be used (e.g. a `User-Agent` suffix with a line break), or a
    /// credential is not visible ASCII.
    #[error(transparent)]
    InvalidConfig(#[from] sdk_runtime::InvalidConfig),
}

/// A status sync refused before sending: the body breaks AppZen's rules by state, or a required
/// text is empty. It is the [`source`](std::error::Error::source) of the
/// [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest) error the call returns, so it
/// can be recovered with `downcast_ref`. Names the field, never its value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidStatusSync {
    /// A field the state requires is absent (only possible in a hand-built
    /// [`StatusSyncRequest`](crate::types::StatusSyncRequest)).
    #[error("`{field}` is required when appzen_invoice_state is {state}")]
    Missing {
        /// The state, `CREATED` or `ERROR`.
        state: &'static str,
        /// The missing field, e.g. `invoice_id`.
        field: &'static str,
    },
    /// A text is empty or only whitespace.
    #[error("`{field}` is empty")]
    Empty {
        /// The field, e.g. `invoice_id` or `error_data.message`.
        field: &'static str,
    },
    /// The invoice uuid is the nil uuid (all zeros), which AppZen never assigns.
    #[error("the invoice uuid is the nil uuid; pass the uuid AppZen assigned to the invoice")]
    NilUuid,
}

impl AppzenError {
    /// The HTTP status the body states, whether AppZen sent it as a number (`404`) or as a
    /// string (`"404"`). `None` when absent or not a status code.
    ///
    /// ```
    /// let error: sdk_appzen::types::AppzenError = serde_json::from_str(r#"{"status":"404"}"#).unwrap();
    /// assert_eq!(error.status_code(), Some(404));
    /// ```
    pub fn status_code(&self) -> Option<u16> {
        match self.status.as_ref()? {
            AppzenErrorStatus::Int32(code) => u16::try_from(*code).ok(),
            AppzenErrorStatus::String(text) => text.trim().parse().ok(),
        }
    }

    /// The `Error code : <id>` token AppZen puts at the start of `message` (e.g. `17e3338d`), to
    /// quote to AppZen Support together with the `x-correlation-id`.
    ///
    /// ```
    /// let error = sdk_appzen::types::AppzenError {
    ///     message: Some("Error code : 17e3338d - The resource you specified cannot be not found".into()),
    ///     ..Default::default()
    /// };
    /// assert_eq!(error.error_code(), Some("17e3338d"));
    /// ```
    pub fn error_code(&self) -> Option<&str> {
        let (_, rest) = self.message.as_deref()?.split_once("Error code")?;
        let rest = rest.trim_start().strip_prefix(':')?.trim_start();
        let code = rest.split(|c: char| c.is_whitespace() || c == '-').next()?;
        (!code.is_empty()).then_some(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_status(status: Option<AppzenErrorStatus>) -> AppzenError {
        AppzenError {
            status,
            ..AppzenError::default()
        }
    }

    fn with_message(message: &str) -> AppzenError {
        AppzenError {
            message: Some(message.into()),
            ..AppzenError::default()
        }
    }

    #[test]
    fn status_code_reads_numbers_and_strings() {
        assert_eq!(
            with_status(Some(AppzenErrorStatus::Int32(500))).status_code(),
            Some(500)
        );
        assert_eq!(
            with_status(Some(AppzenErrorStatus::String(" 403 ".into()))).status_code(),
            Some(403)
        );
        assert_eq!(
            with_status(Some(AppzenErrorStatus::String("NOT_FOUND".into()))).status_code(),
            None
        );
        assert_eq!(with_status(Some(AppzenErrorStatus::Int32(-1))).status_code(), None);
        assert_eq!(with_status(None).status_code(), None);
    }

    #[test]
    fn error_code_is_read_from_the_message() {
        assert_eq!(
            with_message("Error code : 17e3338d - Invalid request").error_code(),
            Some("17e3338d")
        );
        assert_eq!(with_message("Error code: abc123").error_code(), Some("abc123"));
        assert_eq!(with_message("Error code : - nothing").error_code(), None);
        assert_eq!(with_message("Something went wrong").error_code(), None);
        assert_eq!(AppzenError::default().error_code(), None);
    }
}
