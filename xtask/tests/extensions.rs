//! What the generator makes of the specs' extensions and security schemes: the lifecycle table
//! (`x-lifecycle-codes`), the transition tables (`x-transitions`) and the credential names
//! (`components.securitySchemes`), and its refusals, which name the spec and the place in it.

use std::fs;
use std::path::{Path, PathBuf};

use xtask::generate::{self, Note, SpecOutput, TARGETS, Target};

fn workspace_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    Path::new(&manifest_dir)
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

const SCRATCH: &[Target] = &[Target {
    spec: "specs/test.yaml",
    out_dir: "sdk-test/src/generated",
}];

/// A scratch workspace with one spec, `specs/test.yaml`, holding `spec`.
fn single_spec_workspace(spec: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::create_dir_all(dir.path().join("specs")).unwrap();
    fs::write(dir.path().join("specs/test.yaml"), spec).unwrap();
    dir
}

fn generate_ok(spec: &str) -> SpecOutput {
    let dir = single_spec_workspace(spec);
    let mut outputs = generate::generate_all(dir.path(), SCRATCH).unwrap_or_else(|e| panic!("{e}"));
    outputs.remove(0)
}

/// The refusal of `spec`: it names the spec, and nothing is written.
fn generate_error(spec: &str) -> String {
    let dir = single_spec_workspace(spec);
    let error = generate::generate_all(dir.path(), SCRATCH).expect_err("the spec must be refused");
    assert_eq!(error.file, PathBuf::from("specs/test.yaml"), "the error names the spec");
    assert!(!dir.path().join("sdk-test").exists());
    error.to_string()
}

fn generated<'a>(output: &'a SpecOutput, name: &str) -> &'a str {
    &output
        .files
        .iter()
        .find(|f| f.path.ends_with(name))
        .unwrap_or_else(|| panic!("{name} is generated"))
        .contents
}

/// A spec with a status enum carrying `x-lifecycle-codes` (`LIFECYCLE`), an operation carrying
/// `x-transitions` (`TRANSITIONS`) over the enums they refer to, and security schemes (`SECURITY`).
const SPEC: &str = r##"
openapi: 3.0.3
info: { title: Test, version: "1" }
paths:
  /documents/{id}/state:
    put:
      operationId: changeState
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      responses:
        "204": { description: changed }
TRANSITIONS
components:
SECURITY
  schemas:
    Status:
      type: string
      x-sdk-open-enum: true
      enum: [OPEN, SHUT]
LIFECYCLE
    DocumentStatus:
      type: string
      x-sdk-open-enum: true
      enum: [draft, final, second_copy]
    StateChangeKind:
      type: string
      x-sdk-open-enum: true
      enum: [finalized, second_copy]
    DocumentType:
      type: string
      x-sdk-open-enum: true
      enum: [invoices, debit_notes]
"##;

const LIFECYCLE: &str = r##"      x-lifecycle-codes:
        - {name: OPEN, code: 300, fr: Ouverte, en: Open, mandatory: true}
        - {name: SHUT, code: 301, fr: "Fermée \"vite\"", en: Shut, mandatory: false}"##;

const TRANSITIONS: &str = r##"      x-transitions:
        - {from: draft, to: final, state: finalized, types: [invoices, debit_notes]}
        - {from: final, to: second_copy, state: second_copy, types: [debit_notes]}"##;

const SECURITY: &str = r##"  securitySchemes:
    apiKey: { type: apiKey, in: header, name: x-api-key }
    accountKey: { type: apiKey, in: query, name: api_key }
    bearerAuth: { type: http, scheme: bearer }
    oauth2:
      type: oauth2
      flows:
        clientCredentials: { tokenUrl: "https://auth.example.invalid/token", scopes: {} }"##;

/// `SPEC` with its three placeholders filled.
fn spec_with(lifecycle: &str, transitions: &str, security: &str) -> String {
    SPEC.replace("LIFECYCLE\n", &format!("{lifecycle}\n"))
        .replace("TRANSITIONS\n", &format!("{transitions}\n"))
        .replace("SECURITY\n", &format!("{security}\n"))
}

