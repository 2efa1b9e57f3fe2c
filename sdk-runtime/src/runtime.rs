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

use crate::config::ClientConfig;
use crate::credentials::{AuthError, Credentials};
use crate::error::{Error, ErrorKind};

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
    /// The body.
    pub body: Bytes,
    /// How many attempts the call took.
    pub attempts: u32,
}

/// What one call saw, shared between [`Runtime::call`] and the hooks through a task-local.
#[derive(Default)]
struct CallRecord {
    /// When the call started (before credentials were fetched): the deadline counts from here.
    started: Option<Instant>,
    attempts: u32,
    status: Option<StatusCode>,
    headers: HeaderMap,
    /// The body of a final non-2xx response (the hooks buffer it so the raw text is never lost).
    error_body: Option<Bytes>,
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
    pub fn new(provider: Provider, credentials: Credentials, config: ClientConfig) -> Self {
        let mut agent = format!("sdk-{}/{}", provider.name, provider.sdk_version);
        if let Some(suffix) = config.user_agent_suffix.as_deref().filter(|s| !s.trim().is_empty()) {
            agent.push(' ');
            agent.push_str(suffix.trim());
        }
        // A suffix with characters a header cannot carry falls back to the bare SDK name.
        let user_agent = HeaderValue::from_str(&agent)
            .or_else(|_| HeaderValue::from_str(&format!("sdk-{}/{}", provider.name, provider.sdk_version)))
            .unwrap_or_else(|_| HeaderValue::from_static("sdk-runtime"));
        Self {
            inner: Arc::new(RuntimeInner {
                provider,
                static_headers: credentials.static_headers(),
                credentials,
                config,
                user_agent,
            }),
        }
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
        let idempotent = matches!(
            *request.method(),
            Method::GET | Method::PUT | Method::DELETE | Method::HEAD | Method::OPTIONS
        );
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
                with_record(|record| {
                    record.status = Some(status);
                    record.headers = response.headers().clone();
                });
                return Ok(response);
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
                    // Drain the unused body so the connection can be reused.
                    let _ = response.bytes().await;
                    tokio::time::sleep(delay).await;
                    request = next;
                }
                _ => return self.finish(response).await,
            }
        }
    }

    /// Buffers a final error response's body, records it, and rebuilds the response without its
    /// URL.
    async fn finish(&self, response: reqwest::Response) -> reqwest::Result<reqwest::Response> {
        let status = response.status();
        let version = response.version();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(reqwest::Error::without_url)?;
        with_record(|record| {
            record.status = Some(status);
            record.headers = headers.clone();
            record.error_body = Some(body.clone());
        });
        let mut rebuilt = http::Response::new(body);
        *rebuilt.status_mut() = status;
        *rebuilt.version_mut() = version;
        *rebuilt.headers_mut() = headers;
        Ok(reqwest::Response::from(rebuilt))
    }

    /// Runs one generated call: scopes the call record the hooks fill in, enforces the whole-call
    /// deadline, and turns whatever went wrong into one typed [`Error`], decoding the provider's
    /// error body as `E` from the raw text.
    pub async fn call<T, G, E>(
        &self,
        operation_id: &'static str,
        call: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<G>>>,
    ) -> Result<Reply<T>, Error<E>>
    where
        T: DeserializeOwned,
        E: DeserializeOwned + std::fmt::Debug,
    {
        let (outcome, mut record) = self.scoped(call).await;
        let success = record.status.filter(StatusCode::is_success);
        match (outcome, success) {
            (None, _) => Err(self.deadline_error(operation_id, &record)),
            (Some(Ok(value)), _) => {
                let status = value.status();
                let headers = record.take_headers(value.headers());
                Ok(Reply {
                    value: value.into_inner(),
                    status,
                    headers,
                })
            }
            (Some(Err(progenitor_client::Error::InvalidResponsePayload(body, error))), Some(status)) => {
                match decode_ignoring_nulls(&body) {
                    Some(value) => Ok(Reply {
                        value,
                        status,
                        headers: record.headers,
                    }),
                    None => Err(self.convert(
                        operation_id,
                        progenitor_client::Error::<G>::InvalidResponsePayload(body, error),
                        record,
                        decode_json,
                    )),
                }
            }
            (Some(Err(error)), _) => Err(self.convert(operation_id, error, record, decode_json)),
        }
    }

    /// Like [`Runtime::call`], for operations whose success may come without a body: a 2xx with an
    /// empty body, or a 2xx status the generated client does not expect (marked `x-sdk-facade` in
    /// the spec), gives `None`; a 2xx body that decodes as `T` gives `Some`.
    pub async fn call_optional<T, G, E>(
        &self,
        operation_id: &'static str,
        call: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<G>>>,
    ) -> Result<Reply<Option<T>>, Error<E>>
    where
        T: DeserializeOwned,
        E: DeserializeOwned + std::fmt::Debug,
    {
        let (outcome, mut record) = self.scoped(call).await;
        let success = record.status.filter(StatusCode::is_success);
        match (outcome, success) {
            (None, _) => Err(self.deadline_error(operation_id, &record)),
            (Some(Ok(value)), _) => {
                let status = value.status();
                let headers = record.take_headers(value.headers());
                Ok(Reply {
                    value: Some(value.into_inner()),
                    status,
                    headers,
                })
            }
            (Some(Err(progenitor_client::Error::InvalidResponsePayload(body, error))), Some(status)) => {
                if body.iter().all(u8::is_ascii_whitespace) {
                    Ok(Reply {
                        value: None,
                        status,
                        headers: record.headers,
                    })
                } else if let Some(value) = decode_ignoring_nulls(&body) {
                    Ok(Reply {
                        value: Some(value),
                        status,
                        headers: record.headers,
                    })
                } else {
                    Err(self.convert(
                        operation_id,
                        progenitor_client::Error::<G>::InvalidResponsePayload(body, error),
                        record,
                        decode_json,
                    ))
                }
            }
            (Some(Err(progenitor_client::Error::UnexpectedResponse(response))), Some(status)) => {
                let headers = record.take_headers(response.headers());
                let body = match response.bytes().await {
                    Ok(body) => body,
                    Err(error) => {
                        return Err(self.convert(
                            operation_id,
                            progenitor_client::Error::<G>::ResponseBodyError(error),
                            record,
                            decode_json,
                        ));
                    }
                };
                if body.iter().all(u8::is_ascii_whitespace) {
                    return Ok(Reply {
                        value: None,
                        status,
                        headers,
                    });
                }
                let decoded = match serde_json::from_slice(&body) {
                    Ok(value) => Ok(value),
                    Err(error) => decode_ignoring_nulls(&body).ok_or(error),
                };
                match decoded {
                    Ok(value) => Ok(Reply {
                        value: Some(value),
                        status,
                        headers,
                    }),
                    Err(error) => {
                        // The error keeps the response's headers.
                        record.headers = headers;
                        Err(self.convert(
                            operation_id,
                            progenitor_client::Error::<G>::InvalidResponsePayload(body, error),
                            record,
                            decode_json,
                        ))
                    }
                }
            }
            (Some(Err(error)), _) => Err(self.convert(operation_id, error, record, decode_json)),
        }
    }

    /// Sends a hand-written request (one the generator cannot express, such as XML) through the
    /// same credentials, retries, timeouts and tracing, reading the body in full. Error bodies are
    /// decoded with `decode_error`.
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
            let headers = response.headers().clone();
            let body = response
                .bytes()
                .await
                .map_err(progenitor_client::Error::ResponseBodyError)?;
            if status.is_success() {
                Ok(RawReply {
                    status,
                    headers,
                    body,
                    attempts: 0,
                })
            } else {
                Err(progenitor_client::Error::ErrorResponse(ResponseValue::new(
                    (),
                    status,
                    headers,
                )))
            }
        };
        let (outcome, record) = self.scoped(exchange).await;
        match outcome {
            None => Err(self.deadline_error(operation_id, &record)),
            Some(Ok(reply)) => Ok(RawReply {
                attempts: record.attempts,
                ..reply
            }),
            Some(Err(error)) => Err(self.convert(operation_id, error, record, decode_error)),
        }
    }

    /// The error for a hand-written operation whose 2xx body is not what the spec describes
    /// (malformed XML, say): [`ErrorKind::Decode`], with the status, headers, raw body and attempt
    /// count of `reply`, and credentials scrubbed from what `Debug` shows.
    pub fn decode_failure<E: std::fmt::Debug>(
        &self,
        operation_id: &'static str,
        reply: &RawReply,
        reason: impl std::fmt::Display,
    ) -> Error<E> {
        let secrets = self.inner.credentials.secret_values();
        let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
        Error::new(
            ErrorKind::Decode,
            self.inner.provider.name,
            operation_id,
            format!("the body does not match the spec: {reason}"),
        )
        .with_response(
            reply.status,
            reply.headers.clone(),
            Some(String::from_utf8_lossy(&reply.body).into_owned()),
            None,
            &secrets,
        )
        .scrub_message(&secrets)
        .with_attempts(reply.attempts)
    }

    /// Runs `call` with a fresh call record, under the whole-call deadline (plus a little slack,
    /// since the hooks already bound each attempt by the deadline). `None` when it ran out.
    async fn scoped<R>(&self, call: impl Future<Output = R>) -> (Option<R>, CallRecord) {
        let record: SharedRecord = Arc::new(Mutex::new(CallRecord {
            started: Some(Instant::now()),
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
        Error::new(
            ErrorKind::Timeout,
            self.inner.provider.name,
            operation_id,
            format!("the call's deadline of {deadline:?} ran out"),
        )
        .with_attempts(record.attempts)
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
        let attempts = record.attempts;
        let deadline_note = if record.deadline_reached {
            " (the call's deadline ended the retries)"
        } else {
            ""
        };

        let from_transport = |error: reqwest::Error| {
            let error = error.without_url();
            let kind = if error.is_timeout() {
                ErrorKind::Timeout
            } else if error.is_connect() {
                ErrorKind::Connect
            } else {
                ErrorKind::Transport
            };
            Error::new(
                kind,
                provider,
                operation_id,
                format!("{}{deadline_note}", describe_transport(&error)),
            )
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
                let raw = String::from_utf8_lossy(&body).into_owned();
                let status = record.status.unwrap_or(StatusCode::OK);
                match record.error_body {
                    // An error status whose body did not match the spec's error schema.
                    Some(_) if !status.is_success() => self.api_error(operation_id, status, record, decode, &secrets),
                    _ => Error::new(
                        ErrorKind::Decode,
                        provider,
                        operation_id,
                        format!("the body does not match the spec: {error}"),
                    )
                    .with_response(status, record.headers, Some(raw), None, &secrets),
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
                    .with_response(status, response.headers().clone(), None, None, &secrets)
                } else {
                    self.api_error(operation_id, status, record, decode, &secrets)
                }
            }
        };
        // Server text (a decoding error quoting the body, an echoed header) may carry a secret.
        converted.with_attempts(attempts).scrub_message(&secrets)
    }

    fn api_error<E: std::fmt::Debug>(
        &self,
        operation_id: &'static str,
        status: StatusCode,
        record: CallRecord,
        decode: fn(&[u8]) -> Option<E>,
        secrets: &[&str],
    ) -> Error<E> {
        let raw = record
            .error_body
            .as_ref()
            .map(|b| String::from_utf8_lossy(b).into_owned());
        let body = record.error_body.as_deref().filter(|b| !b.is_empty()).and_then(decode);
        let mut message = status.canonical_reason().unwrap_or("error status").to_string();
        if record.deadline_reached {
            message.push_str(" (the call's deadline ended the retries)");
        }
        let mut error = Error::new(ErrorKind::Api, self.inner.provider.name, operation_id, message);
        if let Some(auth) = record.auth_error.clone() {
            error = error.with_auth(auth);
        }
        error.with_response(status, record.headers, raw, body, secrets)
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
fn describe_transport(error: &reqwest::Error) -> String {
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
        );
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
