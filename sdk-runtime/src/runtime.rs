//! The runtime every generated client carries as its inner value, and that its `ClientHooks`
//! implementation calls: credentials before sending, then retries, timeouts and tracing around the
//! exchange. Facades run each call through [`Runtime::call`] to get one typed [`Error`].

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use progenitor_client::ResponseValue;
use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER, USER_AGENT};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::Instrument;

use crate::body::{BodyProblem, SuccessBody, UnreadableBody, read_capped};
use crate::config::{ClientConfig, InvalidConfig, is_visible_ascii};
use crate::credentials::{AuthError, Credentials};
use crate::error::{Error, ErrorKind, RequestOutcome};
use crate::secret::{MIN_SCRUBBED_LEN, scrub};

/// An operation of a spec, as the generated operation table lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OperationSpec {
    /// The spec's `operationId`.
    pub operation_id: &'static str,
    /// Upper-case HTTP method.
    pub method: &'static str,
    /// The path template, e.g. `/v1/invoice/{invoiceId}/status`.
    pub path: &'static str,
    /// True when the hand-written facade, not the generated client, implements it.
    pub facade_only: bool,
}

/// Who the runtime works for: names the provider in errors, traces and the `User-Agent`.
#[derive(Clone, Copy, Debug)]
pub struct Provider {
    /// Short provider name, e.g. `iopole`.
    pub name: &'static str,
    /// The SDK crate's version, for the `User-Agent`.
    pub sdk_version: &'static str,
    /// The spec's operations (the generated `OPERATIONS` table).
    pub operations: &'static [OperationSpec],
}

/// Statuses worth sending again: 408, 429, 502, 503, 504.
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 502 | 503 | 504)
}

/// A successful call's value, with the response's status and headers.
#[derive(Clone, Debug)]
pub struct Reply<T> {
    /// The decoded value.
    pub value: T,
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
}

impl<T> Reply<T> {
    /// The provider's request or correlation id (`x-correlation-id`, `x-request-id`, ...).
    pub fn request_id(&self) -> Option<&str> {
        crate::error::REQUEST_ID_HEADERS
            .iter()
            .find_map(|name| self.headers.get(*name).and_then(|v| v.to_str().ok()))
    }

    /// The value, dropping status and headers.
    pub fn into_value(self) -> T {
        self.value
    }

    /// Converts the value, keeping status and headers.
    pub fn map<U>(self, map: impl FnOnce(T) -> U) -> Reply<U> {
        Reply {
            value: map(self.value),
            status: self.status,
            headers: self.headers,
        }
    }
}

/// A response read in full, for hand-written (non-generated) operations such as XML ones.
#[derive(Clone, Debug)]
pub struct RawReply {
    /// The HTTP status (always 2xx: other statuses are errors).
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body: all of it, or what arrived before [`RawReply::problem`] stopped the reading.
    pub body: Bytes,
    /// How many attempts the call took.
    pub attempts: u32,
    /// Why the body is incomplete, when it is (too large, interrupted, timed out). The server
    /// answered 2xx all the same: the request was processed.
    pub problem: Option<BodyProblem>,
}

/// What one call saw, shared between [`Runtime::call`] and the hooks through a task-local.
#[derive(Default)]
struct CallRecord {
    /// When the call started (before credentials were fetched): the deadline counts from here.
    started: Option<Instant>,
    attempts: u32,
    status: Option<StatusCode>,
    headers: HeaderMap,
    /// When the whole call must end (`started` plus the configured deadline).
    deadline: Option<Instant>,
    /// Whether the request's method makes a second send harmless.
    idempotent: bool,
    /// The body of a final non-2xx response (the hooks buffer it so the raw text is never lost).
    error_body: Option<Bytes>,
    /// Why `error_body` is incomplete, when it is.
    error_body_problem: Option<BodyProblem>,
    /// A 2xx response whose body could not be read whole: what arrived, and why it stopped.
    success_body_failure: Option<(Bytes, BodyProblem)>,
    auth_error: Option<AuthError>,
    deadline_reached: bool,
}

impl CallRecord {
    /// The final response's headers: the copy the hooks made when they saw the response (so a
    /// successful call copies them once), or a copy of `headers` when no hook ran.
    fn take_headers(&mut self, headers: &HeaderMap) -> HeaderMap {
        if self.status.is_some() {
            std::mem::take(&mut self.headers)
        } else {
            headers.clone()
        }
    }
}

type SharedRecord = Arc<Mutex<CallRecord>>;

tokio::task_local! {
    static CALL: SharedRecord;
}

/// When the current call (run through [`Runtime::call`] and its kin) must end, if one is running.
pub(crate) fn call_deadline() -> Option<Instant> {
    CALL.try_with(|record| record.lock().ok().and_then(|r| r.deadline))
        .ok()
        .flatten()
}

fn with_record(update: impl FnOnce(&mut CallRecord)) {
    let _ = CALL.try_with(|record| {
        if let Ok(mut record) = record.lock() {
            update(&mut record);
        }
    });
}