fn full_spec() -> String {
    spec_with(LIFECYCLE, TRANSITIONS, SECURITY)
}

#[test]
fn the_lifecycle_table_is_generated_from_x_lifecycle_codes() {
    let output = generate_ok(&full_spec());
    let tables = generated(&output, "tables.rs");
    assert!(tables.contains("pub struct LifecycleCode {"), "{tables}");
    assert!(
        tables.contains(
            "pub const LIFECYCLE_CODES: [LifecycleCode; 2] = [\n    \
             LifecycleCode { name: \"OPEN\", code: 300, label_fr: \"Ouverte\", label_en: \"Open\", mandatory: true },\n    \
             LifecycleCode { name: \"SHUT\", code: 301, label_fr: \"Fermée \\\"vite\\\"\", label_en: \"Shut\", mandatory: false },\n];\n"
        ),
        "{tables}"
    );
    assert!(output.notes.contains(&Note::Table {
        extension: "x-lifecycle-codes",
        pointer: "/components/schemas/Status/x-lifecycle-codes".into(),
        constant: "LIFECYCLE_CODES".into(),
        rows: 2,
    }));
    let root = generated(&output, "mod.rs");
    assert!(root.contains("#[rustfmt::skip]\npub mod tables;"), "{root}");
}

#[test]
fn transition_tables_are_generated_from_x_transitions_with_the_open_enums_variants() {
    let output = generate_ok(&full_spec());
    let tables = generated(&output, "tables.rs");
    assert!(
        tables.contains("use crate::generated::open_enums::{DocumentStatus, DocumentType, StateChangeKind};"),
        "{tables}"
    );
    assert!(
        tables.contains(
            "pub const CHANGE_STATE_TRANSITIONS: &[Transition] = &[\n    \
             Transition { from: DocumentStatus::Draft, to: DocumentStatus::Final, state: StateChangeKind::Finalized, \
             types: &[DocumentType::Invoices, DocumentType::DebitNotes] },\n    \
             Transition { from: DocumentStatus::Final, to: DocumentStatus::SecondCopy, state: StateChangeKind::SecondCopy, \
             types: &[DocumentType::DebitNotes] },\n];\n"
        ),
        "{tables}"
    );
    assert!(output.notes.iter().any(|note| matches!(
        note,
        Note::Table { extension: "x-transitions", constant, rows: 2, .. } if constant == "CHANGE_STATE_TRANSITIONS"
    )));
}

#[test]
fn a_facade_operation_keeps_its_transition_table() {
    let spec = full_spec().replace(
        "      operationId: changeState\n",
        "      operationId: changeState\n      x-sdk-facade: true\n",
    );
    let output = generate_ok(&spec);
    assert!(generated(&output, "tables.rs").contains("pub const CHANGE_STATE_TRANSITIONS"));
    assert!(!generated(&output, "client.rs").contains("change_state"));
}

#[test]
fn credential_names_are_generated_from_the_security_schemes() {
    let output = generate_ok(&full_spec());
    let security = generated(&output, "security.rs");
    for line in [
        "pub const API_KEY_HEADER: &str = \"x-api-key\";",
        "pub const ACCOUNT_KEY_QUERY_PARAM: &str = \"api_key\";",
        "pub const BEARER_AUTH_HTTP_SCHEME: &str = \"bearer\";",
        "pub const OAUTH2_TOKEN_URL: &str = \"https://auth.example.invalid/token\";",
    ] {
        assert!(security.contains(line), "{line}\n{security}");
    }
    assert!(output.notes.contains(&Note::Credential {
        scheme: "apiKey".into(),
        constant: "API_KEY_HEADER".into(),
    }));
}

#[test]
fn a_spec_without_extensions_gets_files_with_only_their_docs() {
    let output = generate_ok(&spec_with("", "", ""));
    for name in ["tables.rs", "security.rs"] {
        let text = generated(&output, name);
        assert!(!text.contains("pub "), "{name}: {text}");
    }
}

