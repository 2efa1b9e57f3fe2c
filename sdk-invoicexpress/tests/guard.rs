//! The transition tables (generated from the spec's `x-transitions`), exhaustively checked against
//! the provider pages' own tables (parsed here from the pages' text, independently of the crate's
//! data): seed 002 (invoice family), the estimates and guides change-state pages, the receipts'
//! cancel-payment page, and seed 004 (legacy).

use sdk_invoicexpress::types::{DocumentStatus, StateChangeKind};
use sdk_invoicexpress::{
    CancelReason, DocumentFamily, DocumentKind, LEGACY_TRANSITIONS, StateChange, TRANSITIONS, TransitionTable,
};

/// A row of a seed's table: from, to, state, the document types it names, and whether it is a
/// type-specific exception ("Only ...").
struct SeedRow {
    from: String,
    to: String,
    state: String,
    types: Vec<DocumentKind>,
    exception: bool,
}

/// Seed 002's table, verbatim.
const SEED_002_TABLE: &str = "\
draft | final | finalized | All documents. |
draft | settled | finalized | Only invoice_receipt. |
draft | deleted | deleted | All documents. |
final | canceled | canceled | All documents. |
settled | canceled | canceled | Only invoice_receipt. |
final | settled | settled | All documents. |
settled | final | unsettled | Only credit_note and debit_note. |";

fn seed_002_rows() -> Vec<SeedRow> {
    SEED_002_TABLE
        .lines()
        .map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let notes = cells[3].trim_end_matches('.');
            let (types, exception) = match notes.strip_prefix("Only ") {
                Some(list) => (
                    list.split(" and ")
                        .map(|name| name.parse::<DocumentKind>().expect("a seed type"))
                        .collect(),
                    true,
                ),
                None => {
                    assert_eq!(notes, "All documents");
                    (DocumentFamily::Invoices.kinds().collect(), false)
                }
            };
            SeedRow {
                from: cells[0].into(),
                to: cells[1].into(),
                state: cells[2].into(),
                types,
                exception,
            }
        })
        .collect()
}

/// The estimates change-state page's table (from | to | event), verbatim; it applies to quotes,
/// proformas and fees notes. The event column says `accept`/`refuse`, the spec sends
/// `accepted`/`refused` (its `StateChangeKind` note): [`decided`] maps one to the other.
const ESTIMATES_TABLE: &str = "\
draft | final | finalized
draft | deleted | deleted
final | accepted | accept
final | refused | refuse
final | canceled | canceled
accepted | refused | refuse
refused | accepted | accept
accepted | canceled | canceled
refused | canceled | canceled";

/// The guides change-state page's table, verbatim (shippings, transports, devolutions).
const GUIDES_TABLE: &str = "\
draft | final | finalized
draft | deleted | deleted
final | canceled | canceled";

/// The cancel-payment page: a receipt (issued final) is canceled with `canceled`.
const RECEIPTS_TABLE: &str = "final | canceled | canceled";

/// The spec's decision on the estimates' events (see `StateChangeKind` in the spec).
fn decided(event: &str) -> String {
    match event {
        "accept" => "accepted".into(),
        "refuse" => "refused".into(),
        other => other.into(),
    }
}

fn page_rows(table: &str, types: &[DocumentKind]) -> Vec<SeedRow> {
    table
        .lines()
        .map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            SeedRow {
                from: cells[0].into(),
                to: cells[1].into(),
                state: decided(cells[2]),
                types: types.to_vec(),
                exception: false,
            }
        })
        .collect()
}

/// Every family's rows: seed 002 (the invoice family), then the estimates, guides and receipts
/// pages.
fn json_rows() -> Vec<SeedRow> {
    use DocumentKind::*;
    let mut rows = seed_002_rows();
    rows.extend(page_rows(ESTIMATES_TABLE, &[Quotes, Proformas, FeesNotes]));
    rows.extend(page_rows(GUIDES_TABLE, &[Shippings, Transports, Devolutions]));
    rows.extend(page_rows(RECEIPTS_TABLE, &[Receipts]));
    rows
}

/// Seed 004's transition list, verbatim.
const SEED_004_LIST: &str = "\
draft to final – finalized
draft to deleted – deleted
settled to final – unsettled
final to second copy – second_copy
final or second copy to canceled – canceled
final or second copy to settled – settled";

