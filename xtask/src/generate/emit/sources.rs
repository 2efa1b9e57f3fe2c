//! The sources written from the spec's data rather than by progenitor: open enums, kind-dispatched
//! `oneOf`s and the operation table.

use heck::{ToShoutySnakeCase, ToSnakeCase};

use crate::generate::check::OperationEntry;
use crate::generate::transform::OpenEnum;
use crate::generate::transform::one_of::OneOf;

/// `open_enums.rs`: one `sdk_runtime::open_enum!` per open enum.
pub(crate) fn open_enum_source(open_enums: &[OpenEnum]) -> String {
    let mut out = String::from(
        "//! Open enums: every enum the spec marks `x-sdk-open-enum`, with an `Unknown` variant that\n\
         //! keeps values this version does not list instead of failing to decode.\n",
    );
    for open_enum in open_enums {
        out.push_str("\nsdk_runtime::open_enum! {\n");
        let description = open_enum
            .description
            .as_deref()
            .unwrap_or("An enumeration from the spec.");
        for line in description.trim().lines() {
            out.push_str(&format!(
                "    ///{}{}\n",
                if line.is_empty() { "" } else { " " },
                line.trim_end()
            ));
        }
        out.push_str(&format!("    pub enum {} {{\n", open_enum.name));
        for (variant, value) in &open_enum.variants {
            out.push_str(&format!("        /// `{value}`\n        {variant} => {value:?},\n"));
        }
        out.push_str("    }\n}\n");
    }
    out
}

/// `one_of.rs`: one `sdk_runtime::one_of!` per kind-dispatched `oneOf`.
pub(crate) fn one_of_source(one_ofs: &[OneOf]) -> String {
    let mut out = String::from(
        "//! Kind-dispatched `oneOf` enums: every schema whose `oneOf` variants are distinct JSON kinds,\n\
         //! with typify's variant names and types, decoded by the kind of the JSON value instead of\n\
         //! trying each variant in turn. `client::types` re-exports them.\n",
    );
    for one_of in one_ofs {
        out.push_str("\nsdk_runtime::one_of! {\n");
        let description = one_of.description.as_deref().unwrap_or("A `oneOf` from the spec.");
        for line in description.trim().lines() {
            out.push_str(&format!(
                "    ///{}{}\n",
                if line.is_empty() { "" } else { " " },
                line.trim_end()
            ));
        }
        out.push_str(&format!("    pub enum {} {{\n", one_of.name));
        for (variant, ty, kind, from) in &one_of.variants {
            out.push_str(&format!(
                "        /// The JSON {} form.\n        {variant}({ty}) as {}{},\n",
                kind.keyword(),
                kind.keyword(),
                if *from { " with From" } else { "" }
            ));
        }
        out.push_str("    }\n");
        if one_of.display {
            out.push_str("    impl Display;\n");
        }
        out.push_str("}\n");
    }
    out
}

/// `operations.rs`: one `OperationSpec` constant per operation, and the table of them all.
pub(crate) fn operations_source(spec: &str, operations: &[OperationEntry]) -> String {
    let mut out = format!(
        "//! The operations `{spec}` declares, facade-only ones included: one constant each (named \
         after its\n//! `operationId`), which the facade passes to the runtime, and the whole table.\n\n\
         use sdk_runtime::OperationSpec;\n"
    );
    for op in operations {
        out.push_str(&format!(
            "\n/// `{} {}` (`{}`{}).\npub const {}: OperationSpec = OperationSpec {{\n    operation_id: {:?},\n    \
             generated_id: {:?},\n    method: {:?},\n    path: {:?},\n    facade_only: {},\n    idempotent: {},\n}};\n",
            op.method,
            op.path,
            op.operation_id,
            if op.facade_only {
                ", written by hand in the facade"
            } else {
                ""
            },
            op.operation_id.to_shouty_snake_case(),
            op.operation_id,
            op.operation_id.to_snake_case(),
            op.method,
            op.path,
            op.facade_only,
            op.idempotent
        ));
    }
    out.push_str(
        "\n/// Every operation of the spec, in the spec's order.\npub const OPERATIONS: &[OperationSpec] = &[\n",
    );
    for op in operations {
        out.push_str(&format!("    {},\n", op.operation_id.to_shouty_snake_case()));
    }
    out.push_str("];\n");
    out
}
