//! `cargo xtask diff`: each kind of spec change classified for the generated Rust API, the version
//! rule, and the release baseline. The specs are scratch texts written here; only the baseline
//! test uses git, in a scratch repository.

use std::fs;
use std::path::Path;
use std::process::Command;

use semver::Version;
use xtask::diff::{self, ADDITIVE_API, Class, Finding, SpecReport, release, version};

const BASE: &str = r##"
openapi: 3.0.3
info: { title: Test, version: "1" }
paths:
  /things/{id}:
    get:
      operationId: getThing
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
        - { name: lang, in: query, required: false, schema: { type: string } }
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Thing" }
  /things:
    post:
      operationId: createThing
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: "#/components/schemas/NewThing" }
      responses:
        "201": { description: created }
components:
  schemas:
    Thing:
      type: object
      required: [id, colour]
      properties:
        id: { type: string }
        colour: { $ref: "#/components/schemas/Colour" }
        note: { type: string }
    NewThing:
      type: object
      properties:
        name: { type: string }
    Colour:
      description: A colour.
      type: string
      enum: [red, green]
      x-sdk-open-enum: true
"##;

/// `BASE` with one edit, checked to apply.
fn edited(from: &str, to: &str) -> String {
    let spec = BASE.replacen(from, to, 1);
    assert_ne!(spec, BASE, "the test edit must apply: {from:?}");
    spec
}

/// The findings for the generated API as it is today.
fn findings(new: &str) -> Vec<Finding> {
    diff::compare_specs(BASE, new).expect("the specs compare")
}

/// The findings for a generated API built for additive evolution (`#[non_exhaustive]` structs and
/// enums, a sealed mock trait).
fn additive_findings(new: &str) -> Vec<Finding> {
    diff::compare_specs_for(BASE, new, &ADDITIVE_API).expect("the specs compare")
}

/// A new optional query parameter: compatible whatever the generated API's shape.
fn with_optional_parameter() -> String {
    edited(
        "        - { name: lang, in: query, required: false, schema: { type: string } }\n",
        "        - { name: lang, in: query, required: false, schema: { type: string } }\n        - { name: limit, in: query, required: false, schema: { type: integer } }\n",
    )
}

fn has(findings: &[Finding], class: Class, location: &str, message: &str) -> bool {
    findings
        .iter()
        .any(|f| f.class == class && f.location.contains(location) && f.message.contains(message))
}

#[test]
fn an_unchanged_spec_has_no_findings() {
    assert_eq!(findings(BASE), Vec::new());
}

#[test]
fn a_removed_required_response_field_is_breaking() {
    let spec = edited("      required: [id, colour]\n", "      required: [id]\n").replacen(
        "        colour: { $ref: \"#/components/schemas/Colour\" }\n",
        "",
        1,
    );
    let found = findings(&spec);
    assert!(
        has(
            &found,
            Class::Breaking,
            "#/components/schemas/Thing properties/colour",
            "field `colour` removed"
        ),
        "{found:#?}"
    );
    assert!(
        found.iter().any(|f| f.location.contains("used by GET /things/{id}")),
        "{found:#?}"
    );
    assert_eq!(diff::worst(&found), Some(Class::Breaking));
}

#[test]
fn a_removed_operation_is_breaking() {
    let start = BASE.find("  /things:\n").unwrap();
    let end = BASE.find("components:\n").unwrap();
    let spec = format!("{}{}", &BASE[..start], &BASE[end..]);
    let found = findings(&spec);
    assert!(
        has(
            &found,
            Class::Breaking,
            "POST /things",
            "The operation createThing was removed"
        ),
        "{found:#?}"
    );
}

#[test]
fn a_new_enum_value_is_wire_compatible_and_breaks_the_exhaustive_rust_enum() {
    let spec = edited("enum: [red, green]", "enum: [red, green, blue]");
    let found = findings(&spec);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        has(
            &found,
            Class::Breaking,
            "#/components/schemas/Colour",
            "new enum value \"blue\""
        ),
        "{found:#?}"
    );
    assert!(found[0].message.contains("decode it as `Unknown`"), "{found:#?}");
    assert!(found[0].message.contains("enum_variant_added"), "{found:#?}");
    // With `#[non_exhaustive]` open enums, the same edit is a compatible addition.
    let additive = additive_findings(&spec);
    assert!(
        has(&additive, Class::Compatible, "Colour", "new enum value \"blue\""),
        "{additive:#?}"
    );

    let removed = findings(&edited("enum: [red, green]", "enum: [red]"));
    assert!(
        has(&removed, Class::Breaking, "Colour", "enum value \"green\" removed"),
        "{removed:#?}"
    );
}

