//! The generator's contract: deterministic output, a drift gate that notices spec edits, and
//! readable failures (naming the spec) that leave nothing half-written.

use std::fs;
use std::path::{Path, PathBuf};

use xtask::generate::{self, TARGETS, Target};

/// The workspace the test runs in: read at run time (cargo sets `CARGO_MANIFEST_DIR` for the
/// test process), so a test binary shared between clones reads the clone it is run from.
fn workspace_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    Path::new(&manifest_dir)
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

/// A scratch workspace holding copies of the real specs, and nothing generated yet.
fn scratch_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::create_dir_all(dir.path().join("specs")).unwrap();
    for target in TARGETS {
        fs::copy(workspace_root().join(target.spec), dir.path().join(target.spec)).unwrap();
    }
    dir
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

const MINIMAL_SPEC: &str = r##"
openapi: 3.0.3
info: { title: Test, version: "1" }
paths:
  /things/{id}:
    get:
      operationId: getThing
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Thing" }
components:
  schemas:
    Thing:
      type: object
      properties:
        colour: { $ref: "#/components/schemas/Colour" }
    Colour:
      type: string
      x-sdk-open-enum: true
      enum: [red, green]
"##;

fn generate_error(spec: &str) -> String {
    let dir = single_spec_workspace(spec);
    let error = generate::generate_all(dir.path(), SCRATCH).expect_err("the spec must be refused");
    assert_eq!(error.file, PathBuf::from("specs/test.yaml"), "the error names the spec");
    // Nothing may be written for a refused spec.
    assert!(!dir.path().join("sdk-test").exists());
    error.to_string()
}

#[test]
fn two_runs_give_byte_identical_output() {
    let root = workspace_root();
    let first = generate::generate_all(&root, TARGETS).unwrap();
    let second = generate::generate_all(&root, TARGETS).unwrap();
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(a.files, b.files);
    }
    let files: usize = first.iter().map(|o| o.files.len()).sum();
    assert_eq!(files, 24, "eight files per spec");
}

#[test]
fn every_generated_file_names_its_spec_in_its_first_line() {
    let outputs = generate::generate_all(&workspace_root(), TARGETS).unwrap();
    for (target, output) in TARGETS.iter().zip(&outputs) {
        for file in &output.files {
            let first = file.contents.lines().next().unwrap_or_default();
            assert!(
                first.contains("@generated") && first.contains(target.spec),
                "{}: {first}",
                file.path.display()
            );
            assert!(first.contains("Do not edit"), "{}", file.path.display());
        }
    }
}

#[test]
fn checked_in_code_matches_the_specs() {
    let root = workspace_root();
    let outputs = generate::generate_all(&root, TARGETS).unwrap();
    let drift = generate::check_outputs(&root, TARGETS, &outputs).unwrap();
    assert!(
        drift.is_clean(),
        "run `cargo xtask generate`:\n{}",
        drift.entries.join("\n")
    );
}

#[test]
fn facade_operations_are_excluded_visibly() {
    let outputs = generate::generate_all(&workspace_root(), TARGETS).unwrap();
    let excluded: Vec<String> = outputs.iter().flat_map(notes).collect();
    assert!(
        excluded.iter().any(|line| line.contains("changeDebitNoteStateLegacy")),
        "{excluded:?}"
    );
    assert!(
        excluded
            .iter()
            .any(|line| line.contains("204") && line.contains("sendStatus")),
        "{excluded:?}"
    );
    // Excluded operations still appear in the operation table, flagged as facade-only.
    let table = &outputs[1]
        .files
        .iter()
        .find(|f| f.path.ends_with("operations.rs"))
        .unwrap()
        .contents;
    assert!(table.contains("\"changeDebitNoteStateLegacy\"") && table.contains("facade_only: true"));
}

#[test]
fn check_fails_after_a_spec_change_and_passes_after_generate() {
    let dir = scratch_workspace();
    let root = dir.path();
    let outputs = generate::generate_all(root, TARGETS).unwrap();
    // Nothing generated yet: every file is missing.
    let drift = generate::check_outputs(root, TARGETS, &outputs).unwrap();
    assert_eq!(drift.entries.len(), 24);
    assert!(drift.entries.iter().all(|e| e.ends_with("is missing")));

    generate::write_outputs(root, TARGETS, &outputs).unwrap();
    assert!(generate::check_outputs(root, TARGETS, &outputs).unwrap().is_clean());

    // A new enum value in a spec makes the checked-in code stale, with a readable diff.
    let spec_path = root.join("specs/appzen.yaml");
    let spec = fs::read_to_string(&spec_path).unwrap();
    let edited = spec.replacen("- ERROR", "- ERROR\n        - RETRYING", 1);
    assert_ne!(spec, edited, "the test edit must apply");
    fs::write(&spec_path, edited).unwrap();
    let outputs = generate::generate_all(root, TARGETS).unwrap();
    let drift = generate::check_outputs(root, TARGETS, &outputs).unwrap();
    assert_eq!(drift.entries.len(), 1, "{:#?}", drift.entries);
    assert!(drift.entries[0].contains("sdk-appzen/src/generated/open_enums.rs is stale"));
    assert!(
        drift.entries[0].contains("+        Retrying => \"RETRYING\""),
        "{}",
        drift.entries[0]
    );

    generate::write_outputs(root, TARGETS, &outputs).unwrap();
    assert!(generate::check_outputs(root, TARGETS, &outputs).unwrap().is_clean());
}