#[test]
fn the_real_specs_generate_their_tables_and_credential_names() {
    let outputs = generate::generate_all(&workspace_root(), TARGETS).unwrap();
    let [iopole, invoicexpress, appzen] = outputs.as_slice() else {
        panic!("three specs");
    };
    let tables = generated(iopole, "tables.rs");
    assert!(
        tables.contains("pub const LIFECYCLE_CODES: [LifecycleCode; 14]"),
        "{tables}"
    );
    assert!(
        tables.contains(
            "LifecycleCode { name: \"APPROVED\", code: 205, label_fr: \"Approuvée\", label_en: \"Approved\", mandatory: false }"
        ),
        "{tables}"
    );
    let security = generated(iopole, "security.rs");
    assert!(
        security.contains("pub const BEARER_AUTH_HTTP_SCHEME: &str = \"bearer\";"),
        "{security}"
    );

    let tables = generated(invoicexpress, "tables.rs");
    assert_eq!(
        tables.matches("\n    Transition {").count(),
        28,
        "7 + 9 + 3 + 1 rows for the JSON API's families, 8 for the legacy API:\n{tables}"
    );
    assert!(tables.contains("pub const CHANGE_DOCUMENT_STATE_TRANSITIONS: &[Transition]"));
    assert!(tables.contains("pub const CHANGE_DEBIT_NOTE_STATE_LEGACY_TRANSITIONS: &[Transition]"));
    assert!(generated(invoicexpress, "security.rs").contains("pub const API_KEY_QUERY_PARAM: &str = \"api_key\";"));

    let security = generated(appzen, "security.rs");
    for (constant, header) in [
        ("API_KEY_HEADER", "x-api-key"),
        ("CUSTOMER_ID_HEADER", "customer-id"),
        ("CUSTOMER_KEY_HEADER", "customer-key"),
    ] {
        assert!(
            security.contains(&format!("pub const {constant}: &str = \"{header}\";")),
            "{security}"
        );
    }
}

/// `full_spec` with `x-lifecycle-codes` replaced by `rows`.
fn lifecycle_error(rows: &str) -> String {
    generate_error(&spec_with(rows, TRANSITIONS, SECURITY))
}

#[test]
fn malformed_lifecycle_codes_are_refused_with_their_place() {
    let place = "specs/test.yaml: `x-lifecycle-codes` at /components/schemas/Status/x-lifecycle-codes: ";
    for (rows, cause) in [
        ("      x-lifecycle-codes: {}", "must be a non-empty list of rows"),
        ("      x-lifecycle-codes: []", "must be a non-empty list of rows"),
        ("      x-lifecycle-codes: [OPEN, SHUT]", "row 0 is not a mapping"),
        (
            "      x-lifecycle-codes:\n        - {name: OPEN, code: 300, fr: O, en: Open}",
            "row 0 has no `mandatory`",
        ),
        (
            "      x-lifecycle-codes:\n        - {name: OPEN, code: 300, fr: O, en: Open, mandatory: true, de: Offen}",
            "row 0 has the unsupported key `de`",
        ),
        (
            "      x-lifecycle-codes:\n        - {name: OPEN, code: 70000, fr: O, en: Open, mandatory: true}",
            "row 0: `code` must be a whole number from 0 to 65535",
        ),
        (
            "      x-lifecycle-codes:\n        - {name: OPEN, code: \"300\", fr: O, en: Open, mandatory: true}",
            "row 0: `code` must be a whole number",
        ),
        (
            "      x-lifecycle-codes:\n        - {name: OPEN, code: 300, fr: O, en: Open, mandatory: yes please}",
            "row 0: `mandatory` must be true or false",
        ),
        (
            "      x-lifecycle-codes:\n        - {name: OPEN, code: 300, fr: \"\", en: Open, mandatory: true}",
            "row 0: `fr` must be a non-empty string",
        ),
        (
            "      x-lifecycle-codes:\n        - {name: OPEN, code: 300, fr: O, en: Open, mandatory: true}\n        \
             - {name: SHUT, code: 300, fr: F, en: Shut, mandatory: true}",
            "row 1: the code 300 is listed twice",
        ),
        (
            "      x-lifecycle-codes:\n        - {name: SHUT, code: 300, fr: F, en: Shut, mandatory: true}\n        \
             - {name: OPEN, code: 301, fr: O, en: Open, mandatory: true}",
            "the rows' names (SHUT, OPEN) must be the values of `Status`'s enum, in its order (OPEN, SHUT)",
        ),
    ] {
        let message = lifecycle_error(rows);
        assert!(message.starts_with(place), "{message}");
        assert!(message.contains(cause), "{cause}: {message}");
    }
}

