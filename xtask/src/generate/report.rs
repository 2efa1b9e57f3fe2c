//! The report of a generation: what each spec left to the facade, decoded differently, or
//! generated besides the client, as typed notes that `cargo xtask generate` prints.

use std::fmt;

/// One thing worth telling the spec author about a generation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// An operation marked `x-sdk-facade: true`, left out of the generated client.
    FacadeOperation {
        /// The spec's `operationId`.
        operation_id: String,
        /// Upper-case HTTP method.
        method: String,
        /// The path template.
        path: String,
    },
    /// A response marked `x-sdk-facade: true`, left out of the generated client.
    FacadeResponse {
        /// The `operationId` of the operation it belongs to.
        operation_id: String,
        /// The response's status key (`204`, `default`).
        status: String,
    },
    /// A `pattern` marked `x-sdk-lenient-pattern: true`, not enforced when decoding.
    LenientPattern {
        /// JSON pointer of the schema in the spec.
        pointer: String,
    },
    /// An array marked `x-sdk-tolerant-items: true`, decoded one item at a time.
    TolerantItems {
        /// JSON pointer of the array schema in the spec.
        pointer: String,
        /// The Rust type of one item.
        item_type: String,
    },
    /// A `oneOf` of distinct JSON kinds, generated with `sdk_runtime::one_of!`.
    OneOfReplaced {
        /// The Rust type name.
        name: String,
        /// The JSON kind of each variant, in order (`string`, `object`, ...).
        kinds: Vec<&'static str>,
        /// `Parent.property` when the spec writes the `oneOf` inline in a property.
        inline_in: Option<String>,
    },
    /// A `oneOf` left to typify's untagged enum.
    OneOfLeft {
        /// The Rust type name.
        name: String,
        /// Why it cannot be decoded by kind.
        reason: String,
    },
    /// A table generated from a spec extension (`x-lifecycle-codes`, `x-transitions`).
    Table {
        /// The extension it comes from.
        extension: &'static str,
        /// JSON pointer of the extension in the spec.
        pointer: String,
        /// The Rust constant holding the rows.
        constant: String,
        /// How many rows it has.
        rows: usize,
    },
    /// A credential name generated from `components.securitySchemes`.
    Credential {
        /// The security scheme's key.
        scheme: String,
        /// The Rust constant holding the name.
        constant: String,
    },
}

impl Note {
    /// What kind of note this is, in one word: `excluded`, `decoding` or `generated`.
    pub fn category(&self) -> &'static str {
        match self {
            Self::FacadeOperation { .. } | Self::FacadeResponse { .. } => "excluded",
            Self::LenientPattern { .. }
            | Self::TolerantItems { .. }
            | Self::OneOfReplaced { .. }
            | Self::OneOfLeft { .. } => "decoding",
            Self::Table { .. } | Self::Credential { .. } => "generated",
        }
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FacadeOperation {
                operation_id,
                method,
                path,
            } => write!(
                f,
                "operation `{operation_id}` ({method} {path}): x-sdk-facade, implemented by hand in the facade"
            ),
            Self::FacadeResponse { operation_id, status } => {
                write!(
                    f,
                    "response {status} of `{operation_id}`: x-sdk-facade, accepted by the facade"
                )
            }
            Self::LenientPattern { pointer } => {
                write!(
                    f,
                    "pattern at {pointer}: x-sdk-lenient-pattern, not enforced when decoding"
                )
            }
            Self::TolerantItems { pointer, item_type } => write!(
                f,
                "tolerant items at {pointer}: Vec<sdk_runtime::Tolerant<{item_type}>>, an item that does not decode is \
                 kept as raw JSON"
            ),
            Self::OneOfReplaced { name, kinds, inline_in } => {
                let inline = inline_in
                    .as_deref()
                    .map(|place| format!("; inline in `{place}`"))
                    .unwrap_or_default();
                write!(
                    f,
                    "one_of `{name}` ({}{inline}): visitor-based decoding by JSON kind, replacing typify's untagged enum",
                    kinds.join(" | ")
                )
            }
            Self::OneOfLeft { name, reason } => {
                write!(f, "one_of `{name}`: left to typify's untagged enum ({reason})")
            }
            Self::Table {
                extension,
                pointer,
                constant,
                rows,
            } => write!(f, "table `{constant}` ({rows} rows) from {extension} at {pointer}"),
            Self::Credential { scheme, constant } => {
                write!(f, "credential name `{constant}` from security scheme `{scheme}`")
            }
        }
    }
}
