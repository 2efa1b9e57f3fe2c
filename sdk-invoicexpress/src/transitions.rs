//! The transition guards: which state changes the provider accepts from which status, as data.
//!
//! [`TRANSITIONS`] holds the JSON API v2 tables of every family (seed 002's for the invoice
//! family, then estimates, guides and receipts) and [`LEGACY_TRANSITIONS`] is seed 004's (legacy
//! XML API). Their rows are generated from the spec's two `x-transitions`
//! (`generated/tables.rs`); the guard logic is here. A client checks a change against its table
//! when the caller says what the document's current status is; a refused change never reaches the
//! server.

use std::fmt;
use std::mem::{Discriminant, discriminant};
use std::sync::OnceLock;

use crate::generated::tables::{CHANGE_DEBIT_NOTE_STATE_LEGACY_TRANSITIONS, CHANGE_DOCUMENT_STATE_TRANSITIONS};
use crate::state::DocumentKind;
use crate::types::{DocumentStatus, DocumentType, StateChangeKind};

/// One row of a transition table: from `from`, sending `state` gives `to`, for the listed `types`.
/// Generated from the spec's `x-transitions`.
pub use crate::generated::tables::Transition;

impl Transition {
    /// Whether the row applies to `kind`.
    pub fn applies_to(&self, kind: DocumentKind) -> bool {
        let kind = DocumentType::from(kind);
        self.types.contains(&kind)
    }
}

/// A transition table: the rows of one API's documented state machine.
#[derive(Debug)]
pub struct TransitionTable {
    api: &'static str,
    rows: &'static [Transition],
    /// Each row's change and starting status as enum variants, made at the first check: the
    /// guard runs on every guarded call, and comparing these reads a few cache lines where
    /// comparing the rows themselves reads the whole table.
    keys: OnceLock<Vec<RowKey>>,
}

/// A row's change and starting status, as variants (equal for any two `Other` values: a row whose
/// key matches is compared in full).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RowKey {
    state: Discriminant<StateChangeKind>,
    from: Discriminant<DocumentStatus>,
}

impl RowKey {
    fn of(state: &StateChangeKind, from: &DocumentStatus) -> Self {
        Self {
            state: discriminant(state),
            from: discriminant(from),
        }
    }
}

/// The tables of `PUT /{document-type}/{document-id}/change-state.json` for every family: seed
/// 002's seven rows for the invoice family, then the estimates' nine, the guides' three and the
/// receipts' one (each row names the types it applies to). "Any other transitions will fail."
pub static TRANSITIONS: TransitionTable = TransitionTable {
    api: "JSON API",
    rows: CHANGE_DOCUMENT_STATE_TRANSITIONS,
    keys: OnceLock::new(),
};

/// Seed 004's table for the legacy `PUT /debit_notes/{id}/change-state.xml` ("final or second
/// copy" expanded into one row each). It documents debit notes only: for other document types the
/// legacy client has no table to check against and lets the server decide.
pub static LEGACY_TRANSITIONS: TransitionTable = TransitionTable {
    api: "legacy XML API",
    rows: CHANGE_DEBIT_NOTE_STATE_LEGACY_TRANSITIONS,
    keys: OnceLock::new(),
};

