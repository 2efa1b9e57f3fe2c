//! Accessors on the generated document types: typed dates, identifiers that arrive as strings or
//! numbers, and the per-type response wrapper. Money is in `amounts`.

use chrono::NaiveDate;

use crate::state::{DocumentFamily, DocumentKind};
use crate::types::{Document, DocumentResponse, DocumentStatus, LegacyDocument, SequenceId};

/// A date that is neither a `dd/mm/yyyy` nor a `yyyy-mm-dd` calendar date.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a dd/mm/yyyy or yyyy-mm-dd date")]
pub struct InvalidDate(pub String);

/// Parses an InvoiceXpress date in either of the forms the API sends: `dd/mm/yyyy` (the API v2
/// docs, e.g. `14/11/2022`) or ISO `yyyy-mm-dd` (live documents, e.g. `2026-03-02`). Surrounding
/// whitespace is ignored; anything else (other widths or separators, non-ASCII digits, a time
/// part) or a day that is not in the calendar is an error.
pub fn parse_date(text: &str) -> Result<NaiveDate, InvalidDate> {
    let invalid = || InvalidDate(text.to_string());
    let trimmed = text.trim();
    let (day, month, year) = if let Some([day, month, year]) = date_fields(trimmed, '/', [2, 2, 4]) {
        (day, month, year)
    } else if let Some([year, month, day]) = date_fields(trimmed, '-', [4, 2, 2]) {
        (day, month, year)
    } else {
        return Err(invalid());
    };
    let year = i32::try_from(year).map_err(|_| invalid())?;
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(invalid)
}

/// The three numbers of `text` split at `separator`, when it has exactly three parts of exactly
/// these widths, all ASCII digits.
fn date_fields(text: &str, separator: char, widths: [usize; 3]) -> Option<[u32; 3]> {
    let mut parts = text.split(separator);
    let mut numbers = [0; 3];
    for (number, width) in numbers.iter_mut().zip(widths) {
        let part = parts.next()?;
        if part.len() != width || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *number = part.parse().ok()?;
    }
    parts.next().is_none().then_some(numbers)
}

impl SequenceId {
    /// The sequence id as an integer: an integer as is, a string parsed. `None` when the string is
    /// not an integer.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Self::Int64(id) => Some(*id),
            Self::String(text) => text.trim().parse().ok(),
        }
    }
}

/// What a document's `atcud` says about its registration with the Portuguese Tax Authority.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Atcud<'a> {
    /// The unique document code (e.g. `ABCD1234-5`): the sequence is registered.
    Code(&'a str),
    /// `N/D`: the sequence is relevant for ATCUD but not registered.
    NotRegistered,
    /// `N/A`: the sequence is not relevant for ATCUD.
    NotApplicable,
}

impl Document {
    /// The document date (`date`, `dd/mm/yyyy` or `yyyy-mm-dd`, see [`parse_date`]): `Ok(None)`
    /// when absent, an error when malformed.
    pub fn parsed_date(&self) -> Result<Option<NaiveDate>, InvalidDate> {
        self.date.as_deref().map(parse_date).transpose()
    }

    /// The due date (`due_date`, `dd/mm/yyyy` or `yyyy-mm-dd`, see [`parse_date`]): `Ok(None)`
    /// when absent, an error when malformed.
    pub fn parsed_due_date(&self) -> Result<Option<NaiveDate>, InvalidDate> {
        self.due_date.as_deref().map(parse_date).transpose()
    }

    /// The `owner_invoice_id` of live documents (the invoice a credit or debit note corrects),
    /// read from the fields this spec does not name ([`extra`](Document::extra)): an integer, or a
    /// string holding one. `None` when absent, `null` or anything else.
    pub fn owner_invoice_id(&self) -> Option<i64> {
        match self.extra.get("owner_invoice_id")? {
            serde_json::Value::Number(id) => id.as_i64(),
            serde_json::Value::String(id) => id.trim().parse().ok(),
            _ => None,
        }
    }

