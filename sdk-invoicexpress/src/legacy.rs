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
//! use sdk_invoicexpress::{DocumentKind, StateChange};
//! use sdk_invoicexpress::types::DocumentStatus;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = LegacyClient::new("my-screen-name", "my-api-key")?;
//! let cancel = StateChange::cancel("Canceled due to amount of money")?;
//! let reply = client.change_state(DocumentKind::DebitNotes, 42, &cancel, Some(&DocumentStatus::Final)).await?;
//! println!("now {:?}", reply.value.status());
//! # Ok(())
//! # }
//! ```

use std::fmt;

use quick_xml::events::{BytesDecl, Event};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap};
use sdk_runtime::{ClientConfig, ErrorKind, Reply, Runtime, Secret};
use serde::{Deserialize, Serialize};

use crate::client::StateChanged;
use crate::config::{self, ENV_LEGACY_BASE_URL, Settings};
use crate::error::{ApiError, ConfigError};
use crate::state::{DocumentKind, StateChange};
use crate::transitions::{LEGACY_TRANSITIONS, TransitionRefused};
use crate::types::{DocumentStatus, LegacyDocument, LegacyErrors};

/// The spec's `operationId` of the legacy change-state operation (documented for debit notes; the
/// same shape serves the other document types).
pub(crate) const OP_CHANGE_STATE_LEGACY: &str = "changeDebitNoteStateLegacy";

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

impl fmt::Debug for LegacyClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LegacyClient")
            .field("base_url", &self.base_url)
            .field("api_key", &sdk_runtime::REDACTED)
            .field("config", self.runtime.config())
            .finish()
    }
}

/// Builds a [`LegacyClient`]: screen name (or base URL), API key, configuration.
#[derive(Clone, Debug, Default)]
pub struct LegacyClientBuilder {
    settings: Settings,
}

impl LegacyClientBuilder {
    /// The account's screen name, as in `https://{screen_name}.invoicexpress.net`. Must be a DNS
    /// label.
    pub fn screen_name(mut self, screen_name: impl Into<String>) -> Self {
        self.settings.account_name = Some(screen_name.into());
        self
    }

    /// The account's API key.
    pub fn api_key(mut self, api_key: impl Into<Secret>) -> Self {
        self.settings.api_key = Some(api_key.into());
        self
    }

    /// A base URL replacing `https://{screen_name}.invoicexpress.net` (e.g. the account's
    /// `https://{account}.app.invoicexpress.com`, which legacy clients also use, or a mock server).
    /// Must be `https`, or `http` to a loopback address; no query, no user info.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.settings.base_url = Some(base_url.into());
        self
    }

    /// Retries, timeouts and `User-Agent` suffix.
    pub fn config(mut self, config: ClientConfig) -> Self {
        self.settings.config = config;
        self
    }

    /// Validates the settings and builds the client.
    pub fn build(self) -> Result<LegacyClient, ConfigError> {
        let connection = self.settings.connect(default_base_url)?;
        Ok(LegacyClient {
            runtime: connection.runtime,
            http: connection.http,
            base_url: connection.base_url,
        })
    }
}

fn default_base_url(screen_name: &str) -> String {
    format!("https://{screen_name}.invoicexpress.net")
}

impl LegacyClient {
    /// A client for `https://{screen_name}.invoicexpress.net` with the default configuration.
    pub fn new(screen_name: impl Into<String>, api_key: impl Into<Secret>) -> Result<Self, ConfigError> {
        Self::builder().screen_name(screen_name).api_key(api_key).build()
    }

    /// A builder, for a custom configuration or base URL.
    pub fn builder() -> LegacyClientBuilder {
        LegacyClientBuilder::default()
    }

