//! AppZen's verdict on an invoice: the audit results by uuid, and the typed lookup by the ERP's
//! identifiers.

use sdk_runtime::{Reply, Tolerant};
use uuid::Uuid;

use crate::client::{AppZenClient, PROVIDER};
use crate::generated::operations::{FIND_AUDIT_RESULTS, GET_AUDIT_RESULTS};
use crate::types::{AuditResults, AuditStatus, InvoiceAuditResults, RiskLevel};
use crate::{Error, Result};

/// How to find an invoice's audit results with
/// [`AppZenClient::find_audit_results`]: `GET /dictionary-data-services/invoice/audit-results`
/// takes exactly one of these forms.
///
/// AppZen answers 400 when `supplier-id` or `invoice-number` comes without the other; this type
/// has no way to say that, so such a request cannot be built. Empty (or blank) identifiers and the
/// nil uuid are refused locally, before anything is sent ([`InvalidLookup`]).
///
/// ```
/// use sdk_appzen::AuditLookup;
///
/// let by_erp_id = AuditLookup::invoice_id("77887788");
/// let by_supplier = AuditLookup::supplier_invoice("7082403", "MHEIN00051739");
/// assert_eq!(
///     by_supplier.query(),
///     [("supplier-id", "7082403".to_string()), ("invoice-number", "MHEIN00051739".to_string())]
/// );
/// # let _ = by_erp_id;
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuditLookup {
    /// By AppZen's uuid of the invoice (`uuid`).
    Uuid(Uuid),
    /// By the invoice's id in your system (`invoice-id`).
    InvoiceId(String),
    /// By the supplier's id in your system together with the supplier's invoice number
    /// (`supplier-id` and `invoice-number`).
    SupplierInvoice {
        /// The supplier's id in your system (`supplier-id`).
        supplier_id: String,
        /// The supplier's invoice number (`invoice-number`).
        invoice_number: String,
    },
}

impl AuditLookup {
    /// By AppZen's uuid of the invoice.
    pub fn uuid(uuid: Uuid) -> Self {
        Self::Uuid(uuid)
    }

    /// By the invoice's id in your system (ERP).
    pub fn invoice_id(invoice_id: impl Into<String>) -> Self {
        Self::InvoiceId(invoice_id.into())
    }

    /// By the supplier's id in your system and the supplier's invoice number, which AppZen only
    /// takes together.
    pub fn supplier_invoice(supplier_id: impl Into<String>, invoice_number: impl Into<String>) -> Self {
        Self::SupplierInvoice {
            supplier_id: supplier_id.into(),
            invoice_number: invoice_number.into(),
        }
    }

    /// A lookup from optional parts, as they come from a form, a file or a command line: exactly
    /// one of `uuid`, `invoice_id`, or `supplier_id` with `invoice_number`.
    ///
    /// # Errors
    ///
    /// [`InvalidLookup::SupplierWithoutInvoiceNumber`] and
    /// [`InvalidLookup::InvoiceNumberWithoutSupplier`] for half a pair,
    /// [`InvalidLookup::NoCriterion`] when nothing is given, [`InvalidLookup::SeveralForms`] when
    /// more than one form is. Blank texts count as absent.
    ///
    /// ```
    /// use sdk_appzen::{AuditLookup, InvalidLookup};
    ///
    /// assert_eq!(
    ///     AuditLookup::from_parts(None, None, Some("7082403"), None),
    ///     Err(InvalidLookup::SupplierWithoutInvoiceNumber)
    /// );
    /// assert_eq!(
    ///     AuditLookup::from_parts(None, Some("77887788"), None, None),
    ///     Ok(AuditLookup::invoice_id("77887788"))
    /// );
    /// ```
    pub fn from_parts(
        uuid: Option<Uuid>,
        invoice_id: Option<&str>,
        supplier_id: Option<&str>,
        invoice_number: Option<&str>,
    ) -> Result<Self, InvalidLookup> {
        let present = |text: Option<&str>| text.map(str::trim).filter(|t| !t.is_empty()).map(str::to_string);
        let pair = match (present(supplier_id), present(invoice_number)) {
            (Some(supplier_id), Some(invoice_number)) => Some(Self::SupplierInvoice {
                supplier_id,
                invoice_number,
            }),
            (Some(_), None) => return Err(InvalidLookup::SupplierWithoutInvoiceNumber),
            (None, Some(_)) => return Err(InvalidLookup::InvoiceNumberWithoutSupplier),
            (None, None) => None,
        };
        let forms: Vec<Self> = [uuid.map(Self::Uuid), present(invoice_id).map(Self::InvoiceId), pair]
            .into_iter()
            .flatten()
            .collect();
        let mut forms = forms.into_iter();
        match (forms.next(), forms.next()) {
            (Some(form), None) => Ok(form),
            (None, _) => Err(InvalidLookup::NoCriterion),
            (Some(_), Some(_)) => Err(InvalidLookup::SeveralForms),
        }
    }