#[test]
fn a_new_optional_field_is_wire_compatible_and_breaks_struct_literals() {
    let spec = edited(
        "        note: { type: string }\n",
        "        note: { type: string }\n        size: { type: integer }\n",
    );
    let found = findings(&spec);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        has(
            &found,
            Class::Breaking,
            "Thing properties/size",
            "new optional field `size`: compatible on the wire"
        ),
        "{found:#?}"
    );
    assert!(
        found[0].message.contains("constructible_struct_adds_field"),
        "{found:#?}"
    );
    // With `#[non_exhaustive]` generated structs, the same edit is a compatible addition.
    let additive = additive_findings(&spec);
    assert_eq!(additive.len(), 1, "{additive:#?}");
    assert!(
        has(
            &additive,
            Class::Compatible,
            "Thing properties/size",
            "new optional field `size`"
        ),
        "{additive:#?}"
    );
    assert_eq!(diff::worst(&additive), Some(Class::Compatible));

    // A new required field is fine in a response, not in a request body.
    let request = findings(
        &edited(
            "    NewThing:\n      type: object\n",
            "    NewThing:\n      type: object\n      required: [owner]\n",
        )
        .replacen(
            "        name: { type: string }\n",
            "        name: { type: string }\n        owner: { type: string }\n",
            1,
        ),
    );
    assert!(
        has(
            &request,
            Class::Breaking,
            "NewThing properties/owner",
            "new required field `owner` in a request"
        ),
        "{request:#?}"
    );
}

#[test]
fn a_renamed_query_parameter_is_breaking() {
    let found = findings(&edited("{ name: lang, in: query", "{ name: language, in: query"));
    assert!(
        has(
            &found,
            Class::Breaking,
            "GET /things/{id}",
            "The parameter 'lang' was removed"
        ),
        "{found:#?}"
    );
    assert!(
        has(
            &found,
            Class::Compatible,
            "GET /things/{id}",
            "A new, optional parameter 'language' was added"
        ),
        "{found:#?}"
    );
    assert_eq!(diff::worst(&found), Some(Class::Breaking));
}

#[test]
fn a_renamed_path_parameter_is_breaking() {
    let spec = edited("  /things/{id}:\n", "  /things/{thing_id}:\n").replacen(
        "{ name: id, in: path",
        "{ name: thing_id, in: path",
        1,
    );
    let found = findings(&spec);
    assert!(
        has(
            &found,
            Class::Breaking,
            "GET /things/{thing_id}",
            "path parameter `id` renamed to `thing_id`"
        ),
        "{found:#?}"
    );
}

#[test]
fn description_edits_are_trivial() {
    let found = findings(&edited(
        "description: A colour.",
        "description: A colour, as the provider spells it.",
    ));
    assert!(!found.is_empty());
    assert!(found.iter().all(|f| f.class == Class::Trivial), "{found:#?}");
}

#[test]
fn a_new_operation_breaks_the_open_mock_trait_only() {
    let spec = edited(
        "components:\n",
        "  /colours:\n    get:\n      operationId: listColours\n      responses:\n        \"204\": { description: none }\ncomponents:\n",
    );
    let found = findings(&spec);
    assert!(
        has(&found, Class::Breaking, "GET /colours", "MockServerExt"),
        "{found:#?}"
    );
    let additive = additive_findings(&spec);
    assert!(
        has(&additive, Class::Compatible, "GET /colours", "listColours was added"),
        "{additive:#?}"
    );
}

#[test]
fn a_new_optional_parameter_is_compatible() {
    let found = findings(&with_optional_parameter());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        has(
            &found,
            Class::Compatible,
            "GET /things/{id}",
            "A new, optional parameter 'limit' was added"
        ),
        "{found:#?}"
    );
}

