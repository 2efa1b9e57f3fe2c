//! One error type for every SDK call, generic over the provider's typed error body.

use std::error::Error as StdError;
use std::fmt;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::credentials::AuthError;
use crate::secret::{scrub, scrub_owned};

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
    /// The response body is larger than the configured limit
    /// ([`BodyLimits`](crate::BodyLimits)); reading stopped there.
    BodyTooLarge,
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
            Self::BodyTooLarge => "response body too large",
        })
    }
}

/// What the server did with a request whose call failed: whether sending it again could apply it
/// twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestOutcome {
    /// Nothing reached the server: the request was refused locally, credentials could not be
    /// obtained, or no connection was made.
    NotSent,
    /// The server answered with an error status that means it did not apply the request (4xx,
    /// 501, 503, ...).
    NotProcessed,
    /// The request was sent but whether the server applied it is not known: a timeout or a
    /// connection lost after sending, or 500, 502 or 504 (a gateway may have passed it on).
    Unknown,
    /// The server answered 2xx, so it applied the request; only reading its answer failed.
    Processed,
}

impl RequestOutcome {
    /// The outcome an answered error status implies.
    pub fn of_status(status: StatusCode) -> Self {
        if status.is_success() {
            Self::Processed
        } else if matches!(status.as_u16(), 500 | 502 | 504) {
            Self::Unknown
        } else {
            Self::NotProcessed
        }
    }
}

/// The error of every SDK call.
///
/// `E` is the provider's typed error body. The body is decoded leniently: when it does not decode,
/// [`Error::body`] is `None` and [`Error::raw_body`] still has the text. `Display` and `Debug` never
/// show a credential: URLs (which may carry an `api_key`) are left out, and server text that echoes
/// a credential is scrubbed before it is stored.
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
    /// The body as received, credentials scrubbed: the one copy the error keeps.
    raw_body: Option<String>,
    outcome: RequestOutcome,
    /// Whether sending the request twice has the effect of sending it once (GET, PUT, DELETE...).
    idempotent: bool,
    message: String,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