impl TransitionTable {
    /// Which API the table belongs to, e.g. `JSON API`.
    pub fn api(&self) -> &'static str {
        self.api
    }

    /// Every row, in the seed's order.
    pub fn rows(&self) -> &'static [Transition] {
        self.rows
    }

    /// Whether any row applies to `kind` (when none does, the table cannot judge that type).
    pub fn covers(&self, kind: DocumentKind) -> bool {
        self.rows.iter().any(|row| row.applies_to(kind))
    }

    /// The rows that apply to `kind` in status `from`: the changes allowed from there.
    pub fn allowed_from<'a>(
        &self,
        kind: DocumentKind,
        from: &'a DocumentStatus,
    ) -> impl Iterator<Item = &'static Transition> + 'a {
        self.rows
            .iter()
            // The status first: it rules out most rows with one comparison.
            .filter(move |row| row.from == *from && row.applies_to(kind))
    }

    /// The shortest sequence of rows that takes a `kind` document from `from` to `to`, each row
    /// the one [`check`](Self::check) would match for its change (so an invoice receipt's
    /// `finalized` leads to `settled`). Empty when `from` is `to`; `None` when no sequence
    /// exists. Rows that send `canceled` are used only when `can_cancel` (a cancel needs a
    /// reason). Statuses are compared as given (normalise them first, see
    /// [`DocumentStatus::normalized`]).
    pub fn path(
        &self,
        kind: DocumentKind,
        from: &DocumentStatus,
        to: &DocumentStatus,
        can_cancel: bool,
    ) -> Option<Vec<&'static Transition>> {
        // Breadth-first over statuses; `reached` keeps, per status, the row that reached it.
        let mut reached: Vec<(DocumentStatus, Option<&'static Transition>)> = vec![(from.clone(), None)];
        let mut next = 0;
        while next < reached.len() {
            let status = reached[next].0.clone();
            next += 1;
            if status == *to {
                let mut path = Vec::new();
                let mut at = status;
                while let Some(row) = reached.iter().find(|(s, _)| *s == at).and_then(|(_, row)| *row) {
                    path.push(row);
                    at = row.from.clone();
                }
                path.reverse();
                return Some(path);
            }
            let mut states: Vec<&StateChangeKind> = Vec::new();
            for row in self.allowed_from(kind, &status) {
                if !states.contains(&&row.state) && (can_cancel || row.state != StateChangeKind::Canceled) {
                    states.push(&row.state);
                }
            }
            for state in states {
                if let Ok(row) = self.check(kind, &status, state.clone())
                    && !reached.iter().any(|(s, _)| *s == row.to)
                {
                    reached.push((row.to.clone(), Some(row)));
                }
            }
        }
        None
    }

    /// Whether `change` (a [`StateChange`](crate::StateChange) or its [`StateChangeKind`]) is
    /// allowed for a `kind` document in status `from`, and if so the row that allows it (its `to`
    /// is the resulting status). A status no row starts from (`sent`, `canceled`, an unknown
    /// value) allows nothing. When two rows match (seed 002 lists
    /// draft → final for all documents and draft → settled for invoice receipts only), the row
    /// naming fewer document types, the specific exception, wins.
    pub fn check(
        &self,
        kind: DocumentKind,
        from: &DocumentStatus,
        change: impl Into<StateChangeKind>,
    ) -> Result<&'static Transition, TransitionRefused> {
        let change = change.into();
        let key = RowKey::of(&change, from);
        let keys = self
            .keys
            .get_or_init(|| self.rows.iter().map(|row| RowKey::of(&row.state, &row.from)).collect());
        keys.iter()
            .zip(self.rows)
            .filter(|(row_key, row)| {
                **row_key == key && row.state == change && row.from == *from && row.applies_to(kind)
            })
            .map(|(_, row)| row)
            .min_by_key(|row| row.types.len())
            .ok_or_else(|| TransitionRefused {
                api: self.api,
                document_type: kind,
                status: from.clone(),
                change,
                allowed: self.allowed_from(kind, from).collect(),
            })
    }
}

/// A state change the transition table does not allow from the document's current status. The
/// request was not sent.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransitionRefused {
    /// Which API's table refused it, e.g. `JSON API`.
    pub api: &'static str,
    /// The document type.
    pub document_type: DocumentKind,
    /// The document's current status, as the caller gave it.
    pub status: DocumentStatus,
    /// The refused change (the state that would have been sent).
    pub change: StateChangeKind,
    /// The changes allowed from `status` for this document type (empty when none is).
    pub allowed: Vec<&'static Transition>,
}

impl fmt::Display for TransitionRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the {} does not allow the state change `{}` for {} in status `{}`; allowed from `{}`: ",
            self.api, self.change, self.document_type, self.status, self.status
        )?;
        if self.allowed.is_empty() {
            return f.write_str("none");
        }
        for (index, row) in self.allowed.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "`{}` (to `{}`)", row.state, row.to)?;
        }
        Ok(())
    }
}

impl std::error::Error for TransitionRefused {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusal_names_type_status_change_and_allowed_changes() {
        let refused = TRANSITIONS
            .check(
                DocumentKind::CreditNotes,
                &DocumentStatus::Draft,
                StateChangeKind::Settled,
            )
            .expect_err("draft credit notes cannot be settled");
        assert_eq!(refused.allowed.len(), 2);
        assert_eq!(
            refused.to_string(),
            "the JSON API does not allow the state change `settled` for credit_notes in status `draft`; \
             allowed from `draft`: `finalized` (to `final`), `deleted` (to `deleted`)"
        );
        let refused = TRANSITIONS
            .check(
                DocumentKind::Invoices,
                &DocumentStatus::Canceled,
                StateChangeKind::Finalized,
            )
            .expect_err("canceled is terminal");
        assert!(
            refused.to_string().ends_with("allowed from `canceled`: none"),
            "{refused}"
        );
    }