/// The runtime shared by a client's calls. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Runtime {
    inner: Arc<RuntimeInner>,
}

#[derive(Debug)]
struct RuntimeInner {
    provider: Provider,
    credentials: Credentials,
    /// [`Credentials::static_headers`], built once.
    static_headers: Option<Result<Vec<(reqwest::header::HeaderName, HeaderValue)>, AuthError>>,
    config: ClientConfig,
    user_agent: HeaderValue,
}

impl Runtime {
    /// A runtime for `provider`, signing requests with `credentials`.
    ///
    /// Refuses, before anything is sent, a configuration [`ClientConfig::validate`] refuses and a
    /// credential sent in a header (a bearer token, an API key header) that is not visible ASCII.
    pub fn new(provider: Provider, credentials: Credentials, config: ClientConfig) -> Result<Self, InvalidConfig> {
        config.validate()?;
        check_header_credentials(&credentials)?;
        let mut agent = format!("sdk-{}/{}", provider.name, provider.sdk_version);
        if let Some(suffix) = config.user_agent_suffix.as_deref().filter(|s| !s.trim().is_empty()) {
            agent.push(' ');
            agent.push_str(suffix.trim());
        }
        // The suffix was checked above; the provider name and version are the SDK's own.
        let user_agent = HeaderValue::from_str(&agent).map_err(|_| InvalidConfig::UserAgentSuffix { position: 0 })?;
        Ok(Self {
            inner: Arc::new(RuntimeInner {
                provider,
                static_headers: credentials.static_headers(),
                credentials,
                config,
                user_agent,
            }),
        })
    }

    /// The provider this runtime works for.
    pub fn provider(&self) -> &Provider {
        &self.inner.provider
    }

    /// The client configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// The `User-Agent` sent with every request.
    pub fn user_agent(&self) -> &str {
        self.inner.user_agent.to_str().unwrap_or_default()
    }

    /// A `reqwest` client with this runtime's connect timeout. Per-attempt timeouts are set on each
    /// request, so the client itself has none.
    pub fn http_client(&self) -> Result<reqwest::Client, Error<()>> {
        build_http_client(&self.inner.config).map_err(|e| {
            Error::new(
                ErrorKind::Transport,
                self.inner.provider.name,
                "buildHttpClient",
                e.without_url().to_string(),
            )
        })
    }