    /// The document kind named by the CamelCase `type` field (`Invoice`, `SimplifiedInvoice`,
    /// `InvoiceReceipt`, `CreditNote`, `DebitNote`, `Quote`, `Proforma`, `FeesNote`, `Shipping`,
    /// `Transport`, `Devolution`, `Receipt`); `None` when absent or another type.
    pub fn kind(&self) -> Option<DocumentKind> {
        kind_from_class(self.type_.as_deref()?)
    }

    /// The family of the document's kind ([`Document::kind`]).
    pub fn family(&self) -> Option<DocumentFamily> {
        self.kind().map(DocumentKind::family)
    }

    /// The document's status, normalised (see [`DocumentStatus::normalized`]); `None` when absent.
    pub fn normalized_status(&self) -> Option<DocumentStatus> {
        self.status.as_ref().map(DocumentStatus::normalized)
    }

    /// The ATCUD, interpreted; `None` when absent or blank.
    pub fn atcud_status(&self) -> Option<Atcud<'_>> {
        match self.atcud.as_deref().map(str::trim)? {
            "" => None,
            "N/D" => Some(Atcud::NotRegistered),
            "N/A" => Some(Atcud::NotApplicable),
            code => Some(Atcud::Code(code)),
        }
    }
}

impl LegacyDocument {
    /// The document kind named by the CamelCase `type` element (e.g. `DebitNote`); `None` when
    /// absent or another type.
    pub fn kind(&self) -> Option<DocumentKind> {
        kind_from_class(self.type_.as_deref()?)
    }
}

fn kind_from_class(class: &str) -> Option<DocumentKind> {
    DocumentKind::from_class_name(class.trim())
}

impl DocumentStatus {
    /// The status with both readings of the sources folded into one: `accept` reads as
    /// [`Accepted`](DocumentStatus::Accepted) and `refuse` as [`Refused`](DocumentStatus::Refused)
    /// (older docs name the estimate changes so), and a listed value in another case or with
    /// surrounding whitespace (`" Final"`) as that value. Anything else is kept as it is.
    pub fn normalized(&self) -> DocumentStatus {
        let Self::Unknown(text) = self else {
            return self.clone();
        };
        let folded = text.trim().to_ascii_lowercase();
        match folded.as_str() {
            "accept" => Self::Accepted,
            "refuse" => Self::Refused,
            other => match Self::from_wire(other) {
                Self::Unknown(_) => self.clone(),
                known => known,
            },
        }
    }
}

impl DocumentResponse {
    /// The wrapped document of kind `kind` (its singular key, e.g. `credit_note`).
    pub fn document_of(&self, kind: DocumentKind) -> Option<&Document> {
        match kind {
            DocumentKind::Invoices => self.invoice.as_ref(),
            DocumentKind::SimplifiedInvoices => self.simplified_invoice.as_ref(),
            DocumentKind::InvoiceReceipts => self.invoice_receipt.as_ref(),
            DocumentKind::CreditNotes => self.credit_note.as_ref(),
            DocumentKind::DebitNotes => self.debit_note.as_ref(),
            DocumentKind::Quotes => self.quote.as_ref(),
            DocumentKind::Proformas => self.proforma.as_ref(),
            DocumentKind::FeesNotes => self.fees_note.as_ref(),
            DocumentKind::Shippings => self.shipping.as_ref(),
            DocumentKind::Transports => self.transport.as_ref(),
            DocumentKind::Devolutions => self.devolution.as_ref(),
            DocumentKind::Receipts => self.receipt.as_ref(),
        }
    }

    /// The wrapped document, whichever known key wraps it (the twelve singular keys, then the
    /// family keys `estimate` and `guide`); `None` when none does.
    pub fn document(&self) -> Option<&Document> {
        DocumentKind::ALL
            .into_iter()
            .find_map(|kind| self.document_of(kind))
            .or(self.estimate.as_ref())
            .or(self.guide.as_ref())
    }