    #[test]
    fn the_keyed_check_agrees_with_comparing_every_row() {
        let reference = |table: &TransitionTable, kind, from: &DocumentStatus, change: &StateChangeKind| {
            table
                .rows()
                .iter()
                .filter(|row| row.state == *change && row.from == *from && row.applies_to(kind))
                .min_by_key(|row| row.types.len())
        };
        let mut statuses: Vec<DocumentStatus> = DocumentStatus::KNOWN_VALUES
            .iter()
            .map(|value| DocumentStatus::from_wire(value))
            .collect();
        statuses.push(DocumentStatus::Unknown("draft ".into()));
        let mut changes: Vec<StateChangeKind> = StateChangeKind::KNOWN_VALUES
            .iter()
            .map(|value| StateChangeKind::from_wire(value))
            .collect();
        changes.push(StateChangeKind::Unknown("finalized ".into()));
        let mut allowed = 0;
        for table in [&TRANSITIONS, &LEGACY_TRANSITIONS] {
            for kind in DocumentKind::ALL {
                for from in &statuses {
                    for change in &changes {
                        let checked = table.check(kind, from, change.clone()).ok();
                        assert_eq!(
                            checked,
                            reference(table, kind, from, change),
                            "{kind:?} {from} {change}"
                        );
                        allowed += usize::from(checked.is_some());
                    }
                }
            }
        }
        assert!(allowed > 20, "{allowed}");
    }

    #[test]
    fn the_specific_row_wins_for_finalizing_an_invoice_receipt() {
        let row = TRANSITIONS
            .check(
                DocumentKind::InvoiceReceipts,
                &DocumentStatus::Draft,
                StateChangeKind::Finalized,
            )
            .expect("allowed");
        assert_eq!(row.to, DocumentStatus::Settled);
        let row = TRANSITIONS
            .check(
                DocumentKind::Invoices,
                &DocumentStatus::Draft,
                StateChangeKind::Finalized,
            )
            .expect("allowed");
        assert_eq!(row.to, DocumentStatus::Final);
    }

    #[test]
    fn shortest_paths() {
        let path = |kind, from: DocumentStatus, to: DocumentStatus, cancel| {
            TRANSITIONS
                .path(kind, &from, &to, cancel)
                .map(|rows| rows.iter().map(|row| row.state.as_str()).collect::<Vec<_>>())
        };
        use DocumentStatus::*;
        let invoices = DocumentKind::Invoices;
        assert_eq!(
            path(invoices, Draft, Settled, false),
            Some(vec!["finalized", "settled"])
        );
        assert_eq!(path(invoices, Draft, Draft, false), Some(vec![]));
        assert_eq!(
            path(invoices, Draft, Canceled, true),
            Some(vec!["finalized", "canceled"])
        );
        assert_eq!(path(invoices, Draft, Canceled, false), None, "a cancel needs a reason");
        assert_eq!(
            path(invoices, Settled, Final, false),
            None,
            "invoices cannot be unsettled"
        );
        assert_eq!(
            path(DocumentKind::CreditNotes, Settled, Final, false),
            Some(vec!["unsettled"])
        );
        assert_eq!(
            path(DocumentKind::InvoiceReceipts, Draft, Settled, false),
            Some(vec!["finalized"])
        );
        assert_eq!(path(DocumentKind::InvoiceReceipts, Draft, Final, false), None);
        assert_eq!(
            path(DocumentKind::Quotes, Draft, Refused, false),
            Some(vec!["finalized", "refused"])
        );
        assert_eq!(
            path(DocumentKind::Proformas, Accepted, Refused, false),
            Some(vec!["refused"])
        );
        assert_eq!(path(DocumentKind::Shippings, Draft, Settled, false), None);
        assert_eq!(
            path(DocumentKind::Receipts, Final, Canceled, true),
            Some(vec!["canceled"])
        );
        assert_eq!(path(DocumentKind::Receipts, Draft, Canceled, true), None);
    }

    #[test]
    fn coverage() {
        assert!(DocumentKind::ALL.iter().all(|kind| TRANSITIONS.covers(*kind)));
        assert!(LEGACY_TRANSITIONS.covers(DocumentKind::DebitNotes));
        assert!(!LEGACY_TRANSITIONS.covers(DocumentKind::Invoices));
    }
}
