//! One error type for every SDK call, generic over the provider's typed error body.

use std::error::Error as StdError;
use std::fmt;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::credentials::AuthError;
use crate::secret::scrub;

/// What went wrong, broadly. Match on it to decide what to do; details are on [`Error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The provider answered with an error status (4xx/5xx). See [`Error::status`], [`Error::body`]
    /// and [`Error::raw_body`].
    Api,
    /// The request was refused locally before anything was sent: an invalid argument, or a state
    /// change the provider would refuse. Nothing reached the server.
    InvalidRequest,
    /// Credentials could not be obtained (e.g. the OAuth2 token endpoint refused them).
    Auth,
    /// An attempt, or the whole call's deadline, ran out of time.
    Timeout,
    /// No connection could be made.
    Connect,
    /// The connection failed while sending or receiving.
    Transport,
    /// The provider answered with success, but the body is not what the spec describes.
    Decode,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Api => "the provider returned an error",
            Self::InvalidRequest => "invalid request, not sent",
            Self::Auth => "authentication failed",
            Self::Timeout => "timed out",
            Self::Connect => "could not connect",
            Self::Transport => "connection failed",
            Self::Decode => "unexpected response body",
        })
    }
}

/// The error of every SDK call.
///
/// `E` is the provider's typed error body. The body is decoded leniently: when it does not decode,
/// [`Error::body`] is `None` and [`Error::raw_body`] still has the text. `Display` and `Debug` never
/// show a credential: URLs (which may carry an `api_key`) are left out, and server text that echoes
/// a credential is scrubbed in `Debug`.
pub struct Error<E> {
    inner: Box<Inner<E>>,
}

struct Inner<E> {
    kind: ErrorKind,
    provider: &'static str,
    operation: &'static str,
    attempts: u32,
    status: Option<StatusCode>,
    headers: HeaderMap,
    body: Option<E>,
    raw_body: Option<String>,
    /// `raw_body` with credentials scrubbed, for `Debug`.
    shown_body: Option<String>,
    /// `body`'s `Debug` text with credentials scrubbed.
    shown_typed: Option<String>,
    message: String,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

/// Header names providers use for a request or correlation id, most specific first.
pub(crate) const REQUEST_ID_HEADERS: &[&str] = &[
    "x-correlation-id",
    "x-request-id",
    "request-id",
    "x-amzn-requestid",
    "traceparent",
];

impl<E> Error<E> {
    pub(crate) fn new(
        kind: ErrorKind,
        provider: &'static str,
        operation: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            inner: Box::new(Inner {
                kind,
                provider,
                operation,
                attempts: 0,
                status: None,
                headers: HeaderMap::new(),
                body: None,
                raw_body: None,
                shown_body: None,
                shown_typed: None,
                message: message.into(),
                source: None,
            }),
        }
    }

    /// A request refused locally, before sending: `reason` says why (it is the error's `source`,
    /// so typed reasons can be recovered with `downcast_ref`).
    pub fn invalid_request(
        provider: &'static str,
        operation: &'static str,
        reason: impl StdError + Send + Sync + 'static,
    ) -> Self {
        Self::new(ErrorKind::InvalidRequest, provider, operation, reason.to_string()).with_source(reason)
    }

    pub(crate) fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    pub(crate) fn with_auth(self, auth: AuthError) -> Self {
        self.with_source(auth)
    }

    /// Attaches the provider's answer. `secrets` are scrubbed from what `Debug` shows of it.
    pub(crate) fn with_response(
        mut self,
        status: StatusCode,
        headers: HeaderMap,
        raw_body: Option<String>,
        body: Option<E>,
        secrets: &[&str],
    ) -> Self
    where
        E: fmt::Debug,
    {
        self.inner.shown_body = raw_body.as_deref().map(|raw| scrub(raw, secrets));
        self.inner.shown_typed = body.as_ref().map(|body| scrub(&format!("{body:?}"), secrets));
        self.inner.status = Some(status);
        self.inner.headers = headers;
        self.inner.raw_body = raw_body;
        self.inner.body = body;
        self
    }