    /// The spec's operation for an id, accepting the spec's camelCase id and the snake_case form
    /// progenitor passes to the hooks (`sendStatus` / `send_status`).
    fn operation(&self, operation_id: &str) -> Option<&'static OperationSpec> {
        self.inner
            .provider
            .operations
            .iter()
            .find(|op| op.operation_id == operation_id || same_in_snake_case(op.operation_id, operation_id))
    }

    /// A request's path and query for logs: query values that are credentials show as
    /// [`REDACTED`](crate::REDACTED), so the line is safe to print.
    pub fn redacted_target(&self, url: &reqwest::Url) -> String {
        let secrets = self.inner.credentials.secret_values();
        let credential_name = match &self.inner.credentials {
            Credentials::QueryApiKey { name, .. } => Some(*name),
            _ => None,
        };
        let mut target = url.path().to_string();
        let pairs: Vec<String> = url
            .query_pairs()
            .map(|(name, value)| {
                let secret = Some(name.as_ref()) == credential_name
                    || secrets.iter().any(|s| !s.is_empty() && value.contains(s.as_str()));
                let shown = if secret {
                    crate::REDACTED.to_string()
                } else {
                    value.into_owned()
                };
                format!("{name}={shown}")
            })
            .collect();
        if !pairs.is_empty() {
            target.push('?');
            target.push_str(&pairs.join("&"));
        }
        target
    }

    /// The `pre` hook: puts the `User-Agent` and the credentials on the request.
    pub async fn prepare<E>(
        &self,
        request: &mut reqwest::Request,
        operation_id: &str,
    ) -> Result<(), progenitor_client::Error<E>> {
        request.headers_mut().insert(USER_AGENT, self.inner.user_agent.clone());
        // progenitor adds `api-version: <info.version>` to every request; none of the providers
        // documents it, so it does not go on the wire.
        request.headers_mut().remove("api-version");
        let applied = match &self.inner.static_headers {
            Some(Ok(headers)) => {
                for (name, value) in headers {
                    request.headers_mut().insert(name.clone(), value.clone());
                }
                Ok(())
            }
            Some(Err(error)) => Err(error.clone()),
            None => self.inner.credentials.apply(request).await,
        };
        match applied {
            Ok(()) => Ok(()),
            Err(auth) => {
                tracing::warn!(provider = self.inner.provider.name, operation_id, error = %auth, "credentials unavailable");
                let message = auth.to_string();
                with_record(|record| record.auth_error = Some(auth));
                Err(progenitor_client::Error::Custom(message))
            }
        }
    }

    /// The `exec` hook: sends the request with retries, per-attempt timeouts and the call's
    /// deadline, inside one tracing span. A final error response has its body buffered (so the raw
    /// text is kept) and comes back without the request URL, which may carry a credential.
    pub async fn execute(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> reqwest::Result<reqwest::Response> {
        let spec = self.operation(operation_id);
        let path = spec.map(|op| op.path).unwrap_or("");
        let operation_id = spec.map(|op| op.operation_id).unwrap_or(operation_id);
        let span = tracing::info_span!(
            "sdk.call",
            provider = self.inner.provider.name,
            operation_id,
            method = %request.method(),
            path,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        // Boxed: the retry loop's state is large, and moving it through the generated future,
        // the call's scope and its timeout by value cost more than one allocation.
        Box::pin(self.execute_with_retries(client, request))
            .instrument(span)
            .await
    }

    async fn execute_with_retries(
        &self,
        client: &reqwest::Client,
        mut request: reqwest::Request,
    ) -> reqwest::Result<reqwest::Response> {
        let config = &self.inner.config;
        // The deadline counts from the start of the call when run through `call` (so fetching a
        // token counts), else from now. `None`: too far away to be represented.
        let started = CALL
            .try_with(|record| record.lock().ok().and_then(|r| r.started))
            .ok()
            .flatten();
        let deadline = started
            .unwrap_or_else(Instant::now)
            .checked_add(config.timeouts.deadline);
        let remaining = || deadline.map_or(Duration::MAX, |d| d.saturating_duration_since(Instant::now()));
        let idempotent = is_idempotent(request.method());
        with_record(|record| record.idempotent = idempotent);
        let span = tracing::Span::current();
        let mut attempt = 0u32;
        let mut renewed_credentials = false;
        loop {
            attempt += 1;
            with_record(|record| record.attempts = attempt);
            span.record("attempt", attempt);
            // Keep a copy for a possible next attempt; a streaming body cannot be copied, so such
            // a request is sent once.
            let spare = if attempt < config.retry.max_attempts || !renewed_credentials {
                request.try_clone()
            } else {
                None
            };
            *request.timeout_mut() = Some(config.timeouts.attempt.min(remaining()));
            if tracing::enabled!(target: "sdk_runtime::request", tracing::Level::DEBUG) {
                tracing::debug!(
                    target: "sdk_runtime::request",
                    attempt,
                    method = %request.method(),
                    target_path = %self.redacted_target(request.url()),
                    credentials = %self.inner.credentials.describe_redacted(),
                    "sending"
                );
            }
            let sent_at = Instant::now();
            let result = client.execute(request).await;
            let latency = sent_at.elapsed();
            span.record("latency_ms", latency.as_millis() as u64);

            let response = match result {
                Ok(response) => response,
                Err(error) => {
                    let error = error.without_url();
                    // A connection that was never made carries no risk of a duplicate.
                    let safe = idempotent || config.retry.retry_non_idempotent || error.is_connect();
                    let transient = error.is_connect() || error.is_timeout() || error.is_request();
                    tracing::debug!(attempt, latency_ms = latency.as_millis() as u64, error = %error, "attempt failed");
                    match spare {
                        Some(next) if safe && transient && attempt < config.retry.max_attempts => {
                            let delay = config.retry.backoff(attempt);
                            if delay < remaining() {
                                tracing::warn!(attempt, delay_ms = delay.as_millis() as u64, reason = %error, "retrying");
                                tokio::time::sleep(delay).await;
                                request = next;
                                continue;
                            }
                            with_record(|record| record.deadline_reached = true);
                        }
                        _ => {
                            if remaining().is_zero() {
                                with_record(|record| record.deadline_reached = true);
                            }
                        }
                    }
                    return Err(error);
                }
            };

            let mut response = response;
            let status = response.status();
            span.record("status", status.as_u16());
            tracing::debug!(
                attempt,
                status = status.as_u16(),
                latency_ms = latency.as_millis() as u64,
                "response"
            );

            if status == StatusCode::UNAUTHORIZED
                && !renewed_credentials
                && let Some(mut next) = spare
            {
                match self.inner.credentials.renew_after_rejection(&mut next).await {
                    Ok(true) => {
                        tracing::info!(attempt, "credentials rejected; renewed them, sending once more");
                        renewed_credentials = true;
                        request = next;
                        continue;
                    }
                    Ok(false) => {}
                    Err(auth) => {
                        tracing::warn!(error = %auth, "renewing rejected credentials failed");
                        with_record(|record| record.auth_error = Some(auth));
                    }
                }
                return self.finish(response).await;
            }

            if status.is_success() {
                // The body is read here, under the size limit, so that a body that breaks off is
                // recorded as what it is: a processed request whose answer was lost.
                let version = response.version();
                let headers = std::mem::take(response.headers_mut());
                with_record(|record| {
                    record.status = Some(status);
                    record.headers = headers.clone();
                });
                let (body, failure) = read_capped(response, config.limits.success).await;
                if let Some(failure) = failure {
                    let problem = failure.problem();
                    tracing::warn!(attempt, status = status.as_u16(), problem = %problem, "success body not read whole");
                    with_record(|record| record.success_body_failure = Some((body.clone(), problem)));
                }
                return Ok(rebuilt(status, version, headers, body));
            }

            let retryable = is_retryable_status(status);
            // 429 and 503 mean the server did not process the request, so even POST is safe.
            let safe = idempotent
                || config.retry.retry_non_idempotent
                || matches!(status, StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE);
            match spare {
                Some(next) if retryable && safe && attempt < config.retry.max_attempts => {
                    let delay = retry_after(response.headers()).unwrap_or_else(|| config.retry.backoff(attempt));
                    if delay >= remaining() {
                        tracing::warn!(
                            attempt,
                            delay_ms = delay.as_millis() as u64,
                            "deadline reached; not retrying"
                        );
                        with_record(|record| record.deadline_reached = true);
                        return self.finish(response).await;
                    }
                    tracing::warn!(
                        attempt,
                        status = status.as_u16(),
                        delay_ms = delay.as_millis() as u64,
                        "retrying"
                    );
                    // Drain the unused body (up to the error limit) so the connection can be reused.
                    let _ = read_capped(response, config.limits.error).await;
                    tokio::time::sleep(delay).await;
                    request = next;
                }
                _ => return self.finish(response).await,
            }
        }
    }

    /// Buffers a final error response's body (up to the error limit), records it, and rebuilds
    /// the response without its URL. A body that breaks off keeps what arrived: the status is
    /// what matters.
    async fn finish(&self, mut response: reqwest::Response) -> reqwest::Result<reqwest::Response> {
        let status = response.status();
        let version = response.version();
        let headers = std::mem::take(response.headers_mut());
        let (body, failure) = read_capped(response, self.inner.config.limits.error).await;
        with_record(|record| {
            record.status = Some(status);
            record.headers = headers.clone();
            record.error_body = Some(body.clone());
            record.error_body_problem = failure.map(|failure| failure.problem());
        });
        Ok(rebuilt(status, version, headers, body))
    }

    /// Runs one generated read: scopes the call record the hooks fill in, enforces the whole-call
    /// deadline, and turns whatever went wrong into one typed [`Error`], decoding the provider's
    /// error body as `E` from the raw text. A 2xx body that is empty or does not decode (after a
    /// second try without `null`s) is an [`ErrorKind::Decode`] error carrying the 2xx status.
    ///
    /// For writes use [`Runtime::call_write`]: a processed write is never reported as an error.
    pub async fn call<T, G, E>(
        &self,
        operation_id: &'static str,
        call: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<G>>>,
    ) -> Result<Reply<T>, Error<E>>
    where
        T: DeserializeOwned,
        E: DeserializeOwned + std::fmt::Debug,
    {
        let (outcome, record) = self.scoped(call).await;
        let facts = CallFacts::of(&record);
        let reply = self.settle(operation_id, outcome, record).await?;
        let Reply { value, status, headers } = reply;
        match value {
            SuccessBody::Decoded(value) => Ok(Reply { value, status, headers }),
            SuccessBody::Empty => Err(self.unreadable_error(
                operation_id,
                status,
                headers,
                UnreadableBody::new(Bytes::new(), BodyProblem::NotDecodable("the body is empty".into())),
                facts,
            )),
            SuccessBody::Unreadable(unreadable) => {
                Err(self.unreadable_error(operation_id, status, headers, unreadable, facts))
            }
        }
    }

    /// Like [`Runtime::call`], for reads whose success may come without a body: a 2xx with an
    /// empty body, or a 2xx status the generated client does not expect (marked `x-sdk-facade` in
    /// the spec), gives `None`; a 2xx body that decodes as `T` gives `Some`; any other 2xx body is
    /// an error carrying the 2xx status.
    pub async fn call_optional<T, G, E>(
        &self,
        operation_id: &'static str,
        call: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<G>>>,
    ) -> Result<Reply<Option<T>>, Error<E>>
    where
        T: DeserializeOwned,
        E: DeserializeOwned + std::fmt::Debug,
    {
        let (outcome, record) = self.scoped(call).await;
        let facts = CallFacts::of(&record);
        let reply = self.settle(operation_id, outcome, record).await?;
        let Reply { value, status, headers } = reply;
        match value {
            SuccessBody::Decoded(value) => Ok(Reply {
                value: Some(value),
                status,
                headers,
            }),
            SuccessBody::Empty => Ok(Reply {
                value: None,
                status,
                headers,
            }),
            SuccessBody::Unreadable(unreadable) => {
                Err(self.unreadable_error(operation_id, status, headers, unreadable, facts))
            }
        }
    }

    /// Runs one generated write (a request that changes something on the server). Once the server
    /// answered 2xx the write happened, so the call succeeds whatever the body: decoded, empty, or
    /// [`SuccessBody::Unreadable`] with the bytes that arrived (too large, broken off, timed out,
    /// or not what the spec describes; a warning goes to tracing). Errors are as for
    /// [`Runtime::call`], and say in [`Error::outcome`] whether the write may have happened.
    pub async fn call_write<T, G, E>(
        &self,
        operation_id: &'static str,
        call: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<G>>>,
    ) -> Result<Reply<SuccessBody<T>>, Error<E>>
    where
        T: DeserializeOwned,
        E: DeserializeOwned + std::fmt::Debug,
    {
        let (outcome, record) = self.scoped(call).await;
        self.settle(operation_id, outcome, record).await
    }

    /// What a scoped generated call came to: any 2xx is a success, whatever became of its body.
    async fn settle<T, G, E>(
        &self,
        operation_id: &'static str,
        outcome: Option<Result<ResponseValue<T>, progenitor_client::Error<G>>>,
        mut record: CallRecord,
    ) -> Result<Reply<SuccessBody<T>>, Error<E>>
    where
        T: DeserializeOwned,
        E: DeserializeOwned + std::fmt::Debug,
    {
        use progenitor_client::Error as Generated;
        let Some(status) = record.status.filter(StatusCode::is_success) else {
            return match outcome {
                None => Err(self.deadline_error(operation_id, &record)),
                Some(Ok(value)) => {
                    // No hook saw the response (a client without hooks): take it as it is.
                    let status = value.status();
                    let headers = value.headers().clone();
                    Ok(Reply {
                        value: SuccessBody::Decoded(value.into_inner()),
                        status,
                        headers,
                    })
                }
                Some(Err(error)) => Err(self.convert(operation_id, error, record, decode_json)),
            };
        };
        if let Some((raw, problem)) = record.success_body_failure.take() {
            return Ok(Reply {
                value: SuccessBody::Unreadable(self.unreadable(operation_id, raw, problem)),
                status,
                headers: record.headers,
            });
        }
        let body = match outcome {
            // The deadline ran out while the body was arriving.
            None => SuccessBody::Unreadable(self.unreadable(operation_id, Bytes::new(), BodyProblem::TimedOut)),
            Some(Ok(value)) => {
                let headers = record.take_headers(value.headers());
                return Ok(Reply {
                    value: SuccessBody::Decoded(value.into_inner()),
                    status,
                    headers,
                });
            }
            Some(Err(Generated::InvalidResponsePayload(body, error))) => {
                self.lenient_body(operation_id, body, || error.to_string())
            }
            Some(Err(Generated::UnexpectedResponse(response))) => {
                // The hooks buffered the body, so this reads memory.
                match response.bytes().await {
                    Ok(body) => match serde_json::from_slice(&body) {
                        Ok(value) => SuccessBody::Decoded(value),
                        Err(error) => self.lenient_body(operation_id, body, || error.to_string()),
                    },
                    Err(error) => SuccessBody::Unreadable(self.unreadable(
                        operation_id,
                        Bytes::new(),
                        BodyProblem::Interrupted(describe_transport(&error.without_url())),
                    )),
                }
            }
            Some(Err(error)) => return Err(self.convert(operation_id, error, record, decode_json)),
        };
        Ok(Reply {
            value: body,
            status,
            headers: record.headers,
        })
    }

    /// A 2xx body the generated type rejected: empty, or decoded without its `null`s, or kept as
    /// unreadable.
    fn lenient_body<T: DeserializeOwned>(
        &self,
        operation_id: &'static str,
        body: Bytes,
        reason: impl FnOnce() -> String,
    ) -> SuccessBody<T> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return SuccessBody::Empty;
        }
        match decode_ignoring_nulls(&body) {
            Some(value) => SuccessBody::Decoded(value),
            None => SuccessBody::Unreadable(self.unreadable(operation_id, body, BodyProblem::NotDecodable(reason()))),
        }
    }

    /// A success body the SDK cannot use, with credentials the server echoed scrubbed from the
    /// bytes and the reason, and a warning in tracing: the request succeeded all the same.
    pub fn unreadable(&self, operation_id: &'static str, raw: Bytes, problem: BodyProblem) -> UnreadableBody {
        let secrets = self.inner.credentials.secret_values();
        let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
        let problem = match problem {
            BodyProblem::NotDecodable(reason) => BodyProblem::NotDecodable(scrub(&reason, &secrets)),
            BodyProblem::Interrupted(reason) => BodyProblem::Interrupted(scrub(&reason, &secrets)),
            other => other,
        };
        let raw = match std::str::from_utf8(&raw) {
            Ok(text) if secrets.iter().any(|s| s.len() >= MIN_SCRUBBED_LEN && text.contains(s)) => {
                Bytes::from(scrub(text, &secrets))
            }
            _ => raw,
        };
        tracing::warn!(
            provider = self.inner.provider.name,
            operation_id,
            bytes = raw.len(),
            problem = %problem,
            "the request succeeded, but its response body could not be used"
        );
        UnreadableBody::new(raw, problem)
    }

    /// The error a read gets for a 2xx body it cannot use: the kind follows the problem, the
    /// status is the 2xx (so [`Error::outcome`] is [`RequestOutcome::Processed`]).
    fn unreadable_error<E: std::fmt::Debug>(
        &self,
        operation_id: &'static str,
        status: StatusCode,
        headers: HeaderMap,
        unreadable: UnreadableBody,
        facts: CallFacts,
    ) -> Error<E> {
        let problem = unreadable.problem();
        let kind = match problem {
            BodyProblem::TooLarge { .. } => ErrorKind::BodyTooLarge,
            BodyProblem::Interrupted(_) => ErrorKind::Transport,
            BodyProblem::TimedOut => ErrorKind::Timeout,
            _ => ErrorKind::Decode,
        };
        let message = problem.to_string();
        let raw = Bytes::copy_from_slice(unreadable.raw());
        drop(unreadable);
        Error::new(kind, self.inner.provider.name, operation_id, message)
            .with_response(status, headers, Some(raw), |_| None, &[])
            .with_attempts(facts.attempts)
            .with_idempotent(facts.idempotent)
    }

    /// Sends a hand-written request (one the generator cannot express, such as XML) through the
    /// same credentials, retries, timeouts and tracing, reading the body in full (up to the
    /// limit). Error bodies are decoded with `decode_error`. Any 2xx is a success: a body that
    /// could not be read whole comes back with [`RawReply::problem`] set.
    pub async fn send_raw<E: std::fmt::Debug>(
        &self,
        client: &reqwest::Client,
        mut request: reqwest::Request,
        operation_id: &'static str,
        decode_error: fn(&[u8]) -> Option<E>,
    ) -> Result<RawReply, Error<E>> {
        let exchange = async {
            self.prepare::<()>(&mut request, operation_id).await?;
            let response = self
                .execute(client, request, operation_id)
                .await
                .map_err(progenitor_client::Error::CommunicationError)?;
            let status = response.status();
            if status.is_success() {
                // The hooks buffered the body, so this reads memory.
                let body = response
                    .bytes()
                    .await
                    .map_err(progenitor_client::Error::ResponseBodyError)?;
                Ok(body)
            } else {
                Err(progenitor_client::Error::ErrorResponse(ResponseValue::new(
                    (),
                    status,
                    HeaderMap::new(),
                )))
            }
        };
        let (outcome, mut record) = self.scoped(exchange).await;
        let Some(status) = record.status.filter(StatusCode::is_success) else {
            return Err(match outcome {
                None => self.deadline_error(operation_id, &record),
                Some(Err(error)) => self.convert(operation_id, error, record, decode_error),
                // Unreachable: a success goes through the hooks, which record its status.
                Some(Ok(_)) => Error::new(
                    ErrorKind::Transport,
                    self.inner.provider.name,
                    operation_id,
                    "the response was not seen by the runtime",
                ),
            });
        };
        let (body, problem) = match (record.success_body_failure.take(), outcome) {
            (Some((raw, problem)), _) => (raw, Some(problem)),
            (None, Some(Ok(body))) => (body, None),
            (None, None) => (Bytes::new(), Some(BodyProblem::TimedOut)),
            (None, Some(Err(error))) => (Bytes::new(), Some(BodyProblem::Interrupted(error.to_string()))),
        };
        if let Some(problem) = &problem {
            tracing::warn!(provider = self.inner.provider.name, operation_id, problem = %problem, "the request succeeded, but its response body could not be read whole");
        }
        Ok(RawReply {
            status,
            headers: record.headers,
            body,
            attempts: record.attempts,
            problem,
        })
    }

    /// Runs `call` with a fresh call record, under the whole-call deadline (plus a little slack,
    /// since the hooks already bound each attempt by the deadline). `None` when it ran out.
    async fn scoped<R>(&self, call: impl Future<Output = R>) -> (Option<R>, CallRecord) {
        let started = Instant::now();
        let record: SharedRecord = Arc::new(Mutex::new(CallRecord {
            started: Some(started),
            deadline: started.checked_add(self.inner.config.timeouts.deadline),
            ..CallRecord::default()
        }));
        let limit = self
            .inner
            .config
            .timeouts
            .deadline
            .saturating_add(Duration::from_millis(250));
        // Boxed for the same reason as the retry loop: the generated future is several KiB.
        let outcome = CALL
            .scope(record.clone(), tokio::time::timeout(limit, Box::pin(call)))
            .await
            .ok();
        let record = match record.lock() {
            Ok(mut guard) => std::mem::take(&mut *guard),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        };
        (outcome, record)
    }

    fn deadline_error<E>(&self, operation_id: &'static str, record: &CallRecord) -> Error<E> {
        let deadline = self.inner.config.timeouts.deadline;
        let outcome = if record.attempts == 0 {
            RequestOutcome::NotSent
        } else {
            RequestOutcome::Unknown
        };
        Error::new(
            ErrorKind::Timeout,
            self.inner.provider.name,
            operation_id,
            format!("the call's deadline of {deadline:?} ran out"),
        )
        .with_outcome(outcome)
        .with_attempts(record.attempts)
        .with_idempotent(record.idempotent)
    }

    fn convert<G, E: std::fmt::Debug>(
        &self,
        operation_id: &'static str,
        error: progenitor_client::Error<G>,
        record: CallRecord,
        decode: fn(&[u8]) -> Option<E>,
    ) -> Error<E> {
        use progenitor_client::Error as Generated;
        let provider = self.inner.provider.name;
        let secrets = self.inner.credentials.secret_values();
        let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
        let facts = CallFacts::of(&record);
        let deadline_note = if record.deadline_reached {
            " (the call's deadline ended the retries)"
        } else {
            ""
        };

        let from_transport = |error: reqwest::Error| {
            let error = error.without_url();
            let (kind, outcome) = if error.is_connect() {
                // Covers a connect timeout too: no connection, so nothing was sent.
                (ErrorKind::Connect, RequestOutcome::NotSent)
            } else if error.is_timeout() {
                (ErrorKind::Timeout, RequestOutcome::Unknown)
            } else {
                (ErrorKind::Transport, RequestOutcome::Unknown)
            };
            Error::new(
                kind,
                provider,
                operation_id,
                format!("{}{deadline_note}", describe_transport(&error)),
            )
            .with_outcome(outcome)
            .with_source(error)
        };

        let converted = match error {
            Generated::Custom(message) => match record.auth_error.clone() {
                Some(auth) => Error::new(ErrorKind::Auth, provider, operation_id, auth.to_string()).with_auth(auth),
                None => Error::new(ErrorKind::InvalidRequest, provider, operation_id, message),
            },
            Generated::InvalidRequest(message) => {
                Error::new(ErrorKind::InvalidRequest, provider, operation_id, message)
            }
            Generated::CommunicationError(error)
            | Generated::ResponseBodyError(error)
            | Generated::InvalidUpgrade(error) => from_transport(error),
            Generated::InvalidResponsePayload(body, error) => {
                let status = record.status.unwrap_or(StatusCode::OK);
                if status.is_success() {
                    Error::new(
                        ErrorKind::Decode,
                        provider,
                        operation_id,
                        format!("the body does not match the spec: {error}"),
                    )
                    .with_response(status, record.headers, Some(body), |_| None, &secrets)
                } else {
                    // An error status whose body did not match the spec's error schema.
                    self.api_error(operation_id, status, record, decode, &secrets)
                }
            }
            Generated::ErrorResponse(value) => {
                let status = value.status();
                self.api_error(operation_id, status, record, decode, &secrets)
            }
            Generated::UnexpectedResponse(response) => {
                let status = response.status();
                if status.is_success() {
                    Error::new(
                        ErrorKind::Decode,
                        provider,
                        operation_id,
                        format!("HTTP {} is not a status the spec documents", status.as_u16()),
                    )
                    .with_response(status, response.headers().clone(), None, |_| None, &secrets)
                } else {
                    self.api_error(operation_id, status, record, decode, &secrets)
                }
            }
        };
        // Server text (a decoding error quoting the body, an echoed header) may carry a secret.
        converted
            .with_attempts(facts.attempts)
            .with_idempotent(facts.idempotent)
            .scrub_message(&secrets)
    }

    fn api_error<E: std::fmt::Debug>(
        &self,
        operation_id: &'static str,
        status: StatusCode,
        record: CallRecord,
        decode: fn(&[u8]) -> Option<E>,
        secrets: &[&str],
    ) -> Error<E> {
        let mut message = status.canonical_reason().unwrap_or("error status").to_string();
        if let Some(problem) = &record.error_body_problem {
            message.push_str(&format!(" (error body incomplete: {problem})"));
        }
        if record.deadline_reached {
            message.push_str(" (the call's deadline ended the retries)");
        }
        let mut error = Error::new(ErrorKind::Api, self.inner.provider.name, operation_id, message);
        if let Some(auth) = record.auth_error.clone() {
            error = error.with_auth(auth);
        }
        // A cut-off body is not decoded: its start could decode into a misleading value.
        let complete = record.error_body_problem.is_none();
        error.with_response(
            status,
            record.headers,
            record.error_body,
            |body| if complete { decode(body) } else { None },
            secrets,
        )
    }
}

