//! The 14 lifecycle statuses of the French e-invoicing reform (codes 200 to 213).

use std::fmt;
use std::str::FromStr;

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

/// One row of the lifecycle table.
struct Row {
    status: LifecycleStatus,
    name: &'static str,
    code: u16,
    fr: &'static str,
    en: &'static str,
    mandatory: bool,
}

/// The lifecycle table, written once, in code order (the order of the enum's variants).
/// `tests/lifecycle.rs` checks it against the spec's `x-lifecycle-codes`.
const TABLE: [Row; 14] = [
    Row {
        status: LifecycleStatus::Submitted,
        name: "SUBMITTED",
        code: 200,
        fr: "Déposée",
        en: "Submitted",
        mandatory: true,
    },
    Row {
        status: LifecycleStatus::Issued,
        name: "ISSUED",
        code: 201,
        fr: "Émise",
        en: "Issued",
        mandatory: false,
    },
    Row {
        status: LifecycleStatus::Received,
        name: "RECEIVED",
        code: 202,
        fr: "Reçue",
        en: "Received",
        mandatory: false,
    },
    Row {
        status: LifecycleStatus::MadeAvailable,
        name: "MADE_AVAILABLE",
        code: 203,
        fr: "Mise à disposition",
        en: "Made available",
        mandatory: false,
    },
    Row {
        status: LifecycleStatus::InHand,
        name: "IN_HAND",
        code: 204,
        fr: "Prise en charge",
        en: "In hand",
        mandatory: false,
    },
    Row {
        status: LifecycleStatus::Approved,
        name: "APPROVED",
        code: 205,
        fr: "Approuvée",
        en: "Approved",
        mandatory: false,
    },
    Row {
        status: LifecycleStatus::PartiallyApproved,
        name: "PARTIALLY_APPROVED",
        code: 206,
        fr: "Approuvée partiellement",
        en: "Partially approved",
        mandatory: false,
    },
    Row {
        status: LifecycleStatus::Disputed,
        name: "DISPUTED",
        code: 207,
        fr: "En litige",
        en: "Disputed",
        mandatory: false,
    },
    Row {
        status: LifecycleStatus::Suspended,
        name: "SUSPENDED",
        code: 208,
        fr: "Suspendue",
        en: "Suspended",
        mandatory: false,
    },
    Row {
        status: LifecycleStatus::Completed,
        name: "COMPLETED",
        code: 209,
        fr: "Complétée",
        en: "Completed",
        mandatory: false,
    },
    Row {
        status: LifecycleStatus::Refused,
        name: "REFUSED",
        code: 210,
        fr: "Refusée",
        en: "Refused",
        mandatory: true,
    },
    Row {
        status: LifecycleStatus::PaymentSent,
        name: "PAYMENT_SENT",
        code: 211,
        fr: "Paiement transmis",
        en: "Payment sent",
        mandatory: false,
    },
    Row {
        status: LifecycleStatus::PaymentReceived,
        name: "PAYMENT_RECEIVED",
        code: 212,
        fr: "Encaissée",
        en: "Payment received",
        mandatory: true,
    },
    Row {
        status: LifecycleStatus::Rejected,
        name: "REJECTED",
        code: 213,
        fr: "Rejetée",
        en: "Rejected",
        mandatory: true,
    },
];

impl LifecycleStatus {
    /// Every status, in code order (200 to 213).
    pub const ALL: [LifecycleStatus; 14] = [
        TABLE[0].status,
        TABLE[1].status,
        TABLE[2].status,
        TABLE[3].status,
        TABLE[4].status,
        TABLE[5].status,
        TABLE[6].status,
        TABLE[7].status,
        TABLE[8].status,
        TABLE[9].status,
        TABLE[10].status,
        TABLE[11].status,
        TABLE[12].status,
        TABLE[13].status,
    ];

    fn row(self) -> &'static Row {
        // The variants are declared in table order, so the discriminant is the row index.
        &TABLE[self as usize]
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
        self.row().fr
    }

    /// The English label, for example `"Approved"`.
    pub fn label_en(self) -> &'static str {
        self.row().en
    }

    /// Whether the reform makes this status mandatory (200, 210, 212, 213).
    pub fn is_mandatory(self) -> bool {
        self.row().mandatory
    }

    /// The status with this numeric code, if it is one of 200 to 213.
    pub fn from_code(code: u16) -> Option<Self> {
        TABLE.iter().find(|row| row.code == code).map(|row| row.status)
    }

    /// The status with this name (`"APPROVED"`), compared without regard to ASCII case.
    pub fn from_name(name: &str) -> Option<Self> {
        TABLE
            .iter()
            .find(|row| row.name.eq_ignore_ascii_case(name))
            .map(|row| row.status)
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
        for (index, row) in TABLE.iter().enumerate() {
            assert_eq!(row.status as usize, index, "{}", row.name);
            assert_eq!(row.code as usize, 200 + index, "{}", row.name);
            assert_eq!(LifecycleStatus::ALL[index], row.status);
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