    /// Replaces every occurrence of `secrets` in the message (shown by `Display` and `Debug`).
    pub(crate) fn scrub_message(mut self, secrets: &[&str]) -> Self {
        self.inner.message = scrub(&self.inner.message, secrets);
        self
    }

    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.inner.attempts = attempts;
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The provider, e.g. `iopole`.
    pub fn provider(&self) -> &'static str {
        self.inner.provider
    }

    /// The spec's `operationId` of the failed call.
    pub fn operation_id(&self) -> &'static str {
        self.inner.operation
    }

    /// The HTTP status, when the provider answered.
    pub fn status(&self) -> Option<StatusCode> {
        self.inner.status
    }

    /// The provider's error body, when there was one and it decoded.
    pub fn body(&self) -> Option<&E> {
        self.inner.body.as_ref()
    }

    /// The error body exactly as received, when the provider answered with one.
    pub fn raw_body(&self) -> Option<&str> {
        self.inner.raw_body.as_deref()
    }

    /// The response headers (empty when there was no response).
    pub fn headers(&self) -> &HeaderMap {
        &self.inner.headers
    }

    /// The provider's request or correlation id (`x-correlation-id`, `x-request-id`, ...), to quote
    /// to its support.
    pub fn request_id(&self) -> Option<&str> {
        REQUEST_ID_HEADERS
            .iter()
            .find_map(|name| self.inner.headers.get(*name).and_then(|v| v.to_str().ok()))
    }

    /// How many attempts were made (0 when nothing was sent).
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// Whether sending the same call again later may succeed: 408, 429, 502, 503, 504, timeouts
    /// and connection failures.
    pub fn is_retryable(&self) -> bool {
        match self.inner.kind {
            ErrorKind::Timeout | ErrorKind::Connect | ErrorKind::Transport => true,
            ErrorKind::Api => self.inner.status.is_some_and(crate::runtime::is_retryable_status),
            ErrorKind::InvalidRequest | ErrorKind::Auth | ErrorKind::Decode => false,
        }
    }

    /// Converts the typed body, keeping everything else (used by facades that refine `E`).
    pub fn map_body<F>(self, map: impl FnOnce(E) -> F) -> Error<F> {
        let inner = *self.inner;
        Error {
            inner: Box::new(Inner {
                kind: inner.kind,
                provider: inner.provider,
                operation: inner.operation,
                attempts: inner.attempts,
                status: inner.status,
                headers: inner.headers,
                body: inner.body.map(map),
                raw_body: inner.raw_body,
                shown_body: inner.shown_body,
                shown_typed: inner.shown_typed,
                message: inner.message,
                source: inner.source,
            }),
        }
    }
}

impl<E> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        write!(f, "{} {}: {}", inner.provider, inner.operation, inner.kind)?;
        if let Some(status) = inner.status {
            write!(f, " (HTTP {})", status.as_u16())?;
        }
        if !inner.message.is_empty() {
            write!(f, ": {}", inner.message)?;
        }
        if inner.attempts > 1 {
            write!(f, " after {} attempts", inner.attempts)?;
        }
        Ok(())
    }
}

impl<E> fmt::Debug for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Error")
            .field("kind", &inner.kind)
            .field("provider", &inner.provider)
            .field("operation", &inner.operation)
            .field("status", &inner.status.map(|s| s.as_u16()))
            .field("attempts", &inner.attempts)
            .field("request_id", &self.request_id())
            .field("message", &inner.message)
            .field("body", &inner.shown_typed.as_ref().map(|b| Verbatim(b)))
            .field("raw_body", &inner.shown_body)
            .field("source", &inner.source)
            .finish()
    }
}

/// Shows already formatted text without quoting it again.
struct Verbatim<'a>(&'a str);

impl fmt::Debug for Verbatim<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl<E> StdError for Error<E> {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner.source.as_deref().map(|s| s as &(dyn StdError + 'static))
    }
}
