//! The lifecycle table against the spec's `x-lifecycle-codes` (parsed from specs/iopole.yaml).

use sdk_iopole::LifecycleStatus;
use sdk_iopole::types::LifecycleStatusCode;
use serde_json::Value;

fn lifecycle_schema() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../specs/iopole.yaml");
    let text = std::fs::read_to_string(path).expect("specs/iopole.yaml is readable");
    let spec: Value = serde_norway::from_str(&text).expect("specs/iopole.yaml is YAML");
    spec["components"]["schemas"]["LifecycleStatusCode"].clone()
}

#[test]
fn table_matches_the_spec_x_lifecycle_codes() {
    let schema = lifecycle_schema();
    let rows = schema["x-lifecycle-codes"]
        .as_array()
        .expect("x-lifecycle-codes is a list");
    assert_eq!(rows.len(), 14);
    assert_eq!(rows.len(), LifecycleStatus::ALL.len());
    for (row, status) in rows.iter().zip(LifecycleStatus::ALL) {
        assert_eq!(row["name"].as_str(), Some(status.name()), "{row}");
        assert_eq!(row["code"].as_u64(), Some(u64::from(status.code())), "{row}");
        assert_eq!(row["fr"].as_str(), Some(status.label_fr()), "{row}");
        assert_eq!(row["en"].as_str(), Some(status.label_en()), "{row}");
        assert_eq!(row["mandatory"].as_bool(), Some(status.is_mandatory()), "{row}");
        // Every spec row converts both ways.
        assert_eq!(LifecycleStatus::parse(row["name"].as_str().unwrap()), Some(status));
        assert_eq!(
            LifecycleStatus::from_code(row["code"].as_u64().unwrap() as u16),
            Some(status)
        );
    }
}

#[test]
fn table_matches_the_spec_enum_and_the_generated_open_enum() {
    let schema = lifecycle_schema();
    let names: Vec<&str> = schema["enum"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let ours: Vec<&str> = LifecycleStatus::ALL.iter().map(|s| s.name()).collect();
    assert_eq!(names, ours);
    assert_eq!(LifecycleStatusCode::KNOWN_VALUES, ours.as_slice());
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