/// What the error of a finished call needs to know of its record.
#[derive(Clone, Copy)]
struct CallFacts {
    attempts: u32,
    idempotent: bool,
}

impl CallFacts {
    fn of(record: &CallRecord) -> Self {
        Self {
            attempts: record.attempts,
            idempotent: record.idempotent,
        }
    }
}

/// Methods whose second send has the effect of the first (RFC 9110 §9.2.2).
fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::PUT | Method::DELETE | Method::HEAD | Method::OPTIONS
    )
}

/// A response rebuilt from its parts and a buffered body (and without its URL, which may carry a
/// credential).
fn rebuilt(status: StatusCode, version: http::Version, headers: HeaderMap, body: Bytes) -> reqwest::Response {
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    reqwest::Response::from(rebuilt)
}

/// Refuses header credentials that are not visible ASCII, before anything is sent.
fn check_header_credentials(credentials: &Credentials) -> Result<(), InvalidConfig> {
    let refuse = |header: &str| InvalidConfig::Credential {
        header: header.to_string(),
    };
    match credentials {
        Credentials::Bearer(token) if !is_visible_ascii(token.expose()) => Err(refuse("authorization")),
        Credentials::Headers(headers) => headers
            .iter()
            .find(|(_, value)| !is_visible_ascii(value.expose()))
            .map_or(Ok(()), |(name, _)| Err(refuse(name.as_str()))),
        _ => Ok(()),
    }
}

