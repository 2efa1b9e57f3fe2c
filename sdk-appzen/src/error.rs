//! Syncs refused locally, and helpers on AppZen's error envelope. (Configuration errors are
//! [`sdk_runtime::ConfigError`], shared by the three SDKs.)

use crate::types::{AppzenError, AppzenErrorStatus};

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
