//! The typed inputs of a state change: which kind of document, and which change.

use std::fmt;
use std::str::FromStr;

use crate::types::{DocumentType, LegacyState, StateChangeKind};

/// The kind of document, as the `document-type` path segment names it.
///
/// A closed enum: these are the types whose state changes the SDK knows how to guard, in four
/// families ([`DocumentFamily`]). The generated [`types::DocumentType`](crate::types::DocumentType)
/// is the open (wire) counterpart; convert between them with `From`/`TryFrom`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocumentKind {
    /// `invoices` (wrapper key `invoice`).
    Invoices,
    /// `simplified_invoices` (wrapper key `simplified_invoice`).
    SimplifiedInvoices,
    /// `invoice_receipts` (wrapper key `invoice_receipt`).
    InvoiceReceipts,
    /// `credit_notes` (wrapper key `credit_note`).
    CreditNotes,
    /// `debit_notes` (wrapper key `debit_note`).
    DebitNotes,
    /// `quotes` (an estimate; wrapper key `quote`).
    Quotes,
    /// `proformas` (an estimate; wrapper key `proforma`).
    Proformas,
    /// `fees_notes` (an estimate; wrapper key `fees_note`).
    FeesNotes,
    /// `shippings` (a shipping guide; wrapper key `shipping`).
    Shippings,
    /// `transports` (a transport guide; wrapper key `transport`).
    Transports,
    /// `devolutions` (a devolution guide; wrapper key `devolution`).
    Devolutions,
    /// `receipts` (the receipt of a payment; wrapper key `receipt`).
    Receipts,
}

/// The families of document types: each has its own transition table and request wrapper key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocumentFamily {
    /// Invoices, simplified invoices, invoice receipts, credit notes and debit notes.
    Invoices,
    /// Quotes, proformas and fees notes.
    Estimates,
    /// Shipping, transport and devolution guides.
    Guides,
    /// Receipts (payments); their only change is a cancel.
    Receipts,
}

impl DocumentFamily {
    /// Every family.
    pub const ALL: [DocumentFamily; 4] = [Self::Invoices, Self::Estimates, Self::Guides, Self::Receipts];

    /// The key that wraps a change-state request of this family: `invoice`, `quote`, `shipping`
    /// or `receipt` (the spec's `ChangeStateRequest` says why not `estimate`/`guide`).
    pub fn request_key(self) -> &'static str {
        match self {
            Self::Invoices => "invoice",
            Self::Estimates => "quote",
            Self::Guides => "shipping",
            Self::Receipts => "receipt",
        }
    }

    /// The document kinds of the family.
    pub fn kinds(self) -> impl Iterator<Item = DocumentKind> {
        DocumentKind::ALL.into_iter().filter(move |kind| kind.family() == self)
    }
}

impl fmt::Display for DocumentFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Invoices => "invoices",
            Self::Estimates => "estimates",
            Self::Guides => "guides",
            Self::Receipts => "receipts",
        })
    }
}

impl DocumentKind {
    /// Every kind, in the spec's order.
    pub const ALL: [DocumentKind; 12] = [
        Self::Invoices,
        Self::SimplifiedInvoices,
        Self::InvoiceReceipts,
        Self::CreditNotes,
        Self::DebitNotes,
        Self::Quotes,
        Self::Proformas,
        Self::FeesNotes,
        Self::Shippings,
        Self::Transports,
        Self::Devolutions,
        Self::Receipts,
    ];

