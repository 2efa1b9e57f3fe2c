//! The 14 lifecycle statuses of the French e-invoicing reform (codes 200 to 213).

use std::fmt;
use std::str::FromStr;

use crate::generated::tables::{LIFECYCLE_CODES, LifecycleCode};
use crate::types::LifecycleStatusCode;

/// A lifecycle status of the French e-invoicing reform, as Iopole reports it in a status history.
///
/// Each status has a name (`APPROVED`), a French numeric code (`205`), a French and an English
/// label, and says whether the reform makes it mandatory (200, 210, 212 and 213 are).
///
/// Iopole's `status.code` carries either the name or the numeric code; [`LifecycleStatus::parse`]
/// accepts both and returns `None` for anything else.
///
/// ```
/// use sdk_iopole::LifecycleStatus;
///
/// let approved = LifecycleStatus::parse("205").unwrap();
/// assert_eq!(approved, LifecycleStatus::Approved);
/// assert_eq!(LifecycleStatus::parse("APPROVED"), Some(approved));
/// assert_eq!(approved.code(), 205);
/// assert_eq!(approved.label_fr(), "Approuvée");
/// assert_eq!(approved.label_en(), "Approved");
/// assert!(!approved.is_mandatory());
/// assert!(LifecycleStatus::PaymentReceived.is_mandatory());
/// assert_eq!(LifecycleStatus::parse("299"), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LifecycleStatus {
    /// 200 `SUBMITTED`, Déposée (mandatory).
    Submitted,
    /// 201 `ISSUED`, Émise.
    Issued,
    /// 202 `RECEIVED`, Reçue.
    Received,
    /// 203 `MADE_AVAILABLE`, Mise à disposition.
    MadeAvailable,
    /// 204 `IN_HAND`, Prise en charge.
    InHand,
    /// 205 `APPROVED`, Approuvée.
    Approved,
    /// 206 `PARTIALLY_APPROVED`, Approuvée partiellement.
    PartiallyApproved,
    /// 207 `DISPUTED`, En litige.
    Disputed,
    /// 208 `SUSPENDED`, Suspendue.
    Suspended,
    /// 209 `COMPLETED`, Complétée.
    Completed,
    /// 210 `REFUSED`, Refusée (mandatory).
    Refused,
    /// 211 `PAYMENT_SENT`, Paiement transmis.
    PaymentSent,
    /// 212 `PAYMENT_RECEIVED`, Encaissée (mandatory).
    PaymentReceived,
    /// 213 `REJECTED`, Rejetée (mandatory).
    Rejected,
}

// The lifecycle table is generated from the spec's `x-lifecycle-codes` (`generated/tables.rs`), in
// code order. The enum lists one variant per row, in the same order (`variants_follow_table_order`
// checks the names), so a variant's discriminant is its row.
const _: () = assert!(LIFECYCLE_CODES.len() == LifecycleStatus::ALL.len());

impl LifecycleStatus {
    /// Every status, in code order (200 to 213).
    pub const ALL: [LifecycleStatus; 14] = [
        Self::Submitted,
        Self::Issued,
        Self::Received,
        Self::MadeAvailable,
        Self::InHand,
        Self::Approved,
        Self::PartiallyApproved,
        Self::Disputed,
        Self::Suspended,
        Self::Completed,
        Self::Refused,
        Self::PaymentSent,
        Self::PaymentReceived,
        Self::Rejected,
    ];