fn seed_004_rows() -> Vec<SeedRow> {
    let status = |text: &str| text.trim().replace("second copy", "second_copy");
    SEED_004_LIST
        .lines()
        .flat_map(|line| {
            let (transition, state) = line.split_once(" – ").expect("`from to to – state`");
            let (froms, to) = transition.split_once(" to ").expect("`from to to`");
            froms
                .split(" or ")
                .map(|from| SeedRow {
                    from: status(from),
                    to: status(to),
                    state: state.trim().into(),
                    types: vec![DocumentKind::DebitNotes],
                    exception: false,
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn statuses() -> Vec<DocumentStatus> {
    let mut statuses: Vec<DocumentStatus> = DocumentStatus::KNOWN_VALUES
        .iter()
        .map(|s| DocumentStatus::from(*s))
        .collect();
    statuses.push(DocumentStatus::Unknown("archived".into()));
    statuses
}

fn changes() -> Vec<StateChange> {
    let reason = CancelReason::new("Wrong invoice totals.").expect("non-empty");
    vec![
        StateChange::Finalize,
        StateChange::Delete,
        StateChange::SecondCopy,
        StateChange::Cancel { reason },
        StateChange::Settle,
        StateChange::Unsettle,
        StateChange::Accept,
        StateChange::Refuse,
    ]
}

/// Checks every (type, status, change) against `seed`, returning (combinations, allowed).
fn check_exhaustively(table: &TransitionTable, seed: &[SeedRow]) -> (usize, usize) {
    let (mut combinations, mut allowed) = (0, 0);
    for kind in DocumentKind::ALL {
        for status in statuses() {
            for change in changes() {
                combinations += 1;
                let what = format!("{kind} in `{status}` + `{change}`");
                let matching: Vec<&SeedRow> = seed
                    .iter()
                    .filter(|row| {
                        row.types.contains(&kind) && row.from == status.as_str() && row.state == change.kind().as_str()
                    })
                    .collect();
                let result = table.check(kind, &status, &change);
                if matching.is_empty() {
                    let refused = result.expect_err(&format!("{what} must be refused"));
                    assert_eq!(refused.document_type, kind, "{what}");
                    assert_eq!(refused.status, status, "{what}");
                    assert_eq!(refused.change, change.kind(), "{what}");
                    let mut expected: Vec<(String, String)> = seed
                        .iter()
                        .filter(|row| row.types.contains(&kind) && row.from == status.as_str())
                        .map(|row| (row.state.clone(), row.to.clone()))
                        .collect();
                    let mut got: Vec<(String, String)> = refused
                        .allowed
                        .iter()
                        .map(|row| (row.state.to_string(), row.to.to_string()))
                        .collect();
                    expected.sort();
                    got.sort();
                    assert_eq!(got, expected, "{what}: the allowed changes");
                    let message = refused.to_string();
                    for part in [kind.as_str(), status.as_str(), change.kind().as_str()] {
                        assert!(message.contains(part), "{what}: `{message}` should name `{part}`");
                    }
                } else {
                    allowed += 1;
                    let row = result.unwrap_or_else(|refused| panic!("{what} must be allowed: {refused}"));
                    let expected = match matching.as_slice() {
                        [only] => *only,
                        several => {
                            let exceptions: Vec<&&SeedRow> = several.iter().filter(|row| row.exception).collect();
                            assert_eq!(exceptions.len(), 1, "{what}: one type-specific row decides");
                            exceptions[0]
                        }
                    };
                    assert_eq!(row.to.as_str(), expected.to, "{what}: the resulting status");
                    assert_eq!(row.from, status, "{what}");
                    assert_eq!(row.state, change.kind(), "{what}");
                }
            }
        }
    }
    (combinations, allowed)
}

#[test]
fn json_guard_matches_every_familys_page_for_every_combination() {
    let (combinations, allowed) = check_exhaustively(&TRANSITIONS, &json_rows());
    // 12 types x 10 statuses (9 known + 1 unknown) x 8 changes.
    assert_eq!(combinations, 960);
    // Invoice family (seed 002): draft: finalize + delete for all 5 (10); final: cancel + settle
    // for all 5 (10); settled: cancel for invoice receipts (1), unsettle for credit and debit
    // notes (2). Estimates: 9 rows x 3 types. Guides: 3 rows x 3 types. Receipts: 1.
    assert_eq!(allowed, 23 + 27 + 9 + 1);
}

#[test]
fn legacy_guard_matches_seed_004_for_every_combination() {
    let (combinations, allowed) = check_exhaustively(&LEGACY_TRANSITIONS, &seed_004_rows());
    assert_eq!(combinations, 960);
    // Debit notes only: 1 + 1 + 1 + 1 + 2 + 2.
    assert_eq!(allowed, 8);
    for kind in DocumentKind::ALL {
        assert_eq!(
            LEGACY_TRANSITIONS.covers(kind),
            kind == DocumentKind::DebitNotes,
            "{kind}"
        );
        assert!(TRANSITIONS.covers(kind), "{kind}");
    }
}

#[test]
fn second_copy_only_exists_in_the_legacy_table() {
    assert!(
        TRANSITIONS
            .rows()
            .iter()
            .all(|row| row.state != StateChangeKind::SecondCopy)
    );
    let row = LEGACY_TRANSITIONS
        .check(
            DocumentKind::DebitNotes,
            &DocumentStatus::Final,
            &StateChange::SecondCopy,
        )
        .expect("final -> second_copy");
    assert_eq!(row.to, DocumentStatus::SecondCopy);
}