/// A second chance for a 2xx body the generated type rejected: the same JSON with every `null`
/// member and array element removed. Generated types accept an absent optional field, but an
/// optional array (`Vec` with a default) rejects `null`, and providers send `null` for "none".
fn decode_ignoring_nulls<T: DeserializeOwned>(body: &[u8]) -> Option<T> {
    fn without_nulls(value: serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k, without_nulls(v)))
                    .collect(),
            ),
            Value::Array(items) => {
                Value::Array(items.into_iter().filter(|v| !v.is_null()).map(without_nulls).collect())
            }
            other => other,
        }
    }
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    serde_json::from_value(without_nulls(value)).ok()
}

fn decode_json<E: DeserializeOwned>(body: &[u8]) -> Option<E> {
    serde_json::from_slice(body).ok()
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

/// True when `snake` is `camel` written in snake_case (`sendStatus` and `send_status`), compared
/// without allocating (it runs on every call).
fn same_in_snake_case(camel: &str, snake: &str) -> bool {
    let mut expected = snake.bytes();
    for (index, c) in camel.bytes().enumerate() {
        if c.is_ascii_uppercase() {
            if index > 0 && expected.next() != Some(b'_') {
                return false;
            }
            if expected.next() != Some(c.to_ascii_lowercase()) {
                return false;
            }
        } else if expected.next() != Some(c) {
            return false;
        }
    }
    expected.next().is_none()
}

/// `Retry-After` as delta-seconds or an HTTP-date.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// Redirects followed within one origin, at most this many.
const MAX_REDIRECTS: usize = 10;

/// The `reqwest` client the SDKs use: connect timeout from the config, no client-wide timeout
/// (each attempt gets its own).
///
/// Redirects are followed only within the same origin (scheme, host and port), at most 10 of
/// them: `reqwest` strips `Authorization` on a redirect to another host but not other credential
/// headers (such as `x-api-key`), so a redirect elsewhere is not followed and comes back as the
/// 3xx response itself.
pub fn build_http_client(config: &ClientConfig) -> reqwest::Result<reqwest::Client> {
    let redirects = reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if attempt.previous().len() > MAX_REDIRECTS || !same_origin {
            attempt.stop()
        } else {
            attempt.follow()
        }
    });
    reqwest::Client::builder()
        .connect_timeout(config.timeouts.connect)
        .redirect(redirects)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("3"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        let later = std::time::SystemTime::now() + Duration::from_secs(120);
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_str(&httpdate::fmt_http_date(later)).unwrap(),
        );
        let parsed = retry_after(&headers).unwrap();
        assert!(
            parsed > Duration::from_secs(100) && parsed <= Duration::from_secs(120),
            "{parsed:?}"
        );
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn redacted_target_hides_credential_query_values() {
        let runtime = Runtime::new(
            Provider {
                name: "p",
                sdk_version: "1",
                operations: &[],
            },
            Credentials::QueryApiKey {
                name: "api_key",
                value: crate::Secret::new("k3y-canary"),
            },
            ClientConfig::default(),
        )
        .unwrap();
        let url =
            reqwest::Url::parse("https://x.test/invoices/7.json?api_key=k3y-canary&page=2&echo=k3y-canary").unwrap();
        assert_eq!(
            runtime.redacted_target(&url),
            "/invoices/7.json?api_key=[REDACTED]&page=2&echo=[REDACTED]"
        );
    }

    #[test]
    fn generated_operation_ids_match_the_spec_ids() {
        assert!(same_in_snake_case("sendStatus", "send_status"));
        assert!(same_in_snake_case("getNotSeenStatuses", "get_not_seen_statuses"));
        assert!(!same_in_snake_case("sendStatus", "send_statuses"));
        assert!(!same_in_snake_case("sendStatus", "send_statu"));
        assert!(!same_in_snake_case("sendStatus", "sendstatus"));
    }

    #[test]
    fn retryable_statuses() {
        for status in [408, 429, 502, 503, 504] {
            assert!(is_retryable_status(StatusCode::from_u16(status).unwrap()));
        }
        for status in [400, 401, 404, 409, 422, 500] {
            assert!(!is_retryable_status(StatusCode::from_u16(status).unwrap()));
        }
    }
}
