//! `cargo xtask diff`: what a spec edit changes for the SDKs' users, and whether the crate's
//! version says so.
//!
//! The comparison itself is Oxide's [`drift`] crate, which reads both documents into the same
//! `openapiv3` model progenitor generates from and reports each change with its location and a
//! wire-level class (backward-/forward-incompatible, trivial, unhandled). This module then
//! classifies every change for what matters here, the **generated Rust API** of the SDK crate,
//! by the rules Cargo's SemVer reference and `cargo-semver-checks` apply:
//!
//! - [`Class::Breaking`]: code that compiled against the old SDK may not compile, or may behave
//!   differently: an operation, field or parameter gone or renamed, a type changed, a field or
//!   parameter that became required, a field that became optional (its type becomes an `Option`);
//!   and, while the generated API has the shape [`GENERATED_API`] records, additions that Rust
//!   counts as breaking: a field added to a generated struct (its struct literals stop compiling),
//!   a value added to an open enum (an exhaustive `match` stops compiling), an operation added
//!   (the `mock` feature's `MockServerExt` trait gains a method);
//! - [`Class::Compatible`]: additions the generated API absorbs (a new optional parameter: one
//!   more builder setter; a new response code), and the additions above once the generator emits
//!   `#[non_exhaustive]` structs and enums and a sealed mock trait;
//! - [`Class::Trivial`]: descriptions, examples, extensions, other metadata.
//!
//! Each finding says both what it means on the wire and for Rust, so a wire-compatible change
//! that is breaking only for Rust reads as such.
//!
//! Where drift locates a change but leaves it `Unhandled` (it does not yet tell which object
//! properties or enum values changed), the classification reads the two schema nodes drift points
//! at and names each added or removed property, requirement and enum value; anything it cannot
//! name stays [`Class::Breaking`], with drift's message. Drift matches operations by method and
//! path with the path parameters' names erased (they do not matter on the wire), but progenitor
//! names a builder setter after each path parameter: [`compare_specs`] reports a renamed path
//! parameter as breaking too.
//!
//! [`version`] holds the rule that ties the findings to the crate versions, and [`release`] finds
//! the last release that `cargo xtask diff` compares with by default.

mod classify;
pub mod release;
pub mod version;

use std::fmt;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use semver::Version;
use serde_json::Value;

use crate::generate::Target;

/// How a change affects the generated Rust API of an SDK crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// Descriptions, examples, extensions: nothing a user's code can notice.
    Trivial,
    /// Additions only: code written against the old SDK keeps compiling and working.
    Compatible,
    /// Code written against the old SDK may stop compiling or behave differently.
    Breaking,
}

impl Class {
    /// The word the report prints.
    pub fn label(self) -> &'static str {
        match self {
            Class::Trivial => "trivial",
            Class::Compatible => "compatible",
            Class::Breaking => "breaking",
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One classified change between two versions of a spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// What the change means for the generated Rust API.
    pub class: Class,
    /// Where: an operation (`GET /things/{id}`) or a component (`#/components/schemas/Thing`),
    /// with the place inside it.
    pub location: String,
    /// What changed, in words.
    pub message: String,
    /// Drift's own class for the change (`backward-incompatible`, `unhandled`, ...), or `xtask`
    /// for the path parameter renames drift does not report.
    pub source: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:<10}  {}: {}  [{}]",
            self.class.label(),
            self.location,
            self.message,
            self.source
        )
    }
}

/// The shape of the code `cargo xtask generate` emits, as far as it decides whether an addition to
/// a spec is a breaking change of the Rust API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GeneratedApi {
    /// Generated structs have only `pub` fields and no `#[non_exhaustive]`: users may build them
    /// with struct literals, which a new field breaks.
    pub literal_structs: bool,
    /// Open enums (`sdk_runtime::open_enum!`) are exhaustive: a `match` may list every variant,
    /// which a new variant breaks.
    pub exhaustive_enums: bool,
    /// The `mock` feature's `MockServerExt` trait is public and unsealed, one method per
    /// operation without a default: a new operation breaks its (hypothetical) other implementors.
    pub open_mock_trait: bool,
}

/// What the generator emits today (checked against `cargo-semver-checks`, which reports exactly
/// these three as major: `constructible_struct_adds_field`, `enum_variant_added`,
/// `trait_method_added`). Change it together with the generator.
pub const GENERATED_API: GeneratedApi = GeneratedApi {
    literal_structs: true,
    exhaustive_enums: true,
    open_mock_trait: true,
};

/// A generated API built for additive evolution: `#[non_exhaustive]` structs (built through their
/// generated builders) and enums, and a sealed mock trait. New fields, enum values and operations
/// are then compatible.
pub const ADDITIVE_API: GeneratedApi = GeneratedApi {
    literal_structs: false,
    exhaustive_enums: false,
    open_mock_trait: false,
};

/// Two spec texts that could not be compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffError {
    /// Which side failed (`old` or `new`) and why.
    pub cause: String,
}

impl fmt::Display for DiffError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.cause)
    }
}

impl std::error::Error for DiffError {}

/// Compares two versions of a spec (YAML or JSON text) and classifies every change, most severe
/// first. Never panics: a document drift cannot read is an error, and a spec pair drift stops on
/// (it asserts on some shapes it does not handle yet, such as a media type added to a response)
/// is reported as one breaking finding, so that the version rule still applies.
pub fn compare_specs(old: &str, new: &str) -> Result<Vec<Finding>, DiffError> {
    compare_specs_for(old, new, &GENERATED_API)
}

