//! The legacy XML API: `PUT /{document-type}/{document-id}/change-state.xml` on
//! `https://{screen_name}.invoicexpress.net` (seed 004).
//!
//! Progenitor generates no XML operations, so this client is written by hand; it still sends
//! through the shared runtime ([`sdk_runtime::Runtime::send_raw`]): the same `api_key` query
//! credential, retries, timeouts and tracing as the JSON client. XML is written and read with
//! quick-xml's serde support, never by string concatenation, so a message cannot add elements.
//!
//! ```no_run
//! use sdk_invoicexpress::legacy::LegacyClient;
//! use sdk_invoicexpress::{Account, DocumentKind, ErrorExt, StateChange};
//! use sdk_invoicexpress::types::DocumentStatus;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = LegacyClient::builder(Account::name("my-screen-name")).api_key("my-api-key").build()?;
//! let cancel = StateChange::cancel("Canceled due to amount of money")?;
//! match client.change_state(DocumentKind::DebitNotes, 42, &cancel, Some(&DocumentStatus::Final)).await {
//!     Ok(reply) => println!("now {:?}", reply.value.status()),
//!     // The JSON client's error type and accessors, with the `<errors>` body.
//!     Err(error) => eprintln!("{error}: {:?} {:?}", error.api_error(), error.messages()),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Errors are [`sdk_runtime::Error`]s, as the JSON client's: [`Error`] is the runtime's error with
//! the legacy [`LegacyErrors`] body, and [`ErrorExt`] gives its messages, its
//! documented status and why a call was refused before sending ([`LocalRefusal`]).

use bytes::Bytes;
use quick_xml::events::Event;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
#[cfg(doc)]
use sdk_runtime::ErrorKind;
use sdk_runtime::{BodyProblem, Reply, Runtime};
use serde::Deserialize;

use crate::client::StateChanged;
use crate::config::{Connection, client_builder};
use crate::error::ErrorBody;
#[cfg(doc)]
use crate::error::ErrorExt;
use crate::generated::operations::CHANGE_DEBIT_NOTE_STATE_LEGACY;
use crate::state::{DocumentFamily, DocumentKind, StateChange};
use crate::transitions::{LEGACY_TRANSITIONS, TransitionRefused};
use crate::types::{DocumentStatus, LegacyDocument, LegacyErrors};

/// The request's `Content-Type`.
pub const XML_CONTENT_TYPE: &str = "application/xml; charset=utf-8";

/// The legacy XML API client.
///
/// Like the JSON client, it never shows the API key: not in `Debug`, not in errors, not in traces.
#[derive(Clone)]
pub struct LegacyClient {
    runtime: Runtime,
    http: reqwest::Client,
    base_url: String,
}

client_builder! {
    /// Builds a [`LegacyClient`]: the API key and the configuration, for the account (the screen
    /// name) given to [`LegacyClient::builder`]. Legacy clients also use the account's
    /// `https://{account}.app.invoicexpress.com` as base URL ([`Account::Custom`](crate::Account::Custom)).
    LegacyClientBuilder builds LegacyClient;
    host "https://{name}.invoicexpress.net";
    /// A client from the environment: `INVOICEXPRESS_ACCOUNT` (the screen name),
    /// `INVOICEXPRESS_API_KEY` and the optional `INVOICEXPRESS_LEGACY_BASE_URL`. A missing
    /// variable is named in the error; no value is.
    env ENV_LEGACY_BASE_URL;
}

impl LegacyClient {
    fn from_connection(connection: Connection) -> Self {
        Self {
            runtime: connection.runtime,
            http: connection.http,
            base_url: connection.base_url,
        }
    }

