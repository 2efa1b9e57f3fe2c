//! The plain progenitor clients (sdk-bench's baseline, issue 20): progenitor's output as it comes
//! (no SDK hooks, no type replacements, no post-processing), checked in and covered by the drift
//! gate like the SDKs' generated files.

use std::fs;
use std::path::{Path, PathBuf};

use xtask::generate::{self, PLAIN_PROGENITOR_DIR, SpecOutput, TARGETS};

/// The workspace the test runs in (cargo sets `CARGO_MANIFEST_DIR` for the test process).
fn workspace_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    Path::new(&manifest_dir)
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

fn plain() -> SpecOutput {
    generate::generate_plain(&workspace_root(), TARGETS).unwrap_or_else(|error| panic!("{error}"))
}

/// The contents of the generated file `name` (`iopole.rs`, `mod.rs`).
fn file<'a>(output: &'a SpecOutput, name: &str) -> &'a str {
    let path = Path::new(PLAIN_PROGENITOR_DIR).join(name);
    output
        .files
        .iter()
        .find(|file| file.path == path)
        .map(|file| file.contents.as_str())
        .unwrap_or_else(|| panic!("no {}", path.display()))
}

#[test]
fn one_module_per_spec_and_a_mod_rs_each_naming_its_sources() {
    let output = plain();
    let names: Vec<String> = output.files.iter().map(|f| f.path.display().to_string()).collect();
    assert_eq!(
        names,
        [
            "sdk-bench/src/plain_progenitor/iopole.rs",
            "sdk-bench/src/plain_progenitor/invoicexpress.rs",
            "sdk-bench/src/plain_progenitor/appzen.rs",
            "sdk-bench/src/plain_progenitor/mod.rs",
        ]
    );
    for target in TARGETS {
        let module = generate::plain_module_name(target).unwrap();
        let first = file(&output, &format!("{module}.rs"))
            .lines()
            .next()
            .unwrap_or_default();
        assert!(
            first.contains("@generated") && first.contains(target.spec) && first.contains("Do not edit"),
            "{first}"
        );
        assert!(file(&output, "mod.rs").contains(&format!("pub mod {module};")));
    }
    // progenitor's code is kept out of rustfmt and the workspace's lints, as in the SDK crates.
    assert!(file(&output, "mod.rs").contains("#[rustfmt::skip]"));
}

#[test]
fn plain_clients_are_progenitor_as_it_comes() {
    let output = plain();
    for target in TARGETS {
        let module = generate::plain_module_name(target).unwrap();
        let client = file(&output, &format!("{module}.rs"));
        // No SDK runtime: no hooks implemented with it, no replacement types from it.
        assert!(!client.contains("sdk_runtime"), "{module}: refers to sdk_runtime");
        assert!(!client.contains("Tolerant"), "{module}: has a tolerant replacement");
        assert!(
            !client.contains("crate::generated"),
            "{module}: refers to the SDK's modules"
        );
        // progenitor's default hooks (`ClientHooks` with no methods of ours).
        assert!(
            client.contains("impl ClientHooks<()> for &Client {}")
                || client.contains("impl ClientHooks<String> for &Client {}"),
            "{module}: not progenitor's default hooks"
        );
        // Untouched by the SDK's request pass: progenitor's `api-version` header is still sent, and
        // headers go through `.headers(header_map)`.
        assert!(client.contains("from_static(\"api-version\")"), "{module}");
        assert!(client.contains(".headers(header_map)"), "{module}");
        // Builder interface, merged tags: the SDK's call shape.
        assert!(client.contains("pub mod builder"), "{module}");
    }
    // Open enums stay typify's closed enums: no `Unknown(String)` variant.
    assert!(!file(&output, "iopole.rs").contains("Unknown(::std::string::String)"));
    assert!(!file(&output, "iopole.rs").contains("Unknown(String)"));
}

#[test]
fn only_the_query_credential_gets_progenitor_s_inner_type_and_pre_hook() {
    let output = plain();
    let invoicexpress = file(&output, "invoicexpress.rs");
    assert!(invoicexpress.contains("pub fn new(baseurl: &str, inner: String) -> Self"));
    assert!(invoicexpress.contains("append_pair(\"api_key\", credential)"));
    for module in ["iopole.rs", "appzen.rs"] {
        let client = file(&output, module);
        assert!(client.contains("pub fn new(baseurl: &str) -> Self"), "{module}");
        assert!(!client.contains("append_pair"), "{module}");
    }
}

#[test]
fn checked_in_plain_clients_match_the_specs() {
    let root = workspace_root();
    let drift = generate::check_plain(&root, &plain()).unwrap();
    assert!(
        drift.is_clean(),
        "run `cargo xtask generate`:\n{}",
        drift.entries.join("\n")
    );
}

#[test]
fn check_notices_missing_stale_and_leftover_plain_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    fs::create_dir_all(root.join("specs")).unwrap();
    for target in TARGETS {
        fs::copy(workspace_root().join(target.spec), root.join(target.spec)).unwrap();
    }
    let output = generate::generate_plain(root, TARGETS).unwrap();
    let drift = generate::check_plain(root, &output).unwrap();
    assert_eq!(drift.entries.len(), 4);
    assert!(drift.entries.iter().all(|entry| entry.ends_with("is missing")));

    generate::write_plain(root, &output).unwrap();
    assert!(generate::check_plain(root, &output).unwrap().is_clean());

    // A spec change makes its plain client stale.
    let spec_path = root.join("specs/appzen.yaml");
    let spec = fs::read_to_string(&spec_path).unwrap();
    let edited = spec.replacen("- ERROR", "- ERROR\n        - RETRYING", 1);
    assert_ne!(spec, edited, "the test edit must apply");
    fs::write(&spec_path, edited).unwrap();
    let output = generate::generate_plain(root, TARGETS).unwrap();
    let drift = generate::check_plain(root, &output).unwrap();
    assert_eq!(drift.entries.len(), 1, "{:#?}", drift.entries);
    assert!(drift.entries[0].contains("sdk-bench/src/plain_progenitor/appzen.rs is stale"));

    // A file no spec produces is reported, and removed by writing.
    let leftover = root.join(PLAIN_PROGENITOR_DIR).join("leftover.rs");
    fs::write(&leftover, "// old").unwrap();
    let drift = generate::check_plain(root, &output).unwrap();
    assert_eq!(drift.entries.len(), 2, "{:#?}", drift.entries);
    generate::write_plain(root, &output).unwrap();
    assert!(!leftover.exists());
    assert!(generate::check_plain(root, &output).unwrap().is_clean());
}