#[test]
fn lifecycle_codes_belong_on_one_open_enum() {
    let not_open = spec_with(LIFECYCLE, TRANSITIONS, SECURITY).replace(
        "    Status:\n      type: string\n      x-sdk-open-enum: true\n      enum: [OPEN, SHUT]\n",
        "    Status:\n      type: string\n",
    );
    let message = generate_error(&not_open);
    assert!(message.contains("`Status` is not an open enum"), "{message}");

    let in_a_property = spec_with("", TRANSITIONS, SECURITY).replace(
        "    DocumentType:\n",
        "    Holder:\n      type: object\n      properties:\n        status:\n          type: string\n          \
         x-lifecycle-codes: []\n    DocumentType:\n",
    );
    let message = generate_error(&in_a_property);
    assert!(
        message.contains(
            "`x-lifecycle-codes` at /components/schemas/Holder/properties/status/x-lifecycle-codes: allowed only on a \
             component schema"
        ),
        "{message}"
    );

    let twice = spec_with(LIFECYCLE, TRANSITIONS, SECURITY).replace(
        "      enum: [invoices, debit_notes]\n",
        "      enum: [invoices, debit_notes]\n      x-lifecycle-codes:\n        \
         - {name: invoices, code: 1, fr: F, en: I, mandatory: true}\n        \
         - {name: debit_notes, code: 2, fr: N, en: D, mandatory: true}\n",
    );
    let message = generate_error(&twice);
    assert!(message.contains("a spec has one lifecycle table"), "{message}");
}

#[test]
fn malformed_transitions_are_refused_with_their_place() {
    let place = "specs/test.yaml: `x-transitions` at /paths/~1documents~1{id}~1state/put/x-transitions: ";
    for (rows, cause) in [
        ("      x-transitions: text", "must be a non-empty list of rows"),
        (
            "      x-transitions:\n        - {from: draft, to: final, state: finalized}",
            "row 0 has no `types`",
        ),
        (
            "      x-transitions:\n        - {from: draft, to: archived, state: finalized, types: [invoices]}",
            "row 0: `to` is `archived`, which `DocumentStatus` does not list (draft, final, second_copy)",
        ),
        (
            "      x-transitions:\n        - {from: draft, to: final, state: finalised, types: [invoices]}",
            "row 0: `state` is `finalised`, which `StateChangeKind` does not list",
        ),
        (
            "      x-transitions:\n        - {from: draft, to: final, state: finalized, types: [receipts]}",
            "row 0: `types` is `receipts`, which `DocumentType` does not list",
        ),
        (
            "      x-transitions:\n        - {from: draft, to: final, state: finalized, types: []}",
            "row 0: `types` must be a non-empty list",
        ),
        (
            "      x-transitions:\n        - {from: draft, to: final, state: finalized, types: [invoices, invoices]}",
            "row 0: `types` lists `invoices` twice",
        ),
        (
            "      x-transitions:\n        - {from: draft, to: final, state: finalized, types: [1]}",
            "row 0: `types` holds 1, not a string",
        ),
        (
            "      x-transitions:\n        - {from: draft, to: final, state: finalized, types: [invoices], when: always}",
            "row 0 has the unsupported key `when`",
        ),
    ] {
        let message = generate_error(&spec_with(LIFECYCLE, rows, SECURITY));
        assert!(message.starts_with(place), "{message}");
        assert!(message.contains(cause), "{cause}: {message}");
    }
}