#[test]
fn check_reports_files_no_spec_produces() {
    let dir = scratch_workspace();
    let root = dir.path();
    let outputs = generate::generate_all(root, TARGETS).unwrap();
    generate::write_outputs(root, TARGETS, &outputs).unwrap();
    fs::write(root.join("sdk-appzen/src/generated/leftover.rs"), "// old").unwrap();
    let drift = generate::check_outputs(root, TARGETS, &outputs).unwrap();
    assert_eq!(drift.entries.len(), 1);
    assert!(drift.entries[0].contains("leftover.rs is not produced by any spec"));
    generate::write_outputs(root, TARGETS, &outputs).unwrap();
    assert!(!root.join("sdk-appzen/src/generated/leftover.rs").exists());
}

#[test]
fn the_minimal_spec_generates() {
    let dir = single_spec_workspace(MINIMAL_SPEC);
    let outputs = generate::generate_all(dir.path(), SCRATCH).unwrap();
    let open_enums = &outputs[0]
        .files
        .iter()
        .find(|f| f.path.ends_with("open_enums.rs"))
        .unwrap()
        .contents;
    assert!(open_enums.contains("Red => \"red\""));
    let client = &outputs[0]
        .files
        .iter()
        .find(|f| f.path.ends_with("client.rs"))
        .unwrap()
        .contents;
    assert!(
        client.contains("crate::generated::open_enums::Colour"),
        "open enums replace typify's closed enums"
    );
}

/// `MINIMAL_SPEC` with `Thing` holding `role` (string or `Role` object, a component schema),
/// `size` (an inline integer-or-string `oneOf`) and `shape` (one of two objects).
fn spec_with_one_ofs() -> String {
    MINIMAL_SPEC.replace(
        "        colour: { $ref: \"#/components/schemas/Colour\" }\n",
        r##"        colour: { $ref: "#/components/schemas/Colour" }
        role: { $ref: "#/components/schemas/PartyRole" }
        size:
          description: The size, a number or a word.
          oneOf:
            - { type: integer, format: int32 }
            - { type: string }
        shape: { $ref: "#/components/schemas/Shape" }
    PartyRole:
      description: A role, the bare code or an object.
      oneOf:
        - type: string
        - $ref: "#/components/schemas/Role"
    Role:
      type: object
      properties:
        code: { type: string }
    Shape:
      oneOf:
        - $ref: "#/components/schemas/Circle"
        - $ref: "#/components/schemas/Square"
    Circle:
      type: object
      required: [radius]
      properties:
        radius: { type: number }
    Square:
      type: object
      required: [side]
      properties:
        side: { type: number }
"##,
    )
}

/// The generation's notes as the lines `cargo xtask generate` prints after the category.
fn notes(output: &generate::SpecOutput) -> Vec<String> {
    output.notes.iter().map(ToString::to_string).collect()
}

fn generated<'a>(output: &'a generate::SpecOutput, name: &str) -> &'a str {
    &output
        .files
        .iter()
        .find(|f| f.path.ends_with(name))
        .unwrap_or_else(|| panic!("{name} is generated"))
        .contents
}