impl<E> Error<E> {
    pub(crate) fn new(
        kind: ErrorKind,
        provider: &'static str,
        operation: &'static str,
        message: impl Into<String>,
    ) -> Self {
        let outcome = match kind {
            ErrorKind::InvalidRequest | ErrorKind::Auth | ErrorKind::Connect => RequestOutcome::NotSent,
            ErrorKind::Api | ErrorKind::Timeout | ErrorKind::Transport => RequestOutcome::Unknown,
            ErrorKind::Decode | ErrorKind::BodyTooLarge => RequestOutcome::Processed,
        };
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
                outcome,
                idempotent: false,
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

    pub(crate) fn with_outcome(mut self, outcome: RequestOutcome) -> Self {
        self.inner.outcome = outcome;
        self
    }

    pub(crate) fn with_idempotent(mut self, idempotent: bool) -> Self {
        self.inner.idempotent = idempotent;
        self
    }

    /// Attaches the provider's answer: its status (which sets [`Error::outcome`]), headers and
    /// body. The body is kept once, as text with `secrets` scrubbed, and `decode` reads the typed
    /// body from that text.
    pub(crate) fn with_response(
        mut self,
        status: StatusCode,
        headers: HeaderMap,
        raw_body: Option<Bytes>,
        decode: impl FnOnce(&[u8]) -> Option<E>,
        secrets: &[&str],
    ) -> Self {
        let raw = raw_body.map(|bytes| {
            let text = match String::from_utf8(Vec::from(bytes)) {
                Ok(text) => text,
                Err(invalid) => String::from_utf8_lossy(invalid.as_bytes()).into_owned(),
            };
            scrub_owned(text, secrets)
        });
        self.inner.body = raw
            .as_deref()
            .filter(|text| !text.trim().is_empty())
            .and_then(|text| decode(text.as_bytes()));
        self.inner.raw_body = raw;
        self.inner.status = Some(status);
        self.inner.outcome = RequestOutcome::of_status(status);
        self.inner.headers = headers;
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

    /// The HTTP status, when the provider answered. A 2xx here means the server processed the
    /// request and only reading its answer failed (see [`Error::outcome`]).
    pub fn status(&self) -> Option<StatusCode> {
        self.inner.status
    }

    /// What the server did with the request: not sent, refused, unknown, or processed. After
    /// [`RequestOutcome::Unknown`] or [`RequestOutcome::Processed`], read the resource's state
    /// before sending a write again.
    pub fn outcome(&self) -> RequestOutcome {
        self.inner.outcome
    }

    /// The provider's error body, when there was one and it decoded.
    pub fn body(&self) -> Option<&E> {
        self.inner.body.as_ref()
    }

    /// The body as received (invalid UTF-8 replaced, credentials the server echoed replaced by
    /// [`REDACTED`](crate::REDACTED)), when the provider answered with one. A body longer than
    /// the configured limit is kept up to the limit.
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
        crate::reply::request_id(&self.inner.headers)
    }

    /// How many attempts were made (0 when nothing was sent).
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// Whether sending the same call again is safe and may succeed.
    ///
    /// Two conditions. The failure must be transient: 408, 429, 502, 503, 504, a timeout, a
    /// connection failure, or a token endpoint that was unreachable or answered one of those
    /// statuses. And a second send must not risk applying the request twice: either the server
    /// certainly did not apply it ([`RequestOutcome::NotSent`], [`RequestOutcome::NotProcessed`]),
    /// or the request is idempotent (GET, PUT, DELETE...). So a POST that timed out after being
    /// sent, or that got a 502 or 504, is *not* retryable: its [`Error::outcome`] is
    /// [`RequestOutcome::Unknown`]; check the resource's state before sending it again. A request
    /// the server answered with 2xx is never retryable unless it is idempotent.
    pub fn is_retryable(&self) -> bool {
        let transient = match self.inner.kind {
            ErrorKind::Timeout | ErrorKind::Connect | ErrorKind::Transport => true,
            ErrorKind::Api => self.inner.status.is_some_and(crate::retry::is_retryable_status),
            ErrorKind::Auth => self.source_as::<AuthError>().is_some_and(AuthError::is_transient),
            ErrorKind::InvalidRequest | ErrorKind::Decode | ErrorKind::BodyTooLarge => false,
        };
        let safe = match self.inner.outcome {
            RequestOutcome::NotSent | RequestOutcome::NotProcessed => true,
            RequestOutcome::Unknown | RequestOutcome::Processed => self.inner.idempotent,
        };
        transient && safe
    }

    fn source_as<T: StdError + 'static>(&self) -> Option<&T> {
        self.inner
            .source
            .as_deref()
            .and_then(|source| source.downcast_ref::<T>())
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
                outcome: inner.outcome,
                idempotent: inner.idempotent,
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
        match inner.outcome {
            RequestOutcome::Processed => f.write_str(" (the server processed the request)"),
            RequestOutcome::Unknown if !inner.idempotent && inner.attempts > 0 => {
                f.write_str(" (the server may have processed the request)")
            }
            _ => Ok(()),
        }
    }
}

impl<E: fmt::Debug> fmt::Debug for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Error")
            .field("kind", &inner.kind)
            .field("provider", &inner.provider)
            .field("operation", &inner.operation)
            .field("status", &inner.status.map(|s| s.as_u16()))
            .field("attempts", &inner.attempts)
            .field("outcome", &inner.outcome)
            .field("request_id", &self.request_id())
            .field("message", &inner.message)
            .field("body", &inner.body)
            .field("raw_body", &inner.raw_body)
            .field("source", &inner.source)
            .finish()
    }
}

impl<E: fmt::Debug> StdError for Error<E> {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner.source.as_deref().map(|s| s as &(dyn StdError + 'static))
    }
}
/// A transport error in words, without the URL (which may carry a credential).
pub(crate) fn describe_transport(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