    /// The wrapped document, preferring the key of `kind`, then its family's key (`estimate`,
    /// `guide`), then any other known key (the provider has been seen wrapping every type in
    /// `invoice`).
    pub fn into_document(mut self, kind: DocumentKind) -> Option<Document> {
        self.take_document(kind).or_else(|| self.take_any_document())
    }

    /// Takes the document under the key of `kind`, else under its family's key.
    pub(crate) fn take_document(&mut self, kind: DocumentKind) -> Option<Document> {
        let own = match kind {
            DocumentKind::Invoices => self.invoice.take(),
            DocumentKind::SimplifiedInvoices => self.simplified_invoice.take(),
            DocumentKind::InvoiceReceipts => self.invoice_receipt.take(),
            DocumentKind::CreditNotes => self.credit_note.take(),
            DocumentKind::DebitNotes => self.debit_note.take(),
            DocumentKind::Quotes => self.quote.take(),
            DocumentKind::Proformas => self.proforma.take(),
            DocumentKind::FeesNotes => self.fees_note.take(),
            DocumentKind::Shippings => self.shipping.take(),
            DocumentKind::Transports => self.transport.take(),
            DocumentKind::Devolutions => self.devolution.take(),
            DocumentKind::Receipts => self.receipt.take(),
        };
        own.or_else(|| match kind.family() {
            DocumentFamily::Estimates => self.estimate.take(),
            DocumentFamily::Guides => self.guide.take(),
            DocumentFamily::Invoices | DocumentFamily::Receipts => None,
        })
    }

    /// Takes the first document found under a known key, in [`DocumentKind::ALL`]'s order, then
    /// under `estimate` and `guide`.
    pub(crate) fn take_any_document(&mut self) -> Option<Document> {
        DocumentKind::ALL
            .into_iter()
            .find_map(|kind| self.take_document(kind))
            .or_else(|| self.estimate.take())
            .or_else(|| self.guide.take())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_strictly_and_never_panic() {
        assert_eq!(
            parse_date("14/11/2022"),
            Ok(NaiveDate::from_ymd_opt(2022, 11, 14).expect("valid"))
        );
        assert_eq!(
            parse_date(" 01/02/2023 "),
            Ok(NaiveDate::from_ymd_opt(2023, 2, 1).expect("valid"))
        );
        for bad in [
            "",
            "31/02/2022",
            "00/01/2022",
            "14/13/2022",
            "1/11/2022",
            "14/11/22",
            "14-11-2022",
            "aa/bb/cccc",
            "14/11/2022x",
            "١٤/١١/٢٠٢٢",
            "+1/11/2022",
            "14/11/+022",
            "é4/11/2022",
            "14/11-2022",
            "2022/11/14",
        ] {
            assert_eq!(parse_date(bad), Err(InvalidDate(bad.to_string())), "{bad:?}");
        }
    }

    #[test]
    fn iso_dates_of_live_documents_parse_too() {
        assert_eq!(
            parse_date("2026-03-02"),
            Ok(NaiveDate::from_ymd_opt(2026, 3, 2).expect("valid"))
        );
        assert_eq!(
            parse_date(" 2024-02-29\n"),
            Ok(NaiveDate::from_ymd_opt(2024, 2, 29).expect("valid"))
        );
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-3-2",
            "26-03-02",
            "2026-03-02T10:00:00Z",
            "2026-03-02x",
            "+026-03-02",
            "2026-03-+2",
            "٢٠٢٦-٠٣-٠٢",
            "2026--03-02",
        ] {
            assert_eq!(parse_date(bad), Err(InvalidDate(bad.to_string())), "{bad:?}");
        }
        let message = InvalidDate("x".into()).to_string();
        assert_eq!(message, "`x` is not a dd/mm/yyyy or yyyy-mm-dd date");
    }

