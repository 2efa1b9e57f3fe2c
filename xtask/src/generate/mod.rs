//! `cargo xtask generate`: the curated specs in, formatted client code out.
//!
//! Every file under `sdk-*/src/generated/` is written here and nowhere else. One spec goes through
//! five stages, one module each:
//!
//! 1. `read`: read and parse the YAML;
//! 2. `check`: what progenitor cannot check for itself (OpenAPI 3.0.x, operation ids, path
//!    parameters, one body type per outcome), and `extensions`: the lifecycle and transition
//!    tables and the credential names, checked;
//! 3. `transform`: open enums, `x-sdk-facade` parts set aside, lenient patterns, tolerant lists,
//!    and `oneOf`s of distinct JSON kinds decoded by kind;
//! 4. `emit`: progenitor (client and typed httpmock helpers, run through `progenitor`),
//!    post-processed and formatted with prettyplease, and the files written from the spec's data;
//! 5. `write`: compare with what is checked in, and write or report a diff.
//!
//! Each stage reports what it did as typed [`Note`]s. Nothing is written until every spec has
//! generated cleanly, so a bad spec never leaves half-generated files behind.
//!
//! Besides the SDK crates, [`generate_plain`] writes each spec's plain progenitor client (no hooks,
//! no replacements, no post-processing) under [`PLAIN_PROGENITOR_DIR`], sdk-bench's baseline.

mod check;
mod emit;
mod extensions;
mod names;
mod plain;
mod progenitor;
mod read;
mod report;
mod transform;
mod write;

use std::fmt;
use std::path::{Path, PathBuf};

use progenitor_impl::Generator;

pub use check::OperationEntry;
pub use plain::{PLAIN_PROGENITOR_DIR, generate_plain, plain_module_name};
pub use report::Note;
pub use write::{Drift, check_outputs, check_plain, write_outputs, write_plain};

/// One SDK crate and the spec it is generated from.
#[derive(Clone, Debug)]
pub struct Target {
    /// Path of the spec, relative to the workspace root.
    pub spec: &'static str,
    /// Folder the generated files go to, relative to the workspace root.
    pub out_dir: &'static str,
}

/// The three specs and the crates they feed.
pub const TARGETS: &[Target] = &[
    Target {
        spec: "specs/iopole.yaml",
        out_dir: "sdk-iopole/src/generated",
    },
    Target {
        spec: "specs/invoicexpress.yaml",
        out_dir: "sdk-invoicexpress/src/generated",
    },
    Target {
        spec: "specs/appzen.yaml",
        out_dir: "sdk-appzen/src/generated",
    },
];

/// The Rust path, inside each SDK crate, of the generated client module.
const CLIENT_MODULE: &str = "crate::generated::client";
/// The Rust path, inside each SDK crate, of the generated open enums.
const OPEN_ENUM_MODULE: &str = "crate::generated::open_enums";
/// The Rust path, inside each SDK crate, of the generated kind-dispatched `oneOf` enums.
const ONE_OF_MODULE: &str = "crate::generated::one_of";
/// The Rust path, inside each SDK crate, of typify's types (what `one_of.rs` refers to).
const TYPES_MODULE: &str = "crate::generated::client::types";

/// A file the generator produces, with its path relative to the workspace root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the workspace root.
    pub path: PathBuf,
    /// Full contents, formatted.
    pub contents: String,
}

/// What one spec generated, and what the generator did on the way.
#[derive(Clone, Debug, Default)]
pub struct SpecOutput {
    /// The files to write.
    pub files: Vec<GeneratedFile>,
    /// What was left out of generation (`x-sdk-facade: true`), decoded differently from typify's
    /// default (lenient patterns, tolerant lists, `oneOf`s replaced or left, with the reason), and
    /// generated from the spec's extensions and security schemes, in the order the stages ran.
    pub notes: Vec<Note>,
}

/// A spec that could not be turned into code: names the file and the cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateError {
    /// The spec (or generated file) concerned.
    pub file: PathBuf,
    /// What is wrong, in words a spec author can act on.
    pub cause: String,
}

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.cause)
    }
}

impl std::error::Error for GenerateError {}

/// Generates every target in memory. Fails on the first spec that cannot be generated.
pub fn generate_all(root: &Path, targets: &[Target]) -> Result<Vec<SpecOutput>, GenerateError> {
    targets.iter().map(|target| generate_target(root, target)).collect()
}

