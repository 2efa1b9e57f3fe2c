//! What a status sync reports: the typed [`StatusSync`] and its conversion into the wire body.

use chrono::{DateTime, SubsecRound, Utc};

use crate::error::InvalidStatusSync;
use crate::types::{AppzenInvoiceState, ErrorData, StatusSyncRequest};

/// What became of an AppZen invoice in your system (ERP), as reported by
/// [`AppZenClient::status_sync`](crate::AppZenClient::status_sync).
///
/// Each variant carries exactly the fields AppZen requires for that state, so a body that breaks
/// the rules by state cannot be built:
///
/// - [`StatusSync::Created`]: the invoice was created in your system; sent as
///   `appzen_invoice_state: "CREATED"` with `invoice_id`, `invoice_status` and `timestamp`.
/// - [`StatusSync::Error`]: creating it failed; sent as `appzen_invoice_state: "ERROR"` with
///   `error_data` and `timestamp`.
///
/// Empty (or blank) texts are refused locally when the sync is sent: see [`InvalidStatusSync`].
///
/// ```
/// use sdk_appzen::{ErrorDetails, StatusSync};
/// use chrono::{TimeZone, Utc};
///
/// let created = StatusSync::created("INV-2024-0042", "POSTED")
///     .at(Utc.with_ymd_and_hms(2020, 11, 1, 11, 1, 0).unwrap());
/// let failed = StatusSync::error(
///     ErrorDetails::new("Supplier 10042 is not active in the ERP")
///         .status("400")
///         .exception("SupplierInactiveException"),
/// );
/// assert_eq!(created.state(), sdk_appzen::types::AppzenInvoiceState::Created);
/// assert_eq!(failed.state(), sdk_appzen::types::AppzenInvoiceState::Error);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StatusSync {
    /// The invoice was created in your system (`CREATED`).
    Created {
        /// The invoice's id in your system (`invoice_id`).
        invoice_id: String,
        /// The invoice's status in your system, free text such as `POSTED`, `PARKED`, `APPROVED`,
        /// `PAID` (`invoice_status`).
        invoice_status: String,
        /// When the invoice was created in your system (`timestamp`, sent as RFC 3339 in UTC).
        timestamp: DateTime<Utc>,
    },
    /// Creating the invoice in your system failed (`ERROR`).
    Error {
        /// Why it failed (`error_data`).
        error_data: ErrorDetails,
        /// When creating it failed (`timestamp`, sent as RFC 3339 in UTC).
        timestamp: DateTime<Utc>,
    },
}

impl StatusSync {
    /// A `CREATED` sync stamped with the current time (whole seconds, UTC); change the time with
    /// [`StatusSync::at`].
    pub fn created(invoice_id: impl Into<String>, invoice_status: impl Into<String>) -> Self {
        Self::Created {
            invoice_id: invoice_id.into(),
            invoice_status: invoice_status.into(),
            timestamp: now(),
        }
    }

    /// An `ERROR` sync stamped with the current time (whole seconds, UTC); change the time with
    /// [`StatusSync::at`]. A plain string is taken as the error message.
    pub fn error(error_data: impl Into<ErrorDetails>) -> Self {
        Self::Error {
            error_data: error_data.into(),
            timestamp: now(),
        }
    }

    /// Sets the timestamp, converted to UTC (any `chrono` time zone converts: `Utc`, `Local`,
    /// `FixedOffset`). Sub-second digits are sent as given; AppZen's own example has none.
    #[must_use]
    pub fn at(mut self, when: impl Into<DateTime<Utc>>) -> Self {
        let when = when.into();
        match &mut self {
            Self::Created { timestamp, .. } | Self::Error { timestamp, .. } => *timestamp = when,
        }
        self
    }

    /// The state sent as `appzen_invoice_state`.
    pub fn state(&self) -> AppzenInvoiceState {
        match self {
            Self::Created { .. } => AppzenInvoiceState::Created,
            Self::Error { .. } => AppzenInvoiceState::Error,
        }
    }

    /// The timestamp sent with the sync.
    pub fn timestamp(&self) -> DateTime<Utc> {
        match self {
            Self::Created { timestamp, .. } | Self::Error { timestamp, .. } => *timestamp,
        }
    }
}