#[test]
fn a_one_of_of_distinct_json_kinds_is_decoded_by_kind() {
    let spec = spec_with_one_ofs();
    assert_ne!(spec, MINIMAL_SPEC, "the test edit must apply");
    let dir = single_spec_workspace(&spec);
    let outputs = generate::generate_all(dir.path(), SCRATCH).unwrap();
    let one_of = generated(&outputs[0], "one_of.rs");
    assert!(
        one_of.contains(
            "sdk_runtime::one_of! {\n    /// A role, the bare code or an object.\n    pub enum PartyRole {\n        \
             /// The JSON string form.\n        String(::std::string::String) as string,\n        \
             /// The JSON object form.\n        Role(crate::generated::client::types::Role) as object with From,\n    }\n}\n"
        ),
        "{one_of}"
    );
    let client = generated(&outputs[0], "client.rs");
    assert!(
        client.contains("pub role: ::std::option::Option<crate::generated::one_of::PartyRole>"),
        "the struct field uses the replacement:\n{client}"
    );
    assert!(
        !client.contains("pub enum PartyRole"),
        "typify's enum is gone:\n{client}"
    );
    assert!(
        notes(&outputs[0]).iter().any(|line| line
            == "one_of `PartyRole` (string | object): visitor-based decoding by JSON kind, replacing typify's untagged enum"),
        "{:#?}",
        notes(&outputs[0])
    );

    // An inline `oneOf` in a property keeps typify's name for it (`ThingSize`) and its doc.
    assert!(
        one_of.contains(
            "    /// The size, a number or a word.\n    pub enum ThingSize {\n        /// The JSON integer form.\n        \
             Int32(i32) as integer with From,\n        /// The JSON string form.\n        \
             String(::std::string::String) as string,\n    }\n    impl Display;\n"
        ),
        "{one_of}"
    );
    assert!(client.contains("///The size, a number or a word.\n        #[serde(skip_serializing_if"));
    assert!(client.contains("pub size: ::std::option::Option<crate::generated::one_of::ThingSize>"));
    assert!(
        notes(&outputs[0])
            .iter()
            .any(|line| line.starts_with("one_of `ThingSize` (integer | string; inline in `Thing.size`)")),
        "{:#?}",
        notes(&outputs[0])
    );
    // The replaced types stay reachable where typify put them.
    assert!(
        client.contains("pub use crate::generated::one_of::{PartyRole, ThingSize};"),
        "{client}"
    );
    let root = generated(&outputs[0], "mod.rs");
    assert!(root.contains("#[rustfmt::skip]\npub mod one_of;"), "{root}");
}

#[test]
fn a_one_of_whose_variants_share_a_json_kind_is_left_to_typify() {
    let dir = single_spec_workspace(&spec_with_one_ofs());
    let outputs = generate::generate_all(dir.path(), SCRATCH).unwrap();
    let one_of = generated(&outputs[0], "one_of.rs");
    assert!(!one_of.contains("Shape"), "{one_of}");
    let client = generated(&outputs[0], "client.rs");
    assert!(
        client.contains(
            "#[serde(untagged)]\n    pub enum Shape {\n        Circle(Circle),\n        Square(Square),\n    }"
        ),
        "{client}"
    );
    assert!(client.contains("pub shape: ::std::option::Option<Shape>"), "{client}");
    assert!(
        notes(&outputs[0])
            .iter()
            .any(|line| line == "one_of `Shape`: left to typify's untagged enum (two variants are JSON objects)"),
        "{:#?}",
        notes(&outputs[0])
    );
}

#[test]
fn a_spec_without_one_ofs_still_gets_an_empty_one_of_file() {
    let dir = single_spec_workspace(MINIMAL_SPEC);
    let outputs = generate::generate_all(dir.path(), SCRATCH).unwrap();
    let one_of = generated(&outputs[0], "one_of.rs");
    assert!(!one_of.contains("one_of!"), "{one_of}");
    assert!(!generated(&outputs[0], "client.rs").contains("generated::one_of"));
}

#[test]
fn invalid_yaml_is_reported() {
    let message = generate_error("openapi: 3.0.3\npaths: [unclosed\n");
    assert!(message.contains("specs/test.yaml: not valid YAML"), "{message}");
}

#[test]
fn openapi_3_1_is_refused() {
    let message = generate_error(&MINIMAL_SPEC.replace("openapi: 3.0.3", "openapi: 3.1.0"));
    assert!(
        message.contains("is OpenAPI 3.1.0; progenitor accepts OpenAPI 3.0.x only"),
        "{message}"
    );
}

#[test]
fn swagger_2_is_refused() {
    let message = generate_error(&MINIMAL_SPEC.replace("openapi: 3.0.3", "swagger: \"2.0\""));
    assert!(message.contains("has no `openapi: 3.0.x` version field"), "{message}");
}

#[test]
fn duplicate_operation_ids_are_refused() {
    let spec = MINIMAL_SPEC.replace(
        "components:",
        r#"  /other:
    get:
      operationId: getThing
      responses:
        "204": { description: none }
components:"#,
    );
    let message = generate_error(&spec);
    assert!(
        message.contains("duplicate operationId `getThing`: used by GET /things/{id} and by GET /other"),
        "{message}"
    );
}

#[test]
fn closed_enums_are_refused() {
    let message = generate_error(&MINIMAL_SPEC.replace("x-sdk-open-enum: true", "description: closed"));
    assert!(
        message.contains("schema `Colour` has an enum without `x-sdk-open-enum: true`"),
        "{message}"
    );
}