    /// The query parameters the lookup sends, with their wire names.
    pub fn query(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::Uuid(uuid) => vec![("uuid", uuid.to_string())],
            Self::InvoiceId(id) => vec![("invoice-id", id.clone())],
            Self::SupplierInvoice {
                supplier_id,
                invoice_number,
            } => vec![
                ("supplier-id", supplier_id.clone()),
                ("invoice-number", invoice_number.clone()),
            ],
        }
    }

    /// Refuses what AppZen would refuse or misread: the nil uuid and blank identifiers.
    pub(crate) fn check(&self) -> Result<(), InvalidLookup> {
        let non_blank = |field: &'static str, value: &str| {
            if value.trim().is_empty() {
                Err(InvalidLookup::Empty { field })
            } else {
                Ok(())
            }
        };
        match self {
            Self::Uuid(uuid) if uuid.is_nil() => Err(InvalidLookup::NilUuid),
            Self::Uuid(_) => Ok(()),
            Self::InvoiceId(id) => non_blank("invoice-id", id),
            Self::SupplierInvoice {
                supplier_id,
                invoice_number,
            } => {
                non_blank("supplier-id", supplier_id)?;
                non_blank("invoice-number", invoice_number)
            }
        }
    }
}

impl From<Uuid> for AuditLookup {
    fn from(uuid: Uuid) -> Self {
        Self::Uuid(uuid)
    }
}

/// An audit-results lookup refused before sending. It is the
/// [`source`](std::error::Error::source) of the
/// [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest) error the call returns (recover
/// it with `downcast_ref`), or what [`AuditLookup::from_parts`] returns. Names the field, never its
/// value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidLookup {
    /// `supplier-id` without `invoice-number` (AppZen answers 400).
    #[error("`supplier-id` is only accepted together with `invoice-number`")]
    SupplierWithoutInvoiceNumber,
    /// `invoice-number` without `supplier-id` (AppZen answers 400).
    #[error("`invoice-number` is only accepted together with `supplier-id`")]
    InvoiceNumberWithoutSupplier,
    /// No identifier at all.
    #[error("no lookup criterion: give a uuid, an invoice id, or a supplier id and invoice number")]
    NoCriterion,
    /// More than one form (for example a uuid and an invoice id).
    #[error("more than one lookup form: give a uuid, an invoice id, or a supplier id and invoice number")]
    SeveralForms,
    /// An identifier is empty or only whitespace.
    #[error("`{field}` is empty")]
    Empty {
        /// The wire name, e.g. `invoice-id`.
        field: &'static str,
    },
    /// The invoice uuid is the nil uuid (all zeros), which AppZen never assigns.
    #[error("the invoice uuid is the nil uuid; pass the uuid AppZen assigned to the invoice")]
    NilUuid,
}