    fn row(self) -> &'static LifecycleCode {
        // The variants are declared in table order, so the discriminant is the row index.
        &LIFECYCLE_CODES[self as usize]
    }

    /// The wire name, for example `"APPROVED"`.
    pub fn name(self) -> &'static str {
        self.row().name
    }

    /// The French numeric code, 200 to 213.
    pub fn code(self) -> u16 {
        self.row().code
    }

    /// The French label, for example `"Approuvée"`.
    pub fn label_fr(self) -> &'static str {
        self.row().label_fr
    }

    /// The English label, for example `"Approved"`.
    pub fn label_en(self) -> &'static str {
        self.row().label_en
    }

    /// Whether the reform makes this status mandatory (200, 210, 212, 213).
    pub fn is_mandatory(self) -> bool {
        self.row().mandatory
    }

    /// The status with this numeric code, if it is one of 200 to 213.
    pub fn from_code(code: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.code() == code)
    }

    /// The status with this name (`"APPROVED"`), compared without regard to ASCII case.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|status| status.name().eq_ignore_ascii_case(name))
    }

    /// Interprets a status code as Iopole sends it: a name (`"APPROVED"`) or a numeric code
    /// (`"205"`). Surrounding whitespace is ignored; anything else gives `None`.
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        match value.parse::<u16>() {
            Ok(code) => Self::from_code(code),
            Err(_) => Self::from_name(value),
        }
    }

    /// The same status as the spec's open enum.
    pub fn to_code_enum(self) -> LifecycleStatusCode {
        LifecycleStatusCode::from_wire(self.name())
    }
}

impl fmt::Display for LifecycleStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A status code that is neither one of the 14 names nor one of the codes 200 to 213.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown lifecycle status code {0:?}")]
pub struct UnknownLifecycleStatus(pub String);

impl FromStr for LifecycleStatus {
    type Err = UnknownLifecycleStatus;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::parse(value).ok_or_else(|| UnknownLifecycleStatus(value.to_string()))
    }
}

impl TryFrom<&LifecycleStatusCode> for LifecycleStatus {
    type Error = UnknownLifecycleStatus;

    fn try_from(value: &LifecycleStatusCode) -> Result<Self, Self::Error> {
        Self::from_name(value.as_str()).ok_or_else(|| UnknownLifecycleStatus(value.as_str().to_string()))
    }
}

impl From<LifecycleStatus> for LifecycleStatusCode {
    fn from(value: LifecycleStatus) -> Self {
        value.to_code_enum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_follow_table_order() {
        // The generated table and the spec's open enum list the same names in the same order;
        // each variant's row has its name, and the codes run from 200.
        for (index, status) in LifecycleStatus::ALL.into_iter().enumerate() {
            assert_eq!(status as usize, index);
            let row = &LIFECYCLE_CODES[index];
            assert_eq!(row.name, LifecycleStatusCode::KNOWN_VALUES[index]);
            assert_eq!(
                format!("{status:?}"),
                format!("{:?}", LifecycleStatusCode::from_wire(row.name)),
                "{}",
                row.name
            );
            assert_eq!(row.code as usize, 200 + index, "{}", row.name);
        }
    }

    #[test]
    fn parse_accepts_names_and_numbers_only() {
        for status in LifecycleStatus::ALL {
            assert_eq!(LifecycleStatus::parse(status.name()), Some(status));
            assert_eq!(LifecycleStatus::parse(&status.code().to_string()), Some(status));
            assert_eq!(LifecycleStatus::parse(&status.name().to_lowercase()), Some(status));
        }
        for unknown in [
            "",
            " ",
            "199",
            "214",
            "-205",
            "205.0",
            "APPROVE",
            "ROUTING_FAILURE",
            "99999999999",
        ] {
            assert_eq!(LifecycleStatus::parse(unknown), None, "{unknown:?}");
        }
        assert_eq!(LifecycleStatus::parse(" 213 "), Some(LifecycleStatus::Rejected));
    }

    #[test]
    fn converts_to_and_from_the_open_enum() {
        for status in LifecycleStatus::ALL {
            let open = LifecycleStatusCode::from(status);
            assert!(open.is_known());
            assert_eq!(LifecycleStatus::try_from(&open), Ok(status));
        }
        assert!(LifecycleStatus::try_from(&LifecycleStatusCode::Unknown("NEW".into())).is_err());
    }
}
