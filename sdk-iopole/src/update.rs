//! The status update sent by [`IopoleClient::send_status`](crate::IopoleClient::send_status), and
//! the checks it passes before anything is sent.

use sdk_runtime::UnreadableBody;

use crate::types::{
    Attachment, Payment, PaymentCurrency, RejectionDetail, RejectionReason, SendStatusCode, SendStatusResponse,
    StatusUpdate,
};

/// A lifecycle status to send for an invoice.
///
/// Build it from a [`SendStatusCode`], then add a message, a payment, a rejection detail or
/// attachments. It is checked when sent (see [`StatusUpdateBuilder::build`]); a failed check is an
/// [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest) error and nothing is sent.
///
/// ```
/// use sdk_iopole::StatusUpdateBuilder;
/// use sdk_iopole::types::{RejectionReason, SendStatusCode};
///
/// let in_hand = StatusUpdateBuilder::new(SendStatusCode::InHand).message("Invoice received !");
/// assert!(in_hand.build().is_ok());
///
/// let refused = StatusUpdateBuilder::refused(RejectionReason::DuplicateInvoice).message("Already paid");
/// assert!(refused.build().is_ok());
///
/// // REFUSED without a reason is refused locally.
/// assert!(StatusUpdateBuilder::new(SendStatusCode::Refused).build().is_err());
///
/// let paid = StatusUpdateBuilder::new(SendStatusCode::PaymentSent).payment("EUR", 1250.50);
/// assert!(paid.build().is_ok());
/// assert!(StatusUpdateBuilder::new(SendStatusCode::PaymentSent).payment("eur", 1.0).build().is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct StatusUpdateBuilder {
    code: SendStatusCode,
    message: Option<String>,
    payment: Option<(String, f64)>,
    rejection: Option<(RejectionReason, Option<String>)>,
    attachments: Vec<Attachment>,
}

impl StatusUpdateBuilder {
    /// An update with this status code and nothing else.
    pub fn new(code: impl Into<SendStatusCode>) -> Self {
        Self {
            code: code.into(),
            message: None,
            payment: None,
            rejection: None,
            attachments: Vec::new(),
        }
    }

    /// `REFUSED` with its (required) rejection reason.
    pub fn refused(reason: impl Into<RejectionReason>) -> Self {
        Self::new(SendStatusCode::Refused).rejection(reason, None::<String>)
    }

    /// `DISPUTED` with its (required) rejection reason.
    pub fn disputed(reason: impl Into<RejectionReason>) -> Self {
        Self::new(SendStatusCode::Disputed).rejection(reason, None::<String>)
    }

    /// The status code.
    pub fn code(&self) -> &SendStatusCode {
        &self.code
    }

    /// Free text sent with the status.
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// The amount paid or received, with its ISO 4217 currency (three upper-case letters, for
    /// example `EUR`). Checked when sent: the currency must match `^[A-Z]{3}$` and the amount be
    /// finite.
    pub fn payment(mut self, currency: impl Into<String>, amount: f64) -> Self {
        self.payment = Some((currency.into(), amount));
        self
    }

    /// Why the invoice is refused or disputed (required for `REFUSED` and `DISPUTED`), with an
    /// optional explanation.
    pub fn rejection(mut self, reason: impl Into<RejectionReason>, message: Option<impl Into<String>>) -> Self {
        self.rejection = Some((reason.into(), message.map(Into::into)));
        self
    }

    /// Attaches a document (`content` base64-encoded).
    pub fn attachment(mut self, attachment: Attachment) -> Self {
        self.attachments.push(attachment);
        self
    }

    /// Checks the update and builds the request body.
    ///
    /// Refused: `REFUSED` or `DISPUTED` without a rejection reason; a currency that is not three
    /// upper-case letters; an amount that is not finite (NaN or infinite, which JSON cannot carry).
    /// Status codes and rejection reasons this SDK does not list (`Unknown`) are sent as they are.
    pub fn build(&self) -> Result<StatusUpdate, ValidationError> {
        if matches!(self.code, SendStatusCode::Refused | SendStatusCode::Disputed) && self.rejection.is_none() {
            return Err(ValidationError::MissingRejectionReason {
                code: self.code.clone(),
            });
        }
        if let SendStatusCode::Unknown(code) = &self.code
            && code.trim().is_empty()
        {
            return Err(ValidationError::EmptyCode);
        }
        let payment = match &self.payment {
            None => None,
            Some((currency, amount)) => {
                if !amount.is_finite() {
                    return Err(ValidationError::NonFiniteAmount);
                }
                let currency =
                    PaymentCurrency::try_from(currency.as_str()).map_err(|_| ValidationError::InvalidCurrency {
                        currency: currency.clone(),
                    })?;
                Some(Payment {
                    amount: *amount,
                    currency,
                })
            }
        };
        let rejection_detail = self.rejection.as_ref().map(|(reason, message)| RejectionDetail {
            reason: reason.clone(),
            message: message.clone(),
        });
        Ok(StatusUpdate {
            attachments: self.attachments.clone(),
            code: self.code.clone(),
            message: self.message.clone(),
            payment,
            rejection_detail,
        })
    }
}