impl AppZenClient {
    /// AppZen's audit results for the invoice `uuid`:
    /// `GET /dictionary-data-services/invoice/{uuid}/audit-results`.
    ///
    /// The value is `None` when AppZen answered 2xx without audit results (an empty body, or no
    /// `audit_results` member): the invoice has not been audited yet. A read, so it is retried
    /// on transient failures (see [`RetryPolicy`](crate::RetryPolicy)).
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest), nothing sent: the nil
    ///   uuid ([`InvalidLookup::NilUuid`] is the error's `source`).
    /// - [`ErrorKind::Api`](crate::ErrorKind::Api): AppZen answered 400, 401, 403, 404, 429, 500
    ///   or another error status, with the decoded [`AppzenError`](crate::types::AppzenError) in
    ///   [`Error::body`](sdk_runtime::Error::body) when the body is one.
    /// - [`ErrorKind::Decode`](crate::ErrorKind::Decode): a 2xx body that is not audit results
    ///   (kept in [`Error::raw_body`](sdk_runtime::Error::raw_body)).
    /// - [`ErrorKind::Timeout`](crate::ErrorKind::Timeout),
    ///   [`ErrorKind::Connect`](crate::ErrorKind::Connect),
    ///   [`ErrorKind::Transport`](crate::ErrorKind::Transport): the exchange failed.
    pub async fn audit_results(&self, uuid: Uuid) -> Result<Reply<Option<AuditResults>>, Error> {
        if uuid.is_nil() {
            return Err(Error::invalid_request(
                PROVIDER,
                GET_AUDIT_RESULTS.operation_id,
                InvalidLookup::NilUuid,
            ));
        }
        let call = self.client.get_audit_results().uuid(uuid).send();
        let reply = self.runtime.call_optional(&GET_AUDIT_RESULTS, call).await?;
        Ok(reply.map(|body: Option<InvoiceAuditResults>| body.and_then(|body| body.audit_results)))
    }

    /// The audit results of the invoices `lookup` matches:
    /// `GET /dictionary-data-services/invoice/audit-results` with `uuid`, `invoice-id`, or
    /// `supplier-id` and `invoice-number`.
    ///
    /// Each match decodes on its own: one the SDK cannot read is [`Tolerant::Undecodable`] (raw
    /// JSON and error) instead of failing the list. A match that carries no `audit_results`
    /// member decodes as an empty [`AuditResults`]. An empty 2xx body is an empty list.
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest), nothing sent: the nil
    ///   uuid or a blank identifier (the error's `source` is an [`InvalidLookup`]).
    /// - Otherwise as [`AppZenClient::audit_results`].
    pub async fn find_audit_results(&self, lookup: &AuditLookup) -> Result<Reply<Vec<Tolerant<AuditResults>>>, Error> {
        lookup
            .check()
            .map_err(|reason| Error::invalid_request(PROVIDER, FIND_AUDIT_RESULTS.operation_id, reason))?;
        let builder = self.client.find_audit_results();
        let builder = match lookup {
            AuditLookup::Uuid(uuid) => builder.uuid(*uuid),
            AuditLookup::InvoiceId(id) => builder.invoice_id(id.as_str()),
            AuditLookup::SupplierInvoice {
                supplier_id,
                invoice_number,
            } => builder
                .supplier_id(supplier_id.as_str())
                .invoice_number(invoice_number.as_str()),
        };
        let reply = self.runtime.call_optional(&FIND_AUDIT_RESULTS, builder.send()).await?;
        Ok(reply.map(|matches: Option<Vec<Tolerant<InvoiceAuditResults>>>| {
            matches
                .unwrap_or_default()
                .into_iter()
                .map(|item| match item {
                    Tolerant::Decoded(body) => Tolerant::Decoded(body.audit_results.unwrap_or_default()),
                    Tolerant::Undecodable(raw) => Tolerant::Undecodable(raw),
                })
                .collect()
        }))
    }
}

impl AuditResults {
    /// True when AppZen's overall status is `Approved`, in any letter case.
    ///
    /// ```
    /// let results: sdk_appzen::types::AuditResults =
    ///     serde_json::from_str(r#"{"risk_level": "LOW", "status": "APPROVED"}"#).unwrap();
    /// assert!(results.is_approved());
    /// ```
    pub fn is_approved(&self) -> bool {
        self.status
            .as_ref()
            .is_some_and(|status| status.as_str().eq_ignore_ascii_case(AuditStatus::Approved.as_str()))
    }

    /// True when AppZen's overall status is `Rejected`, in any letter case.
    pub fn is_rejected(&self) -> bool {
        self.status
            .as_ref()
            .is_some_and(|status| status.as_str().eq_ignore_ascii_case(AuditStatus::Rejected.as_str()))
    }

    /// The rules that found a `MEDIUM` or `HIGH` risk (in any letter case), in AppZen's order;
    /// rules the SDK could not decode are left out (they remain in
    /// [`rules`](AuditResults::rules)).
    pub fn flagged_rules(&self) -> impl Iterator<Item = &crate::types::AuditRuleResult> {
        self.rules.iter().filter_map(Tolerant::decoded).filter(|rule| {
            rule.risk_results
                .as_ref()
                .and_then(|risk| risk.risk_level.as_ref())
                .is_some_and(|level| {
                    let level = level.as_str();
                    level.eq_ignore_ascii_case(RiskLevel::Medium.as_str())
                        || level.eq_ignore_ascii_case(RiskLevel::High.as_str())
                })
        })
    }
}