    /// Changes a document's state: `PUT /{document-type}/{document-id}/change-state.xml` with
    /// `Content-Type: application/xml; charset=utf-8` and the body of [`encode_state_change`].
    ///
    /// With `current_status`, the change is first checked against [`LEGACY_TRANSITIONS`] (seed
    /// 004's table); a refused change is an [`ErrorKind::InvalidRequest`] error and nothing is
    /// sent. That table documents debit notes only: for other document types the server decides.
    /// A document outside the invoice family, or an estimate's change (`Accept`, `Refuse`), is
    /// refused locally too ([`LocalRefusal::Unsupported`]): the legacy API has neither.
    ///
    /// A 200 without a body succeeds with no document; a 200 with `<invoice>` (or the singular
    /// type, e.g. `<debit_note>`) gives the typed [`LegacyDocument`]; any other 200 body is an
    /// [`ErrorKind::Decode`] error keeping the raw body. Error statuses carry the
    /// `<errors><error>…</error></errors>` messages ([`ErrorExt::messages`]).
    pub async fn change_state(
        &self,
        document_type: DocumentKind,
        document_id: i64,
        change: &StateChange,
        current_status: Option<&DocumentStatus>,
    ) -> Result<Reply<StateChanged<LegacyDocument>>, Error> {
        let refuse = |reason: LocalRefusal| self.runtime.invalid_request(&CHANGE_DEBIT_NOTE_STATE_LEGACY, reason);
        let transition = match current_status {
            Some(status) if LEGACY_TRANSITIONS.covers(document_type) => Some(
                LEGACY_TRANSITIONS
                    .check(document_type, status, change)
                    .map_err(|refused| refuse(LocalRefusal::Transition(refused)))?,
            ),
            Some(_) => {
                tracing::debug!(%document_type, "the legacy transition table does not cover this type; the server decides");
                None
            }
            None => None,
        };
        if document_type.family() != DocumentFamily::Invoices {
            return Err(refuse(LocalRefusal::Unsupported(format!(
                "the legacy XML API serves the invoice family only, not {document_type}"
            ))));
        }
        if !change.legacy_state().is_known() {
            return Err(refuse(LocalRefusal::Unsupported(format!(
                "the legacy XML API has no state `{change}`"
            ))));
        }
        let xml = Bytes::from(encode_state_change(change).map_err(|error| refuse(LocalRefusal::Xml(error)))?);
        // Built again for another attempt (if one follows) rather than copied before the first.
        let build = || -> Result<reqwest::Request, LocalRefusal> {
            let url = sdk_runtime::__private::request_url(
                &self.runtime,
                &self.base_url,
                format_args!("/{}/{}/change-state.xml", document_type.as_str(), document_id),
            )
            .map_err(LocalRefusal::Request)?;
            self.http
                .put(url)
                .header(CONTENT_TYPE, XML_CONTENT_TYPE)
                .header(ACCEPT, "application/xml")
                .body(xml.clone())
                .build()
                .map_err(|error| LocalRefusal::Request(error.without_url().to_string()))
        };
        let request = build().map_err(refuse)?;
        let rebuild = || build().ok();
        let reply = self
            .runtime
            .send_raw_rebuildable(
                &self.http,
                request,
                Some(&rebuild),
                &CHANGE_DEBIT_NOTE_STATE_LEGACY,
                decode_errors,
            )
            .await?;
        // A 2xx means the change happened: a body that cannot be read is kept, not an error.
        let (document, unreadable_body) = match (reply.problem, decode_document(&reply.body)) {
            (Some(problem), _) => (
                None,
                Some(
                    self.runtime
                        .unreadable(&CHANGE_DEBIT_NOTE_STATE_LEGACY, reply.body, problem),
                ),
            ),
            (None, Ok(document)) => (document, None),
            (None, Err(reason)) => {
                let problem = BodyProblem::NotDecodable(reason.to_string());
                (
                    None,
                    Some(
                        self.runtime
                            .unreadable(&CHANGE_DEBIT_NOTE_STATE_LEGACY, reply.body, problem),
                    ),
                )
            }
        };
        Ok(Reply {
            value: StateChanged {
                document,
                unreadable_body,
                transition,
            },
            status: reply.status,
            headers: reply.headers,
        })
    }
}

/// Why the legacy client refused a request before sending it. The `source` of an
/// [`ErrorKind::InvalidRequest`] error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LocalRefusal {
    /// The transition table does not allow the change.
    #[error(transparent)]
    Transition(TransitionRefused),
    /// The body cannot be written as XML.
    #[error(transparent)]
    Xml(XmlBodyError),
    /// The HTTP request could not be built.
    #[error("the request could not be built: {0}")]
    Request(String),
    /// The legacy API has no such request: a document outside the invoice family, or an
    /// estimate's change (`accepted`, `refused`).
    #[error("{0}")]
    Unsupported(String),
}