#[test]
fn what_drift_stops_on_is_reported_as_breaking_not_panicked() {
    // drift 0.2.0 asserts that a response keeps its media types.
    let found = findings(&edited(
        "            application/json:\n              schema: { $ref: \"#/components/schemas/Thing\" }",
        "            application/xml:\n              schema: { $ref: \"#/components/schemas/Thing\" }",
    ));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].class, Class::Breaking);
    assert!(found[0].message.contains("drift stopped"), "{found:#?}");
}

#[test]
fn unreadable_specs_are_errors() {
    let error = diff::compare_specs(BASE, "openapi: 3.0.3\npaths: [unclosed\n").unwrap_err();
    assert!(error.cause.contains("the new spec: not valid YAML"), "{error}");
    let error = diff::compare_specs("{}", BASE).unwrap_err();
    assert!(
        error.cause.contains("the old spec is not an OpenAPI 3.0 document"),
        "{error}"
    );
}

fn v(text: &str) -> Version {
    Version::parse(text).unwrap()
}

#[test]
fn a_breaking_change_without_a_bump_fails_and_with_one_passes() {
    let breaking = edited("enum: [red, green]", "enum: [red]");
    let report = SpecReport::new(
        "specs/test.yaml",
        "sdk-test",
        Some((BASE, v("0.1.0"))),
        &breaking,
        v("0.1.0"),
    )
    .unwrap();
    let error = report.verdict.unwrap_err();
    assert!(error.contains("needs version 0.2.0 or later"), "{error}");
    // A patch bump is not enough at 0.x; a minor one is.
    let patch = SpecReport::new(
        "specs/test.yaml",
        "sdk-test",
        Some((BASE, v("0.1.0"))),
        &breaking,
        v("0.1.1"),
    )
    .unwrap();
    assert!(patch.verdict.is_err());
    let minor = SpecReport::new(
        "specs/test.yaml",
        "sdk-test",
        Some((BASE, v("0.1.0"))),
        &breaking,
        v("0.2.0"),
    )
    .unwrap();
    assert_eq!(minor.verdict, Ok(()));
    // From 1.0 on, a breaking change needs a major bump.
    let one = SpecReport::new(
        "specs/test.yaml",
        "sdk-test",
        Some((BASE, v("1.3.0"))),
        &breaking,
        v("1.4.0"),
    )
    .unwrap();
    assert!(one.verdict.unwrap_err().contains("needs version 2.0.0"));
    assert_eq!(
        version::check_bump(&v("1.3.0"), &v("2.0.0"), Some(Class::Breaking)),
        Ok(())
    );
}

#[test]
fn compatible_and_trivial_changes_need_no_bump() {
    let compatible = with_optional_parameter();
    let report = SpecReport::new(
        "specs/test.yaml",
        "sdk-test",
        Some((BASE, v("0.1.0"))),
        &compatible,
        v("0.1.0"),
    )
    .unwrap();
    assert_eq!(report.verdict, Ok(()));
    assert_eq!(report.count(Class::Compatible), 1);
    assert_eq!(
        version::check_bump(&v("0.1.0"), &v("0.1.0"), Some(Class::Trivial)),
        Ok(())
    );
    assert_eq!(version::check_bump(&v("0.1.0"), &v("0.1.0"), None), Ok(()));
    // A spec that is new since the baseline has nothing to compare.
    let new = SpecReport::new("specs/test.yaml", "sdk-test", None, BASE, v("0.1.0")).unwrap();
    assert!(new.findings.is_empty() && new.verdict.is_ok());
}

#[test]
fn crate_versions_follow_the_workspace() {
    let workspace = "[workspace]\nmembers = []\n[workspace.package]\nversion = \"0.3.1\"\n";
    let inherited = "[package]\nname = \"sdk-test\"\nversion.workspace = true\n";
    assert_eq!(version::crate_version(inherited, workspace), Ok(v("0.3.1")));
    let own = "[package]\nname = \"sdk-test\"\nversion = \"1.0.0\"\n";
    assert_eq!(version::crate_version(own, workspace), Ok(v("1.0.0")));
    let error = version::crate_version("[package]\nname = \"x\"\n", workspace).unwrap_err();
    assert!(error.contains("no `package.version`"), "{error}");
    assert!(version::crate_version("not toml [", workspace).is_err());
}