    /// The plural path segment, e.g. `credit_notes`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invoices => "invoices",
            Self::SimplifiedInvoices => "simplified_invoices",
            Self::InvoiceReceipts => "invoice_receipts",
            Self::CreditNotes => "credit_notes",
            Self::DebitNotes => "debit_notes",
            Self::Quotes => "quotes",
            Self::Proformas => "proformas",
            Self::FeesNotes => "fees_notes",
            Self::Shippings => "shippings",
            Self::Transports => "transports",
            Self::Devolutions => "devolutions",
            Self::Receipts => "receipts",
        }
    }

    /// The singular key that wraps a document of this kind in a response body (and the root
    /// element of a legacy XML document), e.g. `credit_note`.
    pub fn wrapper_key(self) -> &'static str {
        match self {
            Self::Invoices => "invoice",
            Self::SimplifiedInvoices => "simplified_invoice",
            Self::InvoiceReceipts => "invoice_receipt",
            Self::CreditNotes => "credit_note",
            Self::DebitNotes => "debit_note",
            Self::Quotes => "quote",
            Self::Proformas => "proforma",
            Self::FeesNotes => "fees_note",
            Self::Shippings => "shipping",
            Self::Transports => "transport",
            Self::Devolutions => "devolution",
            Self::Receipts => "receipt",
        }
    }

    /// The CamelCase class name of the document's `type` field and of the list filter `type[]`,
    /// e.g. `CreditNote`.
    pub fn class_name(self) -> &'static str {
        match self {
            Self::Invoices => "Invoice",
            Self::SimplifiedInvoices => "SimplifiedInvoice",
            Self::InvoiceReceipts => "InvoiceReceipt",
            Self::CreditNotes => "CreditNote",
            Self::DebitNotes => "DebitNote",
            Self::Quotes => "Quote",
            Self::Proformas => "Proforma",
            Self::FeesNotes => "FeesNote",
            Self::Shippings => "Shipping",
            Self::Transports => "Transport",
            Self::Devolutions => "Devolution",
            Self::Receipts => "Receipt",
        }
    }

    /// The family the kind belongs to.
    pub fn family(self) -> DocumentFamily {
        match self {
            Self::Invoices
            | Self::SimplifiedInvoices
            | Self::InvoiceReceipts
            | Self::CreditNotes
            | Self::DebitNotes => DocumentFamily::Invoices,
            Self::Quotes | Self::Proformas | Self::FeesNotes => DocumentFamily::Estimates,
            Self::Shippings | Self::Transports | Self::Devolutions => DocumentFamily::Guides,
            Self::Receipts => DocumentFamily::Receipts,
        }
    }

    /// The kind for a plural path segment (`invoices`) or a singular wrapper key (`invoice`).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name || kind.wrapper_key() == name)
    }

    /// The kind for a CamelCase class name (`CreditNote`), as a document's `type` field has it.
    pub fn from_class_name(class: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.class_name() == class)
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A document type name this SDK does not know.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown document type `{0}` (expected one of invoices, simplified_invoices, invoice_receipts, credit_notes, \
     debit_notes, quotes, proformas, fees_notes, shippings, transports, devolutions, receipts)"
)]
pub struct UnknownDocumentKind(pub String);

impl FromStr for DocumentKind {
    type Err = UnknownDocumentKind;

    /// Accepts the plural path segment or the singular wrapper key.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::from_name(value).ok_or_else(|| UnknownDocumentKind(value.to_string()))
    }
}

impl From<DocumentKind> for DocumentType {
    fn from(kind: DocumentKind) -> Self {
        match kind {
            DocumentKind::Invoices => DocumentType::Invoices,
            DocumentKind::SimplifiedInvoices => DocumentType::SimplifiedInvoices,
            DocumentKind::InvoiceReceipts => DocumentType::InvoiceReceipts,
            DocumentKind::CreditNotes => DocumentType::CreditNotes,
            DocumentKind::DebitNotes => DocumentType::DebitNotes,
            DocumentKind::Quotes => DocumentType::Quotes,
            DocumentKind::Proformas => DocumentType::Proformas,
            DocumentKind::FeesNotes => DocumentType::FeesNotes,
            DocumentKind::Shippings => DocumentType::Shippings,
            DocumentKind::Transports => DocumentType::Transports,
            DocumentKind::Devolutions => DocumentType::Devolutions,
            DocumentKind::Receipts => DocumentType::Receipts,
        }
    }
}

impl TryFrom<&DocumentType> for DocumentKind {
    type Error = UnknownDocumentKind;

    fn try_from(value: &DocumentType) -> Result<Self, Self::Error> {
        value.as_str().parse()
    }
}

/// The reason given when canceling a document: never empty or whitespace only.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CancelReason(String);

/// A cancel reason was empty or whitespace only (InvoiceXpress answers 422 "Cancel message can't
/// be blank").
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a cancel reason must not be empty or whitespace only")]
pub struct EmptyCancelReason;

impl CancelReason {
    /// The reason, kept exactly as given; refused when it is empty or whitespace only.
    pub fn new(reason: impl Into<String>) -> Result<Self, EmptyCancelReason> {
        let reason = reason.into();
        if reason.trim().is_empty() {
            Err(EmptyCancelReason)
        } else {
            Ok(Self(reason))
        }
    }

    /// The reason's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CancelReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for CancelReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CancelReason {
    type Error = EmptyCancelReason;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl TryFrom<&str> for CancelReason {
    type Error = EmptyCancelReason;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

/// A state change to request. Each variant is the action; the state sent on the wire is
/// [`StateChange::kind`] (`finalized`, `deleted`, `canceled`, `settled`, `unsettled`,
/// `second_copy`, and for estimates `accepted`, `refused`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StateChange {
    /// `finalized`: a draft becomes final (an invoice receipt becomes settled).
    Finalize,
    /// `deleted`: a draft is deleted.
    Delete,
    /// `canceled`, with the reason the provider requires.
    Cancel {
        /// Why the document is canceled.
        reason: CancelReason,
    },
    /// `settled`: a final document is marked paid.
    Settle,
    /// `unsettled`: a settled credit or debit note becomes final again.
    Unsettle,
    /// `second_copy`: a final document gets a second copy (legacy XML API).
    SecondCopy,
    /// `accepted`: the client accepted a final (or refused) estimate.
    Accept,
    /// `refused`: the client refused a final (or accepted) estimate.
    Refuse,
}

impl StateChange {
    /// A cancel with `reason`; refused when the reason is empty or whitespace only.
    pub fn cancel(reason: impl Into<String>) -> Result<Self, EmptyCancelReason> {
        Ok(Self::Cancel {
            reason: CancelReason::new(reason)?,
        })
    }

