//! Stage 1, read: the spec's YAML, parsed into a JSON value the later stages walk and edit.

use std::fs;
use std::path::Path;

use serde_json::Value;

/// Reads and parses the spec at `root/spec`. The error says what failed, without the file name
/// (the caller adds it).
pub(crate) fn read_spec(root: &Path, spec: &str) -> Result<Value, String> {
    let text = fs::read_to_string(root.join(spec)).map_err(|e| format!("cannot read the spec: {e}"))?;
    sdk_contract::spec::parse_yaml(&text)
}