#[test]
fn the_committed_release_file_is_checked() {
    let commit = "0123456789abcdef0123456789abcdef01234567";
    let release = release::parse_release(v("0.1.0"), &format!("commit = \"{commit}\"\n")).unwrap();
    assert_eq!(release.tag, "v0.1.0");
    assert_eq!(release.commit, commit);
    let error = release::parse_release(v("0.1.0"), "commit = \"abc\"\n").unwrap_err();
    assert!(error.contains("40 hex digits"), "{error}");
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=test",
            "-c",
            "user.email=test@localhost",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

/// A scratch repository with one crate and one spec: a first commit (the release), then a
/// breaking spec edit. Returns the repository and the release commit.
fn scratch_repository() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "--quiet"]);
    fs::create_dir_all(root.join("specs")).unwrap();
    fs::create_dir_all(root.join("sdk-test")).unwrap();
    fs::write(
        root.join("Cargo.toml"),
        "[workspace]\nmembers = []\n[workspace.package]\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    fs::write(
        root.join("sdk-test/Cargo.toml"),
        "[package]\nname = \"sdk-test\"\nversion.workspace = true\n",
    )
    .unwrap();
    fs::write(root.join("specs/test.yaml"), BASE).unwrap();
    git(root, &["add", "."]);
    git(root, &["commit", "--quiet", "-m", "release"]);
    let released = git(root, &["rev-parse", "HEAD"]);
    fs::create_dir_all(root.join("release")).unwrap();
    fs::write(
        root.join("release/0.1.0.toml"),
        format!("commit = \"{released}\"\ntag = \"v0.1.0\"\n"),
    )
    .unwrap();
    fs::write(
        root.join("specs/test.yaml"),
        BASE.replacen("enum: [red, green]", "enum: [red]", 1),
    )
    .unwrap();
    git(root, &["add", "."]);
    git(root, &["commit", "--quiet", "-m", "a breaking edit"]);
    (dir, released)
}

const TEST_TARGETS: &[xtask::generate::Target] = &[xtask::generate::Target {
    spec: "specs/test.yaml",
    out_dir: "sdk-test/src/generated",
}];

#[test]
fn the_baseline_is_the_tag_or_else_the_release_file() {
    let (dir, released) = scratch_repository();
    let root = dir.path();
    // No tag (as in a clone without tags): the file's commit.
    let baseline = release::baseline(root).unwrap();
    assert_eq!(baseline.commit, released);
    assert_eq!(baseline.found_by, "release/0.1.0.toml");
    assert_eq!(baseline.warning, None);
    // With the tag on the same commit: the tag.
    git(root, &["tag", "v0.1.0", &released]);
    let baseline = release::baseline(root).unwrap();
    assert_eq!(
        (baseline.commit.as_str(), baseline.found_by.as_str()),
        (released.as_str(), "tag v0.1.0")
    );
    // A tag moved without the file: used, with a warning.
    git(root, &["tag", "--force", "v0.1.0", "HEAD"]);
    let baseline = release::baseline(root).unwrap();
    assert_ne!(baseline.commit, released);
    assert!(baseline.warning.unwrap().contains("move them together"));

    // The breaking edit since the release fails the version rule until the version is raised.
    let reports = diff::diff_against(root, &released, TEST_TARGETS).unwrap();
    assert_eq!(reports[0].base_version, Some(v("0.1.0")));
    assert!(reports[0].verdict.as_ref().unwrap_err().contains("0.2.0"));
    fs::write(
        root.join("Cargo.toml"),
        "[workspace]\nmembers = []\n[workspace.package]\nversion = \"0.2.0\"\n",
    )
    .unwrap();
    let reports = diff::diff_against(root, &released, TEST_TARGETS).unwrap();
    assert_eq!(reports[0].verdict, Ok(()));

    assert!(release::resolve(root, "--all").is_err());
    assert!(release::resolve(root, "no-such-rev").is_err());
}