/// [`compare_specs`] for a generated API of the shape `api`.
pub fn compare_specs_for(old: &str, new: &str, api: &GeneratedApi) -> Result<Vec<Finding>, DiffError> {
    let parse = |side: &str, text: &str| {
        sdk_contract::spec::parse_yaml(text).map_err(|cause| DiffError {
            cause: format!("the {side} spec: {cause}"),
        })
    };
    let old = parse("old", old)?;
    let new = parse("new", new)?;
    compare_documents(&old, &new, api)
}

/// [`compare_specs_for`] on documents already parsed.
pub fn compare_documents(old: &Value, new: &Value, api: &GeneratedApi) -> Result<Vec<Finding>, DiffError> {
    for (side, document) in [("old", old), ("new", new)] {
        if let Err(error) = serde_json::from_value::<openapiv3::OpenAPI>(document.clone()) {
            return Err(DiffError {
                cause: format!("the {side} spec is not an OpenAPI 3.0 document: {error}"),
            });
        }
    }
    let outcome = catch_unwind(AssertUnwindSafe(|| drift::compare(old, new)));
    let mut findings = match outcome {
        Ok(Ok(changes)) => classify::classify(&changes, old, new, api),
        Ok(Err(error)) => {
            return Err(DiffError {
                cause: format!("drift could not compare the specs: {error:#}"),
            });
        }
        Err(payload) => vec![Finding {
            class: Class::Breaking,
            location: "(the whole spec)".into(),
            message: format!(
                "drift stopped on this pair of specs ({}); not classified, so treated as breaking",
                panic_message(payload.as_ref())
            ),
            source: "drift stopped".into(),
        }],
    };
    findings.extend(classify::renamed_path_parameters(old, new));
    findings.sort_by(|a, b| {
        b.class
            .cmp(&a.class)
            .then_with(|| a.location.cmp(&b.location))
            .then_with(|| a.message.cmp(&b.message))
    });
    findings.dedup();
    Ok(findings)
}

/// The most severe class among `findings`, `None` when there are none.
pub fn worst(findings: &[Finding]) -> Option<Class> {
    findings.iter().map(|finding| finding.class).max()
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_string()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic without a message".into()
    }
}

/// What `cargo xtask diff` found for one spec.
#[derive(Clone, Debug)]
pub struct SpecReport {
    /// The spec, relative to the workspace root.
    pub spec: String,
    /// The crate generated from it.
    pub crate_name: String,
    /// The crate's version at the baseline, `None` when the crate or the spec is new since.
    pub base_version: Option<Version>,
    /// The crate's version now.
    pub current_version: Version,
    /// Every change, most severe first.
    pub findings: Vec<Finding>,
    /// `Err` with the version needed when the crate's version was not raised enough.
    pub verdict: Result<(), String>,
}

impl SpecReport {
    /// Compares two texts of one spec and applies the version rule. `base` is the spec and the
    /// crate version at the baseline (`None`: the spec is new, nothing to compare).
    pub fn new(
        spec: &str,
        crate_name: &str,
        base: Option<(&str, Version)>,
        current_spec: &str,
        current_version: Version,
    ) -> Result<SpecReport, DiffError> {
        let (findings, base_version) = match base {
            Some((old, version)) => (compare_specs(old, current_spec)?, Some(version)),
            None => (Vec::new(), None),
        };
        let verdict = match &base_version {
            Some(base) => version::check_bump(base, &current_version, worst(&findings)),
            None => Ok(()),
        };
        Ok(SpecReport {
            spec: spec.to_string(),
            crate_name: crate_name.to_string(),
            base_version,
            current_version,
            findings,
            verdict,
        })
    }

    /// How many findings of `class`.
    pub fn count(&self, class: Class) -> usize {
        self.findings.iter().filter(|finding| finding.class == class).count()
    }
}

/// The crate a target generates into: the first folder of its `out_dir`.
pub fn crate_of(target: &Target) -> &'static str {
    target.out_dir.split('/').next().unwrap_or(target.out_dir)
}

/// Compares every target's spec in the working tree at `root` with its text at commit `base`
/// (read with `git show`), and each crate's version now with its version there.
pub fn diff_against(root: &Path, base: &str, targets: &[Target]) -> Result<Vec<SpecReport>, String> {
    let workspace_now = read(root, "Cargo.toml")?;
    let workspace_then = release::file_at(root, base, "Cargo.toml")?;
    let mut reports = Vec::new();
    for target in targets {
        let crate_name = crate_of(target);
        let manifest = format!("{crate_name}/Cargo.toml");
        let current_version =
            version::crate_version(&read(root, &manifest)?, &workspace_now).map_err(|e| format!("{manifest}: {e}"))?;
        let spec_then = release::file_at(root, base, target.spec)?;
        let manifest_then = release::file_at(root, base, &manifest)?;
        let base_side = match (spec_then, manifest_then, &workspace_then) {
            (Some(spec), Some(manifest_then), Some(workspace_then)) => {
                let version = version::crate_version(&manifest_then, workspace_then)
                    .map_err(|e| format!("{manifest} at {base}: {e}"))?;
                Some((spec, version))
            }
            _ => None,
        };
        let spec_now = read(root, target.spec)?;
        let report = SpecReport::new(
            target.spec,
            crate_name,
            base_side
                .as_ref()
                .map(|(spec, version)| (spec.as_str(), version.clone())),
            &spec_now,
            current_version,
        )
        .map_err(|e| format!("{}: {e}", target.spec))?;
        reports.push(report);
    }
    Ok(reports)
}

fn read(root: &Path, path: &str) -> Result<String, String> {
    fs::read_to_string(root.join(path)).map_err(|e| format!("{path}: {e}"))
}