/// Why creating an invoice in your system failed: the `error_data` of an
/// [`ERROR` sync](StatusSync::Error).
///
/// AppZen's schema makes all three fields optional free text; this SDK requires the message, so
/// that an `ERROR` sync always says what went wrong. `status` and `exception` are sent only when
/// set.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorDetails {
    /// The error message from your system (`message`). Must not be empty.
    pub message: String,
    /// The error status or code from your system, as text even when numeric (`status`).
    pub status: Option<String>,
    /// The exception name or details from your system (`exception`).
    pub exception: Option<String>,
}

impl ErrorDetails {
    /// Details with a message only.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            status: None,
            exception: None,
        }
    }

    /// Sets the error status or code (e.g. `"400"`).
    #[must_use]
    pub fn status(mut self, status: impl Into<String>) -> Self {
        self.status = Some(status.into());
        self
    }

    /// Sets the exception name or details.
    #[must_use]
    pub fn exception(mut self, exception: impl Into<String>) -> Self {
        self.exception = Some(exception.into());
        self
    }
}

impl From<&str> for ErrorDetails {
    fn from(message: &str) -> Self {
        Self::new(message)
    }
}

impl From<String> for ErrorDetails {
    fn from(message: String) -> Self {
        Self::new(message)
    }
}

/// Checks the texts and builds the wire body. The error names the offending field, never its
/// value.
impl TryFrom<StatusSync> for StatusSyncRequest {
    type Error = InvalidStatusSync;

    fn try_from(sync: StatusSync) -> Result<Self, Self::Error> {
        let state = sync.state();
        let request = match sync {
            StatusSync::Created {
                invoice_id,
                invoice_status,
                timestamp,
            } => StatusSyncRequest {
                appzen_invoice_state: state,
                error_data: None,
                invoice_id: Some(non_blank("invoice_id", invoice_id)?),
                invoice_status: Some(non_blank("invoice_status", invoice_status)?),
                timestamp,
            },
            StatusSync::Error { error_data, timestamp } => {
                let ErrorDetails {
                    message,
                    status,
                    exception,
                } = error_data;
                StatusSyncRequest {
                    appzen_invoice_state: state,
                    error_data: Some(ErrorData {
                        message: Some(non_blank("error_data.message", message)?),
                        status: status.map(|s| non_blank("error_data.status", s)).transpose()?,
                        exception: exception.map(|e| non_blank("error_data.exception", e)).transpose()?,
                    }),
                    invoice_id: None,
                    invoice_status: None,
                    timestamp,
                }
            }
        };
        Ok(request)
    }
}

/// The rules by state of `StatusSyncRequest` (the spec's `x-conditional-required`), for bodies
/// built by hand: `CREATED` needs a non-blank `invoice_id` and `invoice_status`, `ERROR` needs
/// `error_data`. States this SDK does not know are passed through for the server to judge.
pub(crate) fn check_request(request: &StatusSyncRequest) -> Result<(), InvalidStatusSync> {
    match &request.appzen_invoice_state {
        AppzenInvoiceState::Created => {
            required("CREATED", "invoice_id", request.invoice_id.as_deref())?;
            required("CREATED", "invoice_status", request.invoice_status.as_deref())?;
        }
        AppzenInvoiceState::Error => {
            if request.error_data.is_none() {
                return Err(InvalidStatusSync::Missing {
                    state: "ERROR",
                    field: "error_data",
                });
            }
        }
        AppzenInvoiceState::Unknown(_) => {}
    }
    Ok(())
}

fn required(state: &'static str, field: &'static str, value: Option<&str>) -> Result<(), InvalidStatusSync> {
    match value {
        None => Err(InvalidStatusSync::Missing { state, field }),
        Some(text) if text.trim().is_empty() => Err(InvalidStatusSync::Empty { field }),
        Some(_) => Ok(()),
    }
}

fn non_blank(field: &'static str, value: String) -> Result<String, InvalidStatusSync> {
    if value.trim().is_empty() {
        Err(InvalidStatusSync::Empty { field })
    } else {
        Ok(value)
    }
}

fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn at_sample_time(sync: StatusSync) -> StatusSync {
        sync.at(Utc.with_ymd_and_hms(2020, 11, 1, 11, 1, 0).unwrap())
    }

    #[test]
    fn created_serializes_with_underscore_names_and_rfc3339_utc() {
        let request = StatusSyncRequest::try_from(at_sample_time(StatusSync::created("string", "string"))).unwrap();
        // The spec's `created` example.
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            json!({
                "invoice_id": "string",
                "invoice_status": "string",
                "appzen_invoice_state": "CREATED",
                "timestamp": "2020-11-01T11:01:00Z"
            })
        );
    }

    #[test]
    fn error_serializes_error_data_without_unset_fields() {
        let sync = at_sample_time(StatusSync::error(
            ErrorDetails::new("Supplier 10042 is not active").status("400"),
        ));
        let request = StatusSyncRequest::try_from(sync).unwrap();
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            json!({
                "appzen_invoice_state": "ERROR",
                "timestamp": "2020-11-01T11:01:00Z",
                "error_data": { "message": "Supplier 10042 is not active", "status": "400" }
            })
        );
    }

    #[test]
    fn at_converts_other_time_zones_to_utc() {
        let paris = chrono::FixedOffset::east_opt(3600)
            .unwrap()
            .with_ymd_and_hms(2020, 11, 1, 12, 1, 0)
            .unwrap();
        let sync = StatusSync::error("failed").at(paris);
        let request = StatusSyncRequest::try_from(sync).unwrap();
        assert_eq!(
            serde_json::to_value(request).unwrap()["timestamp"],
            json!("2020-11-01T11:01:00Z")
        );
    }

    #[test]
    fn default_timestamp_is_now_in_whole_seconds() {
        let before = Utc::now().trunc_subsecs(0);
        let sync = StatusSync::created("1", "POSTED");
        let after = Utc::now();
        assert!(
            sync.timestamp() >= before && sync.timestamp() <= after,
            "{:?}",
            sync.timestamp()
        );
        assert_eq!(sync.timestamp().timestamp_subsec_nanos(), 0);
    }

    #[test]
    fn blank_texts_are_refused_naming_the_field() {
        let cases = [
            (StatusSync::created("", "POSTED"), "invoice_id"),
            (StatusSync::created("INV-1", "  "), "invoice_status"),
            (StatusSync::error(""), "error_data.message"),
            (
                StatusSync::error(ErrorDetails::new("failed").status("")),
                "error_data.status",
            ),
            (
                StatusSync::error(ErrorDetails::new("failed").exception("\t")),
                "error_data.exception",
            ),
        ];
        for (sync, field) in cases {
            assert_eq!(
                StatusSyncRequest::try_from(sync),
                Err(InvalidStatusSync::Empty { field })
            );
        }
    }

    #[test]
    fn hand_built_requests_follow_the_rules_by_state() {
        let timestamp = Utc::now();
        let mut request = StatusSyncRequest {
            appzen_invoice_state: AppzenInvoiceState::Created,
            error_data: None,
            invoice_id: Some("INV-1".into()),
            invoice_status: None,
            timestamp,
        };
        assert_eq!(
            check_request(&request),
            Err(InvalidStatusSync::Missing {
                state: "CREATED",
                field: "invoice_status"
            })
        );
        request.invoice_status = Some("POSTED".into());
        assert_eq!(check_request(&request), Ok(()));
        request.invoice_id = Some(" ".into());
        assert_eq!(
            check_request(&request),
            Err(InvalidStatusSync::Empty { field: "invoice_id" })
        );

        request.appzen_invoice_state = AppzenInvoiceState::Error;
        assert_eq!(
            check_request(&request),
            Err(InvalidStatusSync::Missing {
                state: "ERROR",
                field: "error_data"
            })
        );
        request.error_data = Some(ErrorData::default());
        assert_eq!(check_request(&request), Ok(()));

        request.appzen_invoice_state = AppzenInvoiceState::Unknown("PENDING".into());
        request.error_data = None;
        assert_eq!(check_request(&request), Ok(()));
    }
}