/// A state change that cannot be written as an XML 1.0 body.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum XmlBodyError {
    /// The cancel reason has a character XML 1.0 cannot carry (a control character other than tab,
    /// line feed and carriage return, or U+FFFE/U+FFFF).
    #[error("the cancel reason contains U+{0:04X}, which XML 1.0 cannot carry")]
    InvalidCharacter(u32),
    /// quick-xml refused to write the body.
    #[error("the XML body could not be written: {0}")]
    Write(String),
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The XML body of a legacy state change:
/// `<?xml version="1.0" encoding="UTF-8"?><invoice><state>…</state><message>…</message></invoice>`,
/// the root `invoice` for every document type, `message` only when canceling. Escaped by
/// quick-xml (`<`, `>` and `&` in the message); a reason XML 1.0 cannot carry is refused.
pub fn encode_state_change(change: &StateChange) -> Result<String, XmlBodyError> {
    if let Some(bad) = change
        .reason()
        .and_then(|reason| reason.chars().find(|c| !is_xml_char(*c)))
    {
        return Err(XmlBodyError::InvalidCharacter(u32::from(bad)));
    }
    let state = change.legacy_state();
    // The names and the declaration are fixed, so the document is written out directly (what
    // quick-xml's writer writes for them, byte for byte), in the seed's order: `state`, then
    // `message` (only for a cancel). The text goes through quick-xml's escaping: all five
    // characters for the state, as `BytesText::new` escapes; `<`, `>` and `&` only for the
    // message, as the serde serializer wrote it before, so the wire bytes stay the same.
    let state = quick_xml::escape::escape(state.as_str());
    let message = change.reason().map(quick_xml::escape::partial_escape);
    let mut xml = String::with_capacity(128);
    xml.push_str(r#"<?xml version="1.0" encoding="UTF-8"?><invoice><state>"#);
    xml.push_str(&state);
    xml.push_str("</state>");
    if let Some(message) = message {
        xml.push_str("<message>");
        xml.push_str(&message);
        xml.push_str("</message>");
    }
    xml.push_str("</invoice>");
    Ok(xml)
}

/// The name of the first element, skipping the declaration, comments, processing instructions,
/// the doctype and whitespace. `Err` when the text is not XML or has no element.
fn root_element(xml: &str) -> Result<String, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event().map_err(|error| error.to_string())? {
            Event::Start(start) | Event::Empty(start) => {
                return Ok(start.name().into_inner().to_string());
            }
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Text(text) if text.trim().is_empty() => {}
            Event::Eof => return Err("no element".to_string()),
            _ => return Err("text before the root element".to_string()),
        }
    }
}

/// `<errors><error>…</error>…</errors>` bodies, decoded leniently: `None` for anything else.
fn decode_errors(body: &[u8]) -> Option<LegacyErrors> {
    let xml = std::str::from_utf8(body).ok()?;
    if root_element(xml).ok()? != "errors" {
        return None;
    }
    let mut errors: LegacyErrors = quick_xml::de::from_str(xml).ok()?;
    errors.error.retain(|message| !message.trim().is_empty());
    Some(errors)
}

/// The elements of a legacy document, as text (Rails may add attributes such as
/// `type="integer"`, and may dasherize names).
#[derive(Deserialize)]
struct DocumentXml {
    #[serde(default)]
    id: Option<String>,
    #[serde(default, rename = "type")]
    type_: Option<String>,
    #[serde(default, alias = "sequence-number")]
    sequence_number: Option<String>,
    #[serde(default, alias = "status")]
    state: Option<String>,
}

/// A success body: `None` when empty, the document when its root is `invoice` or a singular
/// document type, otherwise why it is not one.
fn decode_document(body: &[u8]) -> Result<Option<LegacyDocument>, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let xml = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8".to_string())?;
    let root = root_element(xml).map_err(|reason| format!("not XML: {reason}"))?;
    // Rails may dasherize the name (`debit-note`); copied only then.
    let kind = if root.contains('-') {
        DocumentKind::from_name(&root.replace('-', "_"))
    } else {
        DocumentKind::from_name(&root)
    };
    let known_root = root == "invoice" || kind.is_some();
    if !known_root {
        return Err(format!("unexpected root element <{root}>"));
    }
    let parsed: DocumentXml = quick_xml::de::from_str(xml).map_err(|error| format!("not a document: {error}"))?;
    // Trimmed, copied only when there is something to trim.
    let text = |value: Option<String>| {
        value
            .map(|v| {
                if v.trim().len() == v.len() {
                    v
                } else {
                    v.trim().to_string()
                }
            })
            .filter(|v| !v.is_empty())
    };
    let id = match text(parsed.id) {
        Some(id) => Some(id.parse::<i64>().map_err(|_| "the id is not an integer".to_string())?),
        None => None,
    };
    Ok(Some(LegacyDocument {
        id,
        type_: text(parsed.type_),
        sequence_number: text(parsed.sequence_number),
        state: text(parsed.state).map(DocumentStatus::from),
    }))
}