#[test]
fn several_success_bodies_are_refused_with_advice() {
    let spec = MINIMAL_SPEC.replace(
        "components:",
        r#"        "204": { description: no content }
components:"#,
    );
    let message = generate_error(&spec);
    assert!(
        message.contains("operation `getThing` has 2 different success bodies"),
        "{message}"
    );
    assert!(message.contains("x-sdk-facade"), "{message}");
}

#[test]
fn path_parameters_must_match_the_template() {
    let message = generate_error(&MINIMAL_SPEC.replace("/things/{id}:", "/things:"));
    assert!(
        message.contains("operation `getThing` (GET /things): path parameter `id` is not in the path template"),
        "{message}"
    );
    let message = generate_error(&MINIMAL_SPEC.replace("/things/{id}:", "/things/{id}/{part}:"));
    assert!(
        message.contains("`{part}` in the path template has no path parameter"),
        "{message}"
    );
}

#[test]
fn what_progenitor_rejects_is_reported_not_panicked() {
    // An XML request body on a generated operation: progenitor cannot express it.
    let spec = MINIMAL_SPEC.replace(
        "      responses:\n        \"200\":",
        "      requestBody:\n        content:\n          application/xml:\n            schema: { type: string }\n      responses:\n        \"200\":",
    );
    assert_ne!(spec, MINIMAL_SPEC, "the test edit must apply");
    let message = generate_error(&spec);
    assert!(message.starts_with("specs/test.yaml: progenitor"), "{message}");
}

#[test]
fn a_failing_spec_writes_nothing_even_when_others_succeed() {
    let dir = scratch_workspace();
    let root = dir.path();
    let broken = fs::read_to_string(root.join("specs/invoicexpress.yaml"))
        .unwrap()
        .replace("openapi: 3.0.3", "openapi: 3.1.0");
    fs::write(root.join("specs/invoicexpress.yaml"), broken).unwrap();
    let error = generate::generate_all(root, TARGETS).unwrap_err();
    assert_eq!(error.file, PathBuf::from("specs/invoicexpress.yaml"));
    for target in TARGETS {
        assert!(!root.join(target.out_dir).exists(), "{} was written", target.out_dir);
    }
}

/// `MINIMAL_SPEC` whose response is a list of `Thing`s marked `x-sdk-tolerant-items`, and `Thing`
/// holding a marked list of `Colour`-free `Part`s.
fn spec_with_tolerant_items() -> String {
    MINIMAL_SPEC
        .replace(
            "              schema: { $ref: \"#/components/schemas/Thing\" }\n",
            "              schema:\n                type: array\n                x-sdk-tolerant-items: true\n                items: { $ref: \"#/components/schemas/Thing\" }\n",
        )
        .replace(
            "        colour: { $ref: \"#/components/schemas/Colour\" }\n",
            "        colour: { $ref: \"#/components/schemas/Colour\" }\n        parts:\n          type: array\n          x-sdk-tolerant-items: true\n          items: { $ref: \"#/components/schemas/Part\" }\n    Part:\n      type: object\n      properties:\n        name: { type: string }\n",
        )
}

#[test]
fn tolerant_items_decode_one_by_one() {
    let spec = spec_with_tolerant_items();
    assert_ne!(spec, MINIMAL_SPEC, "the test edit must apply");
    let dir = single_spec_workspace(&spec);
    let outputs = generate::generate_all(dir.path(), SCRATCH).unwrap();
    let client = generated(&outputs[0], "client.rs").replace([' ', '\n', ','], "");
    assert!(
        client.contains("pubparts:::std::vec::Vec<sdk_runtime::Tolerant<crate::generated::client::types::Part>>"),
        "{client}"
    );
    assert!(
        client
            .contains("ResponseValue<::std::vec::Vec<sdk_runtime::Tolerant<crate::generated::client::types::Thing>>>"),
        "{client}"
    );
    assert!(
        !client.contains("SdkTolerant"),
        "the helper schemas never reach the code"
    );
    assert!(
        notes(&outputs[0])
            .iter()
            .any(|line| line.starts_with("tolerant items at /components/schemas/Thing/properties/parts")),
        "{:#?}",
        notes(&outputs[0])
    );
}

#[test]
fn tolerant_items_must_be_a_ref_to_a_component() {
    let inline = spec_with_tolerant_items().replace(
        "          items: { $ref: \"#/components/schemas/Part\" }\n",
        "          items: { type: string }\n",
    );
    let error = generate_error(&inline);
    assert!(
        error.contains("the items must be a `$ref` to a component schema"),
        "{error}"
    );
    let not_array = MINIMAL_SPEC.replace(
        "      type: object\n      properties:\n        colour:",
        "      type: object\n      x-sdk-tolerant-items: true\n      properties:\n        colour:",
    );
    let error = generate_error(&not_array);
    assert!(error.contains("is not on a `type: array` schema"), "{error}");
}