    /// The state sent in a JSON change-state body.
    pub fn kind(&self) -> StateChangeKind {
        match self {
            Self::Finalize => StateChangeKind::Finalized,
            Self::Delete => StateChangeKind::Deleted,
            Self::Cancel { .. } => StateChangeKind::Canceled,
            Self::Settle => StateChangeKind::Settled,
            Self::Unsettle => StateChangeKind::Unsettled,
            Self::SecondCopy => StateChangeKind::SecondCopy,
            Self::Accept => StateChangeKind::Accepted,
            Self::Refuse => StateChangeKind::Refused,
        }
    }

    /// The change that sends `kind`; a cancel takes `reason`, and is `None` without one (as is
    /// a state this version does not know).
    pub fn from_kind(kind: &StateChangeKind, reason: Option<&CancelReason>) -> Option<Self> {
        Some(match kind {
            StateChangeKind::Finalized => Self::Finalize,
            StateChangeKind::Deleted => Self::Delete,
            StateChangeKind::Canceled => Self::Cancel {
                reason: reason?.clone(),
            },
            StateChangeKind::Settled => Self::Settle,
            StateChangeKind::Unsettled => Self::Unsettle,
            StateChangeKind::SecondCopy => Self::SecondCopy,
            StateChangeKind::Accepted => Self::Accept,
            StateChangeKind::Refused => Self::Refuse,
            StateChangeKind::Unknown(_) => return None,
        })
    }

    /// The state sent in a legacy XML change-state body. The legacy API knows no estimates:
    /// `Accept` and `Refuse` give the JSON API's state as an unknown legacy state.
    pub fn legacy_state(&self) -> LegacyState {
        match self {
            Self::Finalize => LegacyState::Finalized,
            Self::Delete => LegacyState::Deleted,
            Self::Cancel { .. } => LegacyState::Canceled,
            Self::Settle => LegacyState::Settled,
            Self::Unsettle => LegacyState::Unsettled,
            Self::SecondCopy => LegacyState::SecondCopy,
            Self::Accept | Self::Refuse => LegacyState::Unknown(self.kind().as_str().to_string()),
        }
    }

    /// The cancel reason, sent as `message`; `None` for every other change.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::Cancel { reason } => Some(reason.as_str()),
            _ => None,
        }
    }
}

impl From<&StateChange> for StateChangeKind {
    fn from(change: &StateChange) -> Self {
        change.kind()
    }
}

/// Shows the wire state (`canceled`), never the reason.
impl fmt::Display for StateChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind().as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_kind_names_round_trip() {
        for kind in DocumentKind::ALL {
            assert_eq!(kind.as_str().parse::<DocumentKind>(), Ok(kind));
            assert_eq!(kind.wrapper_key().parse::<DocumentKind>(), Ok(kind));
            let wire = DocumentType::from(kind);
            assert!(wire.is_known());
            assert_eq!(wire.as_str(), kind.as_str());
            assert_eq!(DocumentKind::try_from(&wire), Ok(kind));
        }
        assert!("estimates".parse::<DocumentKind>().is_err());
        assert!(DocumentKind::try_from(&DocumentType::Unknown("orders".into())).is_err());
        let families: Vec<usize> = DocumentFamily::ALL
            .iter()
            .map(|family| family.kinds().count())
            .collect();
        assert_eq!(families, [5, 3, 3, 1]);
        for kind in DocumentKind::ALL {
            assert_eq!(DocumentKind::from_class_name(kind.class_name()), Some(kind));
        }
    }

    #[test]
    fn cancel_requires_a_reason() {
        assert_eq!(StateChange::cancel(""), Err(EmptyCancelReason));
        assert_eq!(StateChange::cancel(" \t\n"), Err(EmptyCancelReason));
        let change = StateChange::cancel("  Wrong totals ").expect("non-empty reason");
        assert_eq!(change.reason(), Some("  Wrong totals "));
        assert_eq!(change.kind(), StateChangeKind::Canceled);
        assert_eq!(change.to_string(), "canceled");
    }

    #[test]
    fn wire_states_match_both_apis() {
        let reason = CancelReason::new("x").expect("non-empty");
        let all = [
            StateChange::Finalize,
            StateChange::Delete,
            StateChange::SecondCopy,
            StateChange::Cancel { reason },
            StateChange::Settle,
            StateChange::Unsettle,
            StateChange::Accept,
            StateChange::Refuse,
        ];
        for change in all {
            let reason = change.reason().map(|r| CancelReason::new(r).expect("non-empty"));
            assert_eq!(
                StateChange::from_kind(&change.kind(), reason.as_ref()).as_ref(),
                Some(&change)
            );
            assert_eq!(change.kind().as_str(), change.legacy_state().as_str());
            assert!(change.kind().is_known());
            assert_eq!(change.reason().is_some(), matches!(change, StateChange::Cancel { .. }));
        }
    }
}