impl From<SendStatusCode> for StatusUpdateBuilder {
    fn from(code: SendStatusCode) -> Self {
        Self::new(code)
    }
}

impl From<StatusUpdate> for StatusUpdateBuilder {
    /// Takes a wire body as it is; it is still checked when sent.
    fn from(update: StatusUpdate) -> Self {
        Self {
            code: update.code,
            message: update.message,
            payment: update.payment.map(|p| (String::from(p.currency), p.amount)),
            rejection: update.rejection_detail.map(|r| (r.reason, r.message)),
            attachments: update.attachments,
        }
    }
}

/// Why a status update was refused before sending.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// `REFUSED` and `DISPUTED` need a rejection reason.
    #[error("a {code} status needs a rejection reason")]
    MissingRejectionReason {
        /// The status code sent.
        code: SendStatusCode,
    },
    /// The currency is not an ISO 4217 code of three upper-case letters.
    #[error("currency {currency:?} is not an ISO 4217 code (three upper-case letters)")]
    InvalidCurrency {
        /// The currency given.
        currency: String,
    },
    /// The amount is NaN or infinite.
    #[error("the payment amount is not a finite number")]
    NonFiniteAmount,
    /// The status code is empty.
    #[error("the status code is empty")]
    EmptyCode,
}

/// How Iopole accepted a status. Either way the status is processed asynchronously: accepted, not
/// yet delivered.
#[derive(Clone, Debug, PartialEq)]
pub enum SendOutcome {
    /// `204 No Content` (or another success without a body), as the v1.0.0 documentation says.
    Accepted,
    /// `201 Created` with the accepted resource's type and identifier, as newer documentation says.
    Created(SendStatusResponse),
    /// A success status whose body could not be read or decoded. The status *was* accepted: do
    /// not send it again. The bytes that arrived and the reason are kept.
    AcceptedUnreadable(UnreadableBody),
}

impl SendOutcome {
    /// The identifier of the accepted resource, when Iopole returned one.
    pub fn resource_id(&self) -> Option<&str> {
        match self {
            Self::Accepted | Self::AcceptedUnreadable(_) => None,
            Self::Created(response) => response.id.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_and_disputed_need_a_reason() {
        for code in [SendStatusCode::Refused, SendStatusCode::Disputed] {
            let error = StatusUpdateBuilder::new(code.clone())
                .message("no")
                .build()
                .unwrap_err();
            assert_eq!(error, ValidationError::MissingRejectionReason { code: code.clone() });
            let ok = StatusUpdateBuilder::new(code)
                .rejection(RejectionReason::Other, Some("why"))
                .build()
                .unwrap();
            assert_eq!(ok.rejection_detail.unwrap().message.as_deref(), Some("why"));
        }
        assert!(StatusUpdateBuilder::new(SendStatusCode::Approved).build().is_ok());
    }

    #[test]
    fn currency_and_amount_are_checked() {
        let pay = |currency: &str, amount: f64| {
            StatusUpdateBuilder::new(SendStatusCode::PaymentReceived)
                .payment(currency, amount)
                .build()
        };
        assert!(pay("EUR", 10.0).is_ok());
        for bad in ["eur", "EURO", "EU", "", "E1R", "EUR\n", " EUR"] {
            assert_eq!(
                pay(bad, 1.0),
                Err(ValidationError::InvalidCurrency { currency: bad.into() }),
                "{bad:?}"
            );
        }
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(pay("EUR", bad), Err(ValidationError::NonFiniteAmount));
        }
    }

    #[test]
    fn wire_bodies_round_trip_through_the_builder() {
        let body: StatusUpdate = serde_json::from_value(serde_json::json!({
            "code": "PAYMENT_SENT",
            "message": "paid",
            "payment": {"currency": "EUR", "amount": 12.5}
        }))
        .unwrap();
        assert_eq!(StatusUpdateBuilder::from(body.clone()).build().unwrap(), body);
    }
}