    /// A client from the environment: `INVOICEXPRESS_ACCOUNT` (the screen name),
    /// `INVOICEXPRESS_API_KEY` and the optional `INVOICEXPRESS_LEGACY_BASE_URL`. A missing
    /// variable is named in the error; no value is.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::builder_from_env()?.build()
    }

    /// A builder preset from the environment (see [`LegacyClient::from_env`]).
    pub fn builder_from_env() -> Result<LegacyClientBuilder, ConfigError> {
        Ok(LegacyClientBuilder {
            settings: Settings::from_lookup(config::env_var, ENV_LEGACY_BASE_URL)?,
        })
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The runtime: provider, configuration, `User-Agent`.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// Changes a document's state: `PUT /{document-type}/{document-id}/change-state.xml` with
    /// `Content-Type: application/xml; charset=utf-8` and the body of [`encode_state_change`].
    ///
    /// With `current_status`, the change is first checked against [`LEGACY_TRANSITIONS`] (seed
    /// 004's table); a refused change is an [`ErrorKind::InvalidRequest`] error and nothing is
    /// sent. That table documents debit notes only: for other document types the server decides.
    ///
    /// A 200 without a body succeeds with no document; a 200 with `<invoice>` (or the singular
    /// type, e.g. `<debit_note>`) gives the typed [`LegacyDocument`]; any other 200 body is a
    /// [`Error::MalformedXml`]. Error statuses carry the `<errors><error>…</error></errors>`
    /// messages ([`Error::messages`]).
    pub async fn change_state(
        &self,
        document_type: DocumentKind,
        document_id: i64,
        change: &StateChange,
        current_status: Option<&DocumentStatus>,
    ) -> Result<Reply<StateChanged<LegacyDocument>>, Error> {
        let refuse = |reason: LocalRefusal| {
            Error::Runtime(sdk_runtime::Error::invalid_request(
                config::PROVIDER.name,
                OP_CHANGE_STATE_LEGACY,
                reason,
            ))
        };
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
        let xml = encode_state_change(change).map_err(|error| refuse(LocalRefusal::Xml(error)))?;
        let url = format!(
            "{}/{}/{}/change-state.xml",
            self.base_url,
            document_type.as_str(),
            document_id
        );
        let request = self
            .http
            .put(url)
            .header(CONTENT_TYPE, XML_CONTENT_TYPE)
            .header(ACCEPT, "application/xml")
            .body(xml)
            .build()
            .map_err(|error| refuse(LocalRefusal::Request(error.without_url().to_string())))?;
        let reply = self
            .runtime
            .send_raw(&self.http, request, OP_CHANGE_STATE_LEGACY, decode_errors)
            .await?;
        let document = decode_document(&reply.body).map_err(|reason| {
            Error::MalformedXml(MalformedXml {
                status: reply.status,
                headers: reply.headers.clone(),
                raw: String::from_utf8_lossy(&reply.body).into_owned(),
                reason,
            })
        })?;
        Ok(Reply {
            value: StateChanged { document, transition },
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

/// The body the legacy API expects, in the seed's element order: `state`, then `message` (only
/// for a cancel).
#[derive(Serialize)]
struct StateChangeBody<'a> {
    state: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The XML body of a legacy state change:
/// `<?xml version="1.0" encoding="UTF-8"?><invoice><state>…</state><message>…</message></invoice>`,
/// the root `invoice` for every document type, `message` only when canceling. Written by
/// quick-xml, which escapes `<`, `>` and `&` in the message; a reason XML 1.0 cannot carry is
/// refused.
pub fn encode_state_change(change: &StateChange) -> Result<String, XmlBodyError> {
    if let Some(bad) = change
        .reason()
        .and_then(|reason| reason.chars().find(|c| !is_xml_char(*c)))
    {
        return Err(XmlBodyError::InvalidCharacter(u32::from(bad)));
    }
    let state = change.legacy_state();
    let body = StateChangeBody {
        state: state.as_str(),
        message: change.reason(),
    };
    let mut writer = quick_xml::Writer::new(Vec::new());
    writer
        .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .map_err(|error| XmlBodyError::Write(error.to_string()))?;
    writer
        .write_serializable("invoice", &body)
        .map_err(|error| XmlBodyError::Write(error.to_string()))?;
    String::from_utf8(writer.into_inner()).map_err(|error| XmlBodyError::Write(error.to_string()))
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
    let known_root = root == "invoice" || DocumentKind::from_name(&root.replace('-', "_")).is_some();
    if !known_root {
        return Err(format!("unexpected root element <{root}>"));
    }
    let parsed: DocumentXml = quick_xml::de::from_str(xml).map_err(|error| format!("not a document: {error}"))?;
    let text = |value: Option<String>| value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
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

/// The error of a legacy call.
///
/// Mostly the runtime's error with the legacy `<errors>` body. A 2xx whose XML body is not a
/// document is [`Error::MalformedXml`] (kind [`ErrorKind::Decode`]): the runtime's error has no
/// public constructor for a decode failure found after the exchange.
#[non_exhaustive]
pub enum Error {
    /// Refused locally, failed on the way, or answered with an error status.
    Runtime(sdk_runtime::Error<LegacyErrors>),
    /// A 2xx whose body is neither empty nor a legacy document.
    MalformedXml(MalformedXml),
}

/// A 2xx answer whose body is neither empty nor a legacy document.
pub struct MalformedXml {
    status: StatusCode,
    headers: HeaderMap,
    raw: String,
    reason: String,
}

impl MalformedXml {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body exactly as received.
    pub fn raw_body(&self) -> &str {
        &self.raw
    }

    /// Why the body is not a legacy document.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// Shows the status, the reason and the body's length; never the body (the runtime scrubs echoed
/// credentials from bodies it shows, which this type cannot do).
impl fmt::Debug for MalformedXml {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MalformedXml")
            .field("status", &self.status.as_u16())
            .field("reason", &self.reason)
            .field("body_len", &self.raw.len())
            .finish()
    }
}

impl Error {
    /// What kind of failure this is ([`ErrorKind::Decode`] for [`Error::MalformedXml`]).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Runtime(error) => error.kind(),
            Self::MalformedXml(_) => ErrorKind::Decode,
        }
    }

    /// The HTTP status, when the provider answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Runtime(error) => error.status(),
            Self::MalformedXml(malformed) => Some(malformed.status),
        }
    }

    /// The documented error status, when the provider answered with one.
    pub fn api_error(&self) -> Option<ApiError> {
        match self {
            Self::Runtime(error) if error.kind() == ErrorKind::Api => error.status().and_then(ApiError::from_status),
            _ => None,
        }
    }

    /// The body exactly as received, when there was one.
    pub fn raw_body(&self) -> Option<&str> {
        match self {
            Self::Runtime(error) => error.raw_body(),
            Self::MalformedXml(malformed) => Some(&malformed.raw),
        }
    }

    /// The provider's messages from an `<errors><error>…</error></errors>` body, trimmed, in order.
    pub fn messages(&self) -> Vec<String> {
        match self {
            Self::Runtime(error) => error
                .body()
                .map(|body| body.error.iter().map(|message| message.trim().to_string()).collect())
                .unwrap_or_default(),
            Self::MalformedXml(_) => Vec::new(),
        }
    }

    /// The legacy transition guard's refusal, when the call was refused locally for that reason.
    pub fn transition_refused(&self) -> Option<&TransitionRefused> {
        match self.local_refusal()? {
            LocalRefusal::Transition(refused) => Some(refused),
            _ => None,
        }
    }

    /// Why the call was refused before sending, when it was.
    pub fn local_refusal(&self) -> Option<&LocalRefusal> {
        match self {
            Self::Runtime(error) => std::error::Error::source(error).and_then(|source| source.downcast_ref()),
            Self::MalformedXml(_) => None,
        }
    }

    /// Whether sending the same call again later may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Runtime(error) => error.is_retryable(),
            Self::MalformedXml(_) => false,
        }
    }
}

impl From<sdk_runtime::Error<LegacyErrors>> for Error {
    fn from(error: sdk_runtime::Error<LegacyErrors>) -> Self {
        Self::Runtime(error)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Runtime(error) => fmt::Display::fmt(error, f),
            Self::MalformedXml(malformed) => write!(
                f,
                "{} {}: {} (HTTP {}): {}",
                config::PROVIDER.name,
                OP_CHANGE_STATE_LEGACY,
                ErrorKind::Decode,
                malformed.status.as_u16(),
                malformed.reason
            ),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Runtime(error) => f.debug_tuple("Runtime").field(error).finish(),
            Self::MalformedXml(malformed) => f.debug_tuple("MalformedXml").field(malformed).finish(),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Runtime(error) => std::error::Error::source(error),
            Self::MalformedXml(_) => None,
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
