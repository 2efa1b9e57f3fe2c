//! The sources written from the spec's extensions and security schemes: `tables.rs`
//! (`x-lifecycle-codes`, `x-transitions`) and `security.rs` (credential names).

use std::fmt::Write as _;

use crate::generate::extensions::{
    Credential, CredentialKind, Extensions, LIFECYCLE_CONSTANT, LifecycleTable, TRANSITION_STATE_ENUM,
    TRANSITION_STATUS_ENUM, TRANSITION_TYPE_ENUM, TransitionTable,
};
use crate::generate::transform::OpenEnum;

/// `tables.rs`: the lifecycle table and the transition tables the spec declares (a module doc
/// only when it declares none).
pub(crate) fn tables_source(extensions: &Extensions, open_enums: &[OpenEnum]) -> Result<String, String> {
    let mut out = String::from(
        "//! Tables generated from the spec's extensions (`x-lifecycle-codes` on an open enum, `x-transitions`\n\
         //! on an operation), in the spec's order. The facade reads them; change the spec to change them.\n",
    );
    if let Some(table) = &extensions.lifecycle {
        lifecycle_source(&mut out, table);
    }
    if !extensions.transitions.is_empty() {
        transitions_source(&mut out, &extensions.transitions, open_enums)?;
    }
    Ok(out)
}

fn lifecycle_source(out: &mut String, table: &LifecycleTable) {
    let schema = &table.schema;
    out.push_str(&format!(
        "\n/// One row of `x-lifecycle-codes`: a value of the open enum `{schema}`, its numeric code, its\n\
         /// labels and whether it is mandatory.\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq)]\n\
         pub struct LifecycleCode {{\n    \
         /// The name, as `{schema}` lists it.\n    pub name: &'static str,\n    \
         /// The numeric code.\n    pub code: u16,\n    \
         /// The French label.\n    pub label_fr: &'static str,\n    \
         /// The English label.\n    pub label_en: &'static str,\n    \
         /// Whether the status is mandatory.\n    pub mandatory: bool,\n\
         }}\n\n\
         /// `x-lifecycle-codes` of `{schema}`: one row per value, in the enum's order.\n\
         pub const {LIFECYCLE_CONSTANT}: [LifecycleCode; {}] = [\n",
        table.rows.len()
    ));
    for row in &table.rows {
        let _ = writeln!(
            out,
            "    LifecycleCode {{ name: {:?}, code: {}, label_fr: {:?}, label_en: {:?}, mandatory: {} }},",
            row.name, row.code, row.fr, row.en, row.mandatory
        );
    }
    out.push_str("];\n");
}

/// The Rust variant of `value` in the open enum `name`.
fn variant<'a>(open_enums: &'a [OpenEnum], name: &str, value: &str) -> Result<&'a str, String> {
    open_enums
        .iter()
        .find(|open_enum| open_enum.name == name)
        .and_then(|open_enum| open_enum.variants.iter().find(|(_, wire)| wire == value))
        .map(|(variant, _)| variant.as_str())
        .ok_or_else(|| format!("the open enum `{name}` has no value `{value}`"))
}

fn transitions_source(out: &mut String, tables: &[TransitionTable], open_enums: &[OpenEnum]) -> Result<(), String> {
    let (status, state, kind) = (TRANSITION_STATUS_ENUM, TRANSITION_STATE_ENUM, TRANSITION_TYPE_ENUM);
    out.push_str(&format!(
        "\nuse crate::generated::open_enums::{{{status}, {kind}, {state}}};\n\n\
         /// One row of an `x-transitions` table: a document of one of `types` in status `from` goes to\n\
         /// status `to` when `state` is sent.\n\
         #[derive(Clone, Debug, PartialEq, Eq)]\n\
         pub struct Transition {{\n    \
         /// The document's status before the change.\n    pub from: {status},\n    \
         /// The document's status after the change.\n    pub to: {status},\n    \
         /// The state sent in the request body.\n    pub state: {state},\n    \
         /// The document types the row applies to.\n    pub types: &'static [{kind}],\n\
         }}\n"
    ));
    for table in tables {
        let _ = write!(
            out,
            "\n/// `x-transitions` of `{}` (`{}`), in the spec's order.\npub const {}: &[Transition] = &[\n",
            table.operation_id, table.place, table.constant
        );
        for row in &table.rows {
            let types: Vec<String> = row
                .types
                .iter()
                .map(|value| variant(open_enums, kind, value).map(|v| format!("{kind}::{v}")))
                .collect::<Result<_, _>>()?;
            let _ = writeln!(
                out,
                "    Transition {{ from: {status}::{}, to: {status}::{}, state: {state}::{}, types: &[{}] }},",
                variant(open_enums, status, &row.from)?,
                variant(open_enums, status, &row.to)?,
                variant(open_enums, state, &row.state)?,
                types.join(", ")
            );
        }
        out.push_str("];\n");
    }
    Ok(())
}

/// `security.rs`: one constant per security scheme, holding the name (or URL) the credential
/// travels under.
pub(crate) fn security_source(credentials: &[Credential]) -> String {
    let mut out = String::from(
        "//! Credential names from the spec's `components.securitySchemes`: one constant per scheme, the\n\
         //! header, query parameter, HTTP authorization scheme or token URL the credential travels with.\n",
    );
    for credential in credentials {
        let scheme = &credential.scheme;
        let (doc, value) = match &credential.kind {
            CredentialKind::Header(name) => (format!("The header of the API key scheme `{scheme}`."), name),
            CredentialKind::Query(name) => (format!("The query parameter of the API key scheme `{scheme}`."), name),
            CredentialKind::Http(name) => (
                format!("The HTTP authorization scheme of `{scheme}`, sent in `Authorization`."),
                name,
            ),
            CredentialKind::OAuth2TokenUrl(url) => (
                format!("The token URL of the OAuth2 client-credentials flow of `{scheme}`."),
                url,
            ),
        };
        let _ = write!(
            out,
            "\n/// {doc}\npub const {}: &str = {value:?};\n",
            credential.constant
        );
    }
    out
}