#[test]
fn transitions_need_their_open_enums_and_an_operation() {
    let without_enum = full_spec().replace(
        "    DocumentType:\n      type: string\n      x-sdk-open-enum: true\n      enum: [invoices, debit_notes]\n",
        "",
    );
    let message = generate_error(&without_enum);
    assert!(
        message.contains("the spec has no open enum `DocumentType`"),
        "{message}"
    );

    let on_a_schema = spec_with(LIFECYCLE, "", SECURITY).replace(
        "      enum: [invoices, debit_notes]\n",
        "      enum: [invoices, debit_notes]\n      x-transitions: []\n",
    );
    let message = generate_error(&on_a_schema);
    assert!(
        message.contains(
            "`x-transitions` at /components/schemas/DocumentType/x-transitions: allowed only on an operation"
        ),
        "{message}"
    );
}

#[test]
fn unsupported_security_schemes_are_refused_with_their_place() {
    for (scheme, cause) in [
        (
            "    session: { type: apiKey, in: cookie, name: sid }",
            "security scheme `session` (/components/securitySchemes/session): an API key `in: cookie` is not supported",
        ),
        (
            "    apiKey: { type: apiKey, in: header, name: X-Api-Key }",
            "the header name `X-Api-Key` must be a lower-case HTTP header name",
        ),
        (
            "    apiKey: { type: apiKey, in: header }",
            "`name` must be a non-empty string",
        ),
        (
            "    apiKey: { type: apiKey, in: query, name: \"api key\" }",
            "the query parameter name `api key` must be letters",
        ),
        (
            "    digest: { type: http, scheme: digest }",
            "the HTTP scheme `digest` is not supported",
        ),
        (
            "    oidc: { type: openIdConnect, openIdConnectUrl: \"https://id.example.invalid\" }",
            "the scheme type `openIdConnect` is not supported",
        ),
        (
            "    oauth2:\n      type: oauth2\n      flows:\n        implicit: { authorizationUrl: \"https://a.example.invalid\", scopes: {} }",
            "the OAuth2 flow `implicit` is not supported (clientCredentials only)",
        ),
        (
            "    oauth2:\n      type: oauth2\n      flows:\n        clientCredentials: { scopes: {} }",
            "the clientCredentials flow needs an absolute `tokenUrl`",
        ),
        (
            "    shared: { $ref: \"#/components/securitySchemes/apiKey\" }",
            "a `$ref` is not supported",
        ),
        (
            "    empty: {}",
            "security scheme `empty` (/components/securitySchemes/empty): has no `type`",
        ),
        (
            "    \"2fa\": { type: apiKey, in: header, name: x-otp }",
            "its key cannot name a Rust constant",
        ),
        (
            "    api_key: { type: apiKey, in: header, name: x-other }",
            "its constant `API_KEY_HEADER` is also that of scheme `apiKey`",
        ),
    ] {
        let security =
            format!("  securitySchemes:\n    apiKey: {{ type: apiKey, in: header, name: x-api-key }}\n{scheme}");
        let security = security.replacen(
            "    apiKey: { type: apiKey, in: header, name: x-api-key }\n    apiKey:",
            "    apiKey:",
            1,
        );
        let message = generate_error(&spec_with(LIFECYCLE, TRANSITIONS, &security));
        assert!(message.starts_with("specs/test.yaml: security scheme `"), "{message}");
        assert!(message.contains(cause), "{cause}: {message}");
    }
    let message = generate_error(&spec_with(LIFECYCLE, TRANSITIONS, "  securitySchemes: [apiKey]"));
    assert!(
        message.contains("`components.securitySchemes` is not a mapping"),
        "{message}"
    );
}