    #[test]
    fn owner_invoice_ids_from_the_extra_fields() {
        let id = |json: &str| {
            serde_json::from_str::<Document>(json)
                .map(|d| d.owner_invoice_id())
                .ok()
        };
        assert_eq!(id(r#"{"id":1,"owner_invoice_id":42}"#), Some(Some(42)));
        assert_eq!(id(r#"{"id":1,"owner_invoice_id":" 42 "}"#), Some(Some(42)));
        for none in [
            r#"{"id":1}"#,
            r#"{"id":1,"owner_invoice_id":null}"#,
            r#"{"id":1,"owner_invoice_id":"A-1"}"#,
            r#"{"id":1,"owner_invoice_id":4.5}"#,
            r#"{"id":1,"owner_invoice_id":{"id":42}}"#,
        ] {
            assert_eq!(id(none), Some(None), "{none}");
        }
    }

    #[test]
    fn sequence_ids() {
        assert_eq!(SequenceId::Int64(987654321).as_i64(), Some(987654321));
        assert_eq!(SequenceId::String("987654321".into()).as_i64(), Some(987654321));
        assert_eq!(SequenceId::String("A-1".into()).as_i64(), None);
    }

    #[test]
    fn atcud_and_kind() {
        let mut doc: Document = serde_json::from_str(r#"{"id":1,"atcud":"N/D","type":"CreditNote"}"#).expect("decodes");
        assert_eq!(doc.atcud_status(), Some(Atcud::NotRegistered));
        assert_eq!(doc.kind(), Some(DocumentKind::CreditNotes));
        doc.atcud = Some("N/A".into());
        assert_eq!(doc.atcud_status(), Some(Atcud::NotApplicable));
        doc.atcud = Some("ABCD1234-5".into());
        assert_eq!(doc.atcud_status(), Some(Atcud::Code("ABCD1234-5")));
        doc.atcud = None;
        doc.type_ = Some("Quote".into());
        assert_eq!((doc.atcud_status(), doc.kind()), (None, Some(DocumentKind::Quotes)));
        assert_eq!(doc.family(), Some(DocumentFamily::Estimates));
        doc.type_ = Some("VatMossInvoice".into());
        assert_eq!(doc.kind(), None);
    }

    #[test]
    fn into_document_prefers_the_requested_wrapper() {
        let response: DocumentResponse =
            serde_json::from_str(r#"{"invoice":{"id":1},"credit_note":{"id":2}}"#).expect("decodes");
        assert_eq!(
            response.clone().into_document(DocumentKind::CreditNotes).map(|d| d.id),
            Some(2)
        );
        assert_eq!(
            response.clone().into_document(DocumentKind::DebitNotes).map(|d| d.id),
            Some(1)
        );
        assert_eq!(response.document().map(|d| d.id), Some(1));
        assert_eq!(DocumentResponse::default().into_document(DocumentKind::Invoices), None);
    }

    #[test]
    fn family_wrappers_decode_too() {
        let response: DocumentResponse = serde_json::from_str(r#"{"estimate":{"id":5}}"#).expect("decodes");
        assert_eq!(response.document().map(|d| d.id), Some(5));
        assert_eq!(response.into_document(DocumentKind::Proformas).map(|d| d.id), Some(5));
        let response: DocumentResponse =
            serde_json::from_str(r#"{"guide":{"id":6},"shipping":{"id":7}}"#).expect("decodes");
        assert_eq!(
            response.clone().into_document(DocumentKind::Shippings).map(|d| d.id),
            Some(7)
        );
        assert_eq!(response.into_document(DocumentKind::Transports).map(|d| d.id), Some(6));
    }

    #[test]
    fn statuses_normalize_both_readings() {
        let norm = |text: &str| DocumentStatus::from(text).normalized();
        assert_eq!(norm("accepted"), DocumentStatus::Accepted);
        assert_eq!(norm("accept"), DocumentStatus::Accepted);
        assert_eq!(norm(" Refuse "), DocumentStatus::Refused);
        assert_eq!(norm("FINAL"), DocumentStatus::Final);
        assert_eq!(norm("archived"), DocumentStatus::Unknown("archived".into()));
    }
}