/// Generates one spec's files in memory.
pub fn generate_target(root: &Path, target: &Target) -> Result<SpecOutput, GenerateError> {
    let fail = |cause: String| GenerateError {
        file: PathBuf::from(target.spec),
        cause,
    };

    // 1. read
    let mut document = read::read_spec(root, target.spec).map_err(fail)?;

    // 2. check (the extensions are read before facade operations are set aside: one may carry a table)
    check::check_openapi_version(&document).map_err(fail)?;
    let operations = check::collect_operations(&document).map_err(fail)?;
    let extensions = extensions::read_extensions(&document).map_err(fail)?;

    // 3. transform
    let open_enums = transform::collect_open_enums(&document).map_err(fail)?;
    let mut notes = transform::set_aside_facade_parts(&mut document);
    notes.extend(transform::relax_lenient_patterns(&mut document, ""));
    let (tolerant, tolerant_notes) = transform::mark_tolerant_items(&mut document).map_err(fail)?;
    notes.extend(tolerant_notes);
    check::check_one_body_type_per_outcome(&document).map_err(fail)?;
    let hoisted = transform::one_of::hoist_inline_one_ofs(&mut document);
    let (one_of_schemas, one_of_notes) = transform::one_of::collect_one_of_schemas(&document, &hoisted);
    let (one_ofs, one_of_notes) = transform::one_of::resolve_one_ofs(
        &document,
        &progenitor::generation_settings(&open_enums, &[], &tolerant),
        one_of_schemas,
        one_of_notes,
    )
    .map_err(fail)?;
    notes.extend(one_of_notes);
    notes.extend(extension_notes(&extensions));

    // 4. emit
    let settings = progenitor::generation_settings(&open_enums, &one_ofs, &tolerant);
    let spec: openapiv3::OpenAPI = serde_json::from_value(document)
        .map_err(|e| fail(format!("not an OpenAPI 3.0 document progenitor can read: {e}")))?;
    let client = progenitor::run_progenitor(|| Generator::new(&settings).generate_tokens(&spec)).map_err(fail)?;
    let mock = progenitor::run_progenitor(|| Generator::new(&settings).httpmock(&spec, CLIENT_MODULE)).map_err(fail)?;
    let decode_as: Vec<String> = operations
        .iter()
        .filter(|op| op.decode_as && !op.facade_only)
        .map(|op| heck::ToSnakeCase::to_snake_case(op.operation_id.as_str()))
        .collect();
    let credential_headers = extensions.credential_headers();
    let client = emit::format_file(client, |file| {
        emit::reexport_one_ofs(file, &one_ofs)?;
        emit::requests::build_headers_once(file, credential_headers)?;
        emit::rebuild::build_requests_again(file)?;
        emit::builders::unset_fields_without_allocation(file)?;
        emit::decode_as::add_decode_as_sends(file, &decode_as)?;
        emit::responses::read_buffered_responses(file)?;
        Ok(())
    })
    .map_err(fail)?;
    let tables = emit::tables::tables_source(&extensions, &open_enums).map_err(fail)?;

    let header = format!(
        "// @generated by `cargo xtask generate` from {}. Do not edit: change the spec and regenerate.\n",
        target.spec
    );
    let out = Path::new(target.out_dir);
    let file = |name: &str, body: String| GeneratedFile {
        path: out.join(name),
        contents: format!("{header}\n{body}"),
    };
    let files = vec![
        file("mod.rs", emit::module_root(target.spec)),
        file("client.rs", client),
        file("mock.rs", emit::format_tokens(mock).map_err(fail)?),
        file("one_of.rs", emit::sources::one_of_source(&one_ofs)),
        file("open_enums.rs", emit::sources::open_enum_source(&open_enums)),
        file(
            "operations.rs",
            emit::sources::operations_source(target.spec, &operations),
        ),
        file("security.rs", emit::tables::security_source(&extensions.credentials)),
        file("tables.rs", tables),
    ];
    Ok(SpecOutput { files, notes })
}

/// One note per generated table and credential name.
fn extension_notes(extensions: &extensions::Extensions) -> Vec<Note> {
    let mut notes = Vec::new();
    if let Some(table) = &extensions.lifecycle {
        notes.push(Note::Table {
            extension: extensions::LIFECYCLE_CODES,
            pointer: table.pointer.clone(),
            constant: extensions::LIFECYCLE_CONSTANT.into(),
            rows: table.rows.len(),
        });
    }
    for table in &extensions.transitions {
        notes.push(Note::Table {
            extension: extensions::TRANSITIONS,
            pointer: table.pointer.clone(),
            constant: table.constant.clone(),
            rows: table.rows.len(),
        });
    }
    for credential in &extensions.credentials {
        notes.push(Note::Credential {
            scheme: credential.scheme.clone(),
            constant: credential.constant.clone(),
        });
    }
    notes
}
