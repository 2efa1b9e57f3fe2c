//! The lifecycle table's behaviour. Its data is generated from the spec's `x-lifecycle-codes`
//! (`cargo xtask generate` checks the rows against the enum they describe).

use sdk_iopole::LifecycleStatus;
use sdk_iopole::types::LifecycleStatusCode;

#[test]
fn every_status_is_a_value_of_the_generated_open_enum() {
    let ours: Vec<&str> = LifecycleStatus::ALL.iter().map(|s| s.name()).collect();
    assert_eq!(LifecycleStatusCode::KNOWN_VALUES, ours.as_slice());
    for status in LifecycleStatus::ALL {
        assert_eq!(LifecycleStatus::parse(status.name()), Some(status));
        assert_eq!(LifecycleStatus::from_code(status.code()), Some(status));
    }
}

#[test]
fn mandatory_statuses_are_200_210_212_213() {
    let mandatory: Vec<u16> = LifecycleStatus::ALL
        .iter()
        .filter(|s| s.is_mandatory())
        .map(|s| s.code())
        .collect();
    assert_eq!(mandatory, vec![200, 210, 212, 213]);
    let codes: Vec<u16> = LifecycleStatus::ALL.iter().map(|s| s.code()).collect();
    assert_eq!(codes, (200..=213).collect::<Vec<_>>());
}