/// The error of a legacy call: the runtime's error with the legacy `<errors>` body, the same type
/// as the JSON client's [`crate::Error`] but for the body. A 2xx is never an error: a body that is
/// neither empty nor a legacy document is kept in [`StateChanged::unreadable_body`].
///
/// [`ErrorExt`] gives the provider's messages ([`ErrorExt::messages`]), the documented status
/// ([`ErrorExt::api_error`]) and why a call was refused before sending
/// ([`ErrorExt::local_refusal`], [`ErrorExt::transition_refused`]), as for the JSON client.
pub type Error = sdk_runtime::Error<LegacyErrors>;

/// The legacy client refuses a call locally for a transition, a body XML cannot carry, or a
/// request that cannot be built.
impl ErrorBody for LegacyErrors {
    type Refusal = LocalRefusal;

    fn body_messages(&self) -> Vec<String> {
        self.error
            .iter()
            .map(|message| message.trim())
            .filter(|message| !message.is_empty())
            .map(str::to_string)
            .collect()
    }

    fn transition(refusal: &LocalRefusal) -> Option<&TransitionRefused> {
        match refusal {
            LocalRefusal::Transition(refused) => Some(refused),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_elements() {
        assert_eq!(
            root_element("<?xml version=\"1.0\"?>\n<!-- hi -->\n<debit_note><id>1</id></debit_note>"),
            Ok("debit_note".into())
        );
        assert_eq!(root_element("<errors/>"), Ok("errors".into()));
        assert!(root_element("").is_err());
        assert!(root_element("{\"json\":true}").is_err());
    }

    #[test]
    fn documents_decode_leniently_but_not_blindly() {
        let rails = br#"<?xml version="1.0" encoding="UTF-8"?>
<debit-note>
  <id type="integer">42</id>
  <type>DebitNote</type>
  <sequence-number>3/A</sequence-number>
  <state>final</state>
  <total type="decimal">12.3</total>
  <reference nil="true"/>
</debit-note>"#;
        let doc = decode_document(rails).expect("decodes").expect("has a document");
        assert_eq!(doc.id, Some(42));
        assert_eq!(doc.type_.as_deref(), Some("DebitNote"));
        assert_eq!(doc.sequence_number.as_deref(), Some("3/A"));
        assert_eq!(doc.state, Some(DocumentStatus::Final));
        assert_eq!(doc.kind(), Some(DocumentKind::DebitNotes));

        let unknown = decode_document(b"<invoice><state>archived_by_robot</state></invoice>").expect("decodes");
        assert_eq!(
            unknown.and_then(|d| d.state),
            Some(DocumentStatus::Unknown("archived_by_robot".into()))
        );
        assert_eq!(decode_document(b"  \n"), Ok(None));
        assert_eq!(decode_document(b"<invoice/>"), Ok(Some(LegacyDocument::default())));

        for bad in [
            &b"<html><body>Oops</body></html>"[..],
            b"<invoice><id>abc</id></invoice>",
            b"not xml",
            b"<invoice><id>1</id>",
            b"\xff\xfe",
        ] {
            assert!(decode_document(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn error_bodies() {
        let one = decode_errors(
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<errors>\n <error>Invalid state</error>\n</errors>",
        );
        assert_eq!(one.map(|e| e.error), Some(vec!["Invalid state".to_string()]));
        let two = decode_errors(b"<errors><error>A &amp; B</error><error>C</error></errors>");
        assert_eq!(two.map(|e| e.error), Some(vec!["A & B".to_string(), "C".to_string()]));
        assert_eq!(decode_errors(b"<errors/>").map(|e| e.error.len()), Some(0));
        assert_eq!(decode_errors(b"<invoice><error>x</error></invoice>"), None);
        assert_eq!(decode_errors(b"{\"errors\":[\"x\"]}"), None);
    }
}
