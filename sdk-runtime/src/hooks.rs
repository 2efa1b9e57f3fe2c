//! The `ClientHooks` side of the runtime: credentials and the `User-Agent` before sending, then
//! the send loop (retries, per-attempt timeouts, the call's deadline, one tracing span) around
//! the exchange. Bodies are read here, under the configured limits.

use std::future::Future;
use std::pin::Pin;
use std::sync::LazyLock;
use std::time::Duration;

use bytes::Bytes;
use futures_util::FutureExt;
use reqwest::header::{HeaderMap, USER_AGENT};
use reqwest::{ResponseBuilderExt, StatusCode};
use tokio::time::Instant;
use tracing::Instrument;

use crate::body::read_capped;
use crate::credentials::{AuthError, add_query_pair};
use crate::operation::OperationSpec;
use crate::record::{AttemptTimedOut, read_record, record_success, with_record, within_attempt};
use crate::retry::{Attempted, Decision, Progress, decide, is_idempotent, is_refused_unprocessed};
use crate::runtime::Runtime;

impl Runtime {
    /// The `pre` hook: puts the `User-Agent` and the credentials on the request.
    #[doc(hidden)]
    pub async fn prepare<E>(
        &self,
        request: &mut reqwest::Request,
        operation_id: &str,
    ) -> Result<(), progenitor_client::Error<E>> {
        request.headers_mut().insert(USER_AGENT, self.inner.user_agent.clone());
        // The first attempt's rate budget (a retry's is taken in the send loop), within the
        // call's deadline.
        let operation = self.resolve(operation_id).map_or(operation_id, |op| op.operation_id);
        let budget = if self.inner.budgets.is_unlimited() {
            Ok(Duration::ZERO)
        } else {
            self.inner.budgets.acquire(operation, self.remaining()).await
        };
        if let Ok(waited) = budget
            && !waited.is_zero()
        {
            tracing::debug!(
                provider = self.inner.provider.name,
                operation_id = operation,
                wait_ms = waited.as_millis() as u64,
                "waited for the rate budget"
            );
        }
        if let Err(no_budget) = budget {
            tracing::warn!(
                provider = self.inner.provider.name,
                operation_id = operation,
                wait_ms = no_budget.wait.as_millis() as u64,
                "no rate budget before the call's deadline; not sent"
            );
            with_record(|record| record.failure_mut().no_budget = Some(no_budget.wait));
            return Err(progenitor_client::Error::Custom(
                "the rate budget leaves no room before the call's deadline".into(),
            ));
        }
        match self.credentials_on(request).await {
            Ok(()) => Ok(()),
            Err(auth) => {
                tracing::warn!(provider = self.inner.provider.name, operation_id, error = %auth, "credentials unavailable");
                let message = auth.to_string();
                with_record(|record| record.failure_mut().auth_error = Some(auth));
                Err(progenitor_client::Error::Custom(message))
            }
        }
    }

    /// Puts the credentials on `request` (those that never change as built once).
    async fn credentials_on(&self, request: &mut reqwest::Request) -> Result<(), AuthError> {
        match &self.inner.static_headers {
            Some(Ok(headers)) => {
                for (name, value) in headers {
                    request.headers_mut().insert(name.clone(), value.clone());
                }
                Ok(())
            }
            Some(Err(error)) => Err(error.clone()),
            None => match &self.inner.query_pair {
                Some(pair) => {
                    add_query_pair(request.url_mut(), pair.expose());
                    Ok(())
                }
                None => self.inner.credentials.apply(request).await,
            },
        }
    }

    /// The `exec` hook: sends the request with retries, per-attempt timeouts and the call's
    /// deadline, inside one `sdk.call` tracing span named after the OpenTelemetry HTTP client
    /// conventions. Bodies are read here, under the configured limits. In a call wrapper, a 2xx
    /// body goes to the call's record and the response comes back read to its end (read its body
    /// with [`response_value`](crate::__private::response_value)); any other response comes
    /// back rebuilt around its buffered body and without its URL, which may carry a credential.
    ///
    /// The span, the send loop and the body read are made when this is called, in one
    /// allocation: the future handed back is a pointer, whatever the exchange's state.
    #[doc(hidden)]
    pub fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        generated_id: &'static str,
    ) -> impl Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a {
        self.execute_rebuildable(client, request, generated_id, None)
    }

    /// [`execute`](Self::execute) for a request the caller can build again: another attempt
    /// sends what `rebuild` gives (with the `User-Agent` and the credentials put on again) instead
    /// of a copy of the request, made before the first attempt in case another follows. The
    /// generated clients pass the code that built the request.
    #[doc(hidden)]
    pub fn execute_rebuildable<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        generated_id: &'static str,
        rebuild: Option<Rebuild<'a>>,
    ) -> impl Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a {
        let operation = self.resolve(generated_id);
        let url_template = operation.map_or("", |op| op.path);
        let span = tracing::info_span!(
            "sdk.call",
            otel.name = %format_args!("{} {}", request.method(), url_template),
            otel.kind = "client",
            sdk.provider = self.inner.provider.name,
            sdk.operation_id = operation.map_or(generated_id, |op| op.operation_id),
            http.request.method = %request.method(),
            url.template = url_template,
            server.address = request.url().host_str().unwrap_or_default(),
            server.port = request.url().port_or_known_default().unwrap_or_default(),
            http.request.resend_count = tracing::field::Empty,
            http.response.status_code = tracing::field::Empty,
            error.type = tracing::field::Empty,
        );
        // The whole exchange is one box: moving its state through the generated future, the
        // call's scope and its timeout by value would cost more than one allocation. The body
        // read that follows a 2xx takes the send loop's room in it (`then`: one state or the
        // other), so the box stays within the allocator's fast sizes.
        let exchange = self
            .send_with_retries(client, request, rebuild)
            .then(move |sent| async move {
                let result = match sent {
                    Sent::Success(response, attempt) => self.read_success(response, attempt).await,
                    Sent::Final(result) => result,
                    Sent::TimedOut => {
                        // Only in a call wrapper, which ends the call when it sees this: there is
                        // no `reqwest` error to return for a timeout that was not `reqwest`'s.
                        with_record(|record| {
                            record.timed_out = true;
                            record.attempt_deadline = None;
                        });
                        return std::future::pending().await;
                    }
                };
                with_record(|record| record.attempt_deadline = None);
                result
            });
        Box::pin(exchange.instrument(span))
    }

    /// Time left before the current call's deadline (a whole deadline outside a call wrapper).
    fn remaining(&self) -> Duration {
        read_record(|record| record.deadline)
            .flatten()
            .map_or(self.inner.config.timeouts.deadline, |deadline| {
                deadline.saturating_duration_since(Instant::now())
            })
    }

    /// The operation the current call runs: the one its call wrapper named, else the table's
    /// entry for progenitor's id.
    fn resolve(&self, generated_id: &str) -> Option<&'static OperationSpec> {
        read_record(|record| record.operation)
            .flatten()
            .or_else(|| self.inner.provider.operation(generated_id))
    }

    /// The send loop: one attempt after another while [`decide`] says so, up to a 2xx (whose
    /// body [`Runtime::read_success`] then reads) or the call's final result.
    ///
    /// Its state is allocated once per call, so it is kept small (within the allocator's fast
    /// sizes): everything after a failed attempt is in [`Runtime::after_failure`], boxed apart;
    /// the body read follows it in the same allocation, not inside it; and it is an `async` block
    /// rather than an `async fn`, so the request is held once, not as argument and as variable.
    #[allow(clippy::manual_async_fn, reason = "an async fn would hold the request twice")]
    fn send_with_retries<'a>(
        &'a self,
        client: &'a reqwest::Client,
        mut request: reqwest::Request,
        rebuild: Option<Rebuild<'a>>,
    ) -> impl Future<Output = Sent> + Send + 'a {
        async move {
            let config = &self.inner.config;
            // The deadline counts from the start of the call when run through a call wrapper (so
            // fetching a token counts), else from now. `None`: too far away to be represented.
            let deadline = read_record(|record| record.deadline)
                .flatten()
                .or_else(|| Instant::now().checked_add(config.timeouts.deadline));
            let idempotent = read_record(|record| record.operation.map(|op| op.idempotent))
                .flatten()
                .unwrap_or_else(|| is_idempotent(request.method()));
            with_record(|record| record.idempotent = idempotent);
            let mut progress = LoopProgress {
                in_call: read_record(|_| ()).is_some(),
                span: tracing::Span::current(),
                operation_id: read_record(|record| record.operation.map(|op| op.operation_id)).flatten(),
                deadline,
                idempotent,
                attempt: 0,
                renewed_credentials: false,
            };
            // Copied at the first attempt that may be followed by another (if any ever is).
            let mut shared_body: Option<SharedBody> = None;
            loop {
                progress.attempt += 1;
                let attempt = progress.attempt;
                with_record(|record| record.attempts = attempt);
                if attempt > 1 {
                    progress.span.record("http.request.resend_count", attempt - 1);
                }
                // Keep what another attempt would send only when one is possible: a retry left,
                // or a rejected token that can still be renewed. The code that built the request,
                // when the caller gave it, costs nothing until then; else a copy is made. A
                // streaming body cannot be copied, so such a request is sent once.
                let another_attempt_possible = attempt < config.retry.max_attempts
                    || (!progress.renewed_credentials && self.inner.credentials.renewable());
                let spare = match rebuild {
                    _ if !another_attempt_possible => Spare::None,
                    Some(rebuild) => Spare::Rebuild(rebuild),
                    None => {
                        let body = shared_body.get_or_insert_with(|| SharedBody::of(&request));
                        retry_copy(&request, body).map_or(Spare::None, Spare::Copy)
                    }
                };
                // One clock read per attempt: the time left, and when the attempt started.
                let sent_at = Instant::now();
                let remaining = progress
                    .deadline
                    .map_or(Duration::MAX, |deadline| deadline.saturating_duration_since(sent_at));
                let attempt_timeout = config.timeouts.attempt.min(remaining);
                if progress.in_call {
                    // The call's timer ends the attempt (see `Scoped`): one timer per call, reused
                    // from call to call, where `reqwest` would make one per request.
                    let ends = sent_at.checked_add(attempt_timeout);
                    with_record(|record| {
                        record.attempt_deadline = ends;
                        record.attempt_timed_out = false;
                    });
                } else {
                    *request.timeout_mut() = Some(attempt_timeout);
                }
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
                // Bounded by the attempt's timeout (set above, never past the deadline).
                let outcome = match within_attempt(client.execute(request)).await {
                    Ok(Ok(response)) if response.status().is_success() => Ok(response),
                    Ok(Ok(response)) => Err(Failed::Answered(response)),
                    Ok(Err(error)) => Err(Failed::NoAnswer(NoAnswer::Transport(error.without_url()))),
                    Err(AttemptTimedOut) => Err(Failed::NoAnswer(NoAnswer::TimedOut(attempt_timeout))),
                };
                let response = match outcome {
                    Ok(response) => response,
                    Err(failed) => match self.after_failure_boxed(&mut progress, failed, sent_at, spare).await {
                        Next::Send(next) => {
                            request = next;
                            continue;
                        }
                        Next::Return(result) => return Sent::Final(result),
                        Next::TimedOut => return Sent::TimedOut,
                    },
                };
                let status = response.status();
                progress.span.record("http.response.status_code", status.as_u16());
                self.inner.budgets.observe(false);
                // The latency is measured only when the line is logged.
                tracing::debug!(
                    attempt,
                    status = status.as_u16(),
                    latency_ms = sent_at.elapsed().as_millis() as u64,
                    "response"
                );
                return Sent::Success(response, attempt);
            }
        }
    }

    /// A 2xx: the body is read here, under the size limit, so that a body that breaks off is
    /// recorded as what it is: a processed request whose answer was lost.
    #[allow(clippy::manual_async_fn, reason = "an async fn would hold the response twice")]
    fn read_success(
        &self,
        mut response: reqwest::Response,
        attempt: u32,
    ) -> impl Future<Output = reqwest::Result<reqwest::Response>> + Send + '_ {
        async move {
            let status = response.status();
            let version = response.version();
            let headers = record_success(status, std::mem::take(response.headers_mut()));
            // The attempt's timeout bounds its body too (`read_capped` reads `within_attempt`).
            let (body, failure) = read_capped(&mut response, self.inner.config.limits.success).await;
            if let Some(failure) = failure {
                let problem = failure.problem();
                tracing::warn!(attempt, status = status.as_u16(), problem = %problem, "success body not read whole");
                with_record(|record| record.failure_mut().success_body_failure = Some((body, problem)));
                // The record keeps what arrived; the generated client gets nothing to decode
                // (decoding a cut body would only cost memory and fail).
                return Ok(rebuilt(status, version, headers, Bytes::new()));
            }
            // In a call, the record keeps the body and the generated code decodes it from there
            // (`response_value`, `kept_body`): the response itself, read to its end and its
            // headers in the record too, only carries the status on, so it is handed on as it
            // is rather than rebuilt. It never leaves the SDK (the call wrapper consumes it), so
            // its URL does not either.
            let mut kept = Some(body);
            with_record(|record| record.success_body = kept.take());
            match kept {
                None => Ok(response),
                Some(body) => Ok(rebuilt(status, version, headers, body)),
            }
        }
    }

    /// [`Runtime::after_failure`], boxed behind a pointer the optimizer does not see through: its
    /// code and its (large) future then stay out of the send loop's stack frame, which every
    /// call's success path runs in, deeper frames (reqwest's) running below it.
    #[inline(never)]
    fn after_failure_boxed<'s>(
        &'s self,
        progress: &'s mut LoopProgress,
        failed: Failed,
        sent_at: Instant,
        spare: Spare<'s>,
    ) -> Pin<Box<dyn Future<Output = Next> + Send + 's>> {
        Box::pin(self.after_failure(progress, failed, sent_at, spare))
    }

    /// What follows an attempt that failed, timed out or was answered with a non-2xx status (the
    /// loop reads a 2xx itself): another attempt (with `spare`, the request's copy) or the call's
    /// final result.
    async fn after_failure(
        &self,
        progress: &mut LoopProgress,
        failed: Failed,
        sent_at: Instant,
        spare: Spare<'_>,
    ) -> Next {
        let attempt = progress.attempt;
        let latency_ms = sent_at.elapsed().as_millis() as u64;
        let attempt_deadline = read_record(|record| record.attempt_deadline).flatten();
        // The attempt is over: what follows (a backoff, fetching or renewing a token) is bounded
        // by the call's deadline only, and reads nothing `within_attempt` would end. The
        // attempt's end still bounds reading this response's body (`finish`, the drain), which
        // set it again.
        with_record(|record| {
            record.attempt_deadline = None;
            record.attempt_timed_out = false;
        });
        let mut response = match failed {
            Failed::Answered(response) => response,
            Failed::NoAnswer(no_answer) => {
                let (error_type, attempted, reason) = match &no_answer {
                    NoAnswer::Transport(error) => {
                        let unprocessed = error.is_connect() || is_refused_unprocessed(error);
                        let error_type = if error.is_timeout() {
                            "timeout"
                        } else if error.is_connect() {
                            "connect"
                        } else {
                            "transport"
                        };
                        let attempted = Attempted::Failed {
                            connect: unprocessed,
                            transient: unprocessed || error.is_timeout() || error.is_request(),
                        };
                        (error_type, attempted, error.to_string())
                    }
                    NoAnswer::TimedOut(timeout) => (
                        "timeout",
                        Attempted::Failed {
                            connect: false,
                            transient: true,
                        },
                        format!("no response within the attempt's timeout of {timeout:?}"),
                    ),
                };
                tracing::debug!(attempt, latency_ms, error = %reason, "attempt failed");
                match self.decide(progress, spare.is_some(), attempted) {
                    Decision::RetryAfter(delay) if spare.is_some() => {
                        tracing::warn!(attempt, delay_ms = delay.as_millis() as u64, reason = %reason, "retrying");
                        tokio::time::sleep(delay).await;
                        if self.retry_budget(progress.operation_id, progress.remaining()).await {
                            if let Some(next) = self.next_request(spare).await {
                                return Next::Send(next);
                            }
                        } else {
                            with_record(|record| record.deadline_reached = true);
                        }
                    }
                    Decision::DeadlineReached => with_record(|record| record.deadline_reached = true),
                    _ if progress.remaining().is_zero() => with_record(|record| record.deadline_reached = true),
                    _ => {}
                }
                // Recorded on the final outcome only, as the conventions ask.
                progress.span.record("error.type", error_type);
                return match no_answer {
                    NoAnswer::Transport(error) => Next::Return(Err(error)),
                    NoAnswer::TimedOut(_) => Next::TimedOut,
                };
            }
        };

        let status = response.status();
        progress.span.record("http.response.status_code", status.as_u16());
        self.inner.budgets.observe(status == StatusCode::TOO_MANY_REQUESTS);
        tracing::debug!(attempt, status = status.as_u16(), latency_ms, "response");

        if status == StatusCode::UNAUTHORIZED
            && !progress.renewed_credentials
            && spare.is_some()
            && self.inner.credentials.renewable()
        {
            let Some(mut next) = self.next_request(spare).await else {
                return Next::Return(self.finish(response, attempt_deadline).await);
            };
            match self.inner.credentials.renew_after_rejection(&mut next).await {
                Ok(true) => {
                    tracing::info!(attempt, "credentials rejected; renewed them, sending once more");
                    progress.renewed_credentials = true;
                    return Next::Send(next);
                }
                Ok(false) => {}
                Err(auth) => {
                    tracing::warn!(error = %auth, "renewing rejected credentials failed");
                    with_record(|record| record.failure_mut().auth_error = Some(auth));
                }
            }
            return Next::Return(self.finish(response, attempt_deadline).await);
        }

        let attempted = Attempted::Answered {
            status,
            headers: response.headers(),
        };
        match self.decide(progress, spare.is_some(), attempted) {
            Decision::RetryAfter(delay) if spare.is_some() => {
                tracing::warn!(
                    attempt,
                    status = status.as_u16(),
                    delay_ms = delay.as_millis() as u64,
                    "retrying"
                );
                tokio::time::sleep(delay).await;
                if !self.retry_budget(progress.operation_id, progress.remaining()).await {
                    with_record(|record| record.deadline_reached = true);
                    return Next::Return(self.finish(response, attempt_deadline).await);
                }
                let Some(next) = self.next_request(spare).await else {
                    return Next::Return(self.finish(response, attempt_deadline).await);
                };
                // Drain the unused body (up to the error limit, within what is left of its
                // attempt) so the connection can be reused.
                with_record(|record| record.attempt_deadline = attempt_deadline);
                let _ = read_capped(&mut response, self.inner.config.limits.error).await;
                with_record(|record| record.attempt_deadline = None);
                Next::Send(next)
            }
            Decision::DeadlineReached => {
                tracing::warn!(attempt, status = status.as_u16(), "deadline reached; not retrying");
                with_record(|record| record.deadline_reached = true);
                Next::Return(self.finish(response, attempt_deadline).await)
            }
            _ => Next::Return(self.finish(response, attempt_deadline).await),
        }
    }

    /// The request for another attempt: the copy, or the request built again with the
    /// `User-Agent` and the credentials put on as the `pre` hook did. `None` when it cannot be
    /// had (the attempt that failed is then the last).
    async fn next_request(&self, spare: Spare<'_>) -> Option<reqwest::Request> {
        match spare {
            Spare::None => None,
            Spare::Copy(request) => Some(request),
            Spare::Rebuild(rebuild) => {
                let mut request = rebuild()?;
                request.headers_mut().insert(USER_AGENT, self.inner.user_agent.clone());
                match self.credentials_on(&mut request).await {
                    Ok(()) => Some(request),
                    Err(auth) => {
                        tracing::warn!(error = %auth, "credentials unavailable for another attempt");
                        with_record(|record| record.failure_mut().auth_error = Some(auth));
                        None
                    }
                }
            }
        }
    }

    /// Takes a retry's rate budget; false when it would end past the deadline.
    async fn retry_budget(&self, operation_id: Option<&str>, remaining: Duration) -> bool {
        match self.inner.budgets.acquire(operation_id.unwrap_or(""), remaining).await {
            Ok(waited) => {
                if !waited.is_zero() {
                    tracing::debug!(wait_ms = waited.as_millis() as u64, "waited for the rate budget");
                }
                true
            }
            Err(no_budget) => {
                tracing::warn!(
                    wait_ms = no_budget.wait.as_millis() as u64,
                    "no rate budget before the deadline; not retrying"
                );
                false
            }
        }
    }

    fn decide(&self, progress: &LoopProgress, can_resend: bool, attempted: Attempted<'_>) -> Decision {
        let progress = Progress {
            attempt: progress.attempt,
            idempotent: progress.idempotent,
            can_resend,
            remaining: progress.remaining(),
            jitter: fastrand::f64(),
        };
        decide(&self.inner.config.retry, progress, attempted)
    }

    /// Buffers a final error response's body (up to the error limit), records it, and rebuilds
    /// the response without its URL. A body that breaks off keeps what arrived: the status is
    /// what matters.
    async fn finish(
        &self,
        mut response: reqwest::Response,
        attempt_deadline: Option<Instant>,
    ) -> reqwest::Result<reqwest::Response> {
        // Within what is left of the response's attempt.
        with_record(|record| record.attempt_deadline = attempt_deadline);
        let status = response.status();
        tracing::Span::current().record("error.type", status.as_str());
        let version = response.version();
        let headers = std::mem::take(response.headers_mut());
        let (body, failure) = read_capped(&mut response, self.inner.config.limits.error).await;
        with_record(|record| {
            record.status = Some(status);
            record.headers = headers.clone();
            let kept = record.failure_mut();
            kept.error_body = Some(body.clone());
            kept.error_body_problem = failure.map(|failure| failure.problem());
        });
        Ok(rebuilt(status, version, headers, body))
    }
}

/// Where the send loop stands, shared with [`Runtime::after_failure`].
struct LoopProgress {
    /// Run through a call wrapper, whose timer ends each attempt (else `reqwest` does).
    in_call: bool,
    span: tracing::Span,
    /// The operation's id for the rate budgets, when run through a call wrapper.
    operation_id: Option<&'static str>,
    /// When the call must end (`None`: too far away to be represented).
    deadline: Option<Instant>,
    idempotent: bool,
    /// The attempt under way, from 1.
    attempt: u32,
    renewed_credentials: bool,
}

impl LoopProgress {
    /// Time left before the deadline.
    fn remaining(&self) -> Duration {
        self.deadline.map_or(Duration::MAX, |deadline| {
            deadline.saturating_duration_since(Instant::now())
        })
    }
}

/// How the send loop's attempts ended.
enum Sent {
    /// A 2xx, its body still to read, on this attempt.
    Success(reqwest::Response, u32),
    /// The call's result: the final error response (buffered) or the transport error.
    Final(reqwest::Result<reqwest::Response>),
    /// The last attempt timed out (only in a call wrapper, whose timer ends attempts).
    TimedOut,
}

/// How an attempt failed.
enum Failed {
    /// An answer with a status other than 2xx.
    Answered(reqwest::Response),
    NoAnswer(NoAnswer),
}

/// Why an attempt got no answer.
enum NoAnswer {
    /// The connection or the exchange failed (or, outside a call wrapper, `reqwest`'s timeout
    /// ended it).
    Transport(reqwest::Error),
    /// The call's timer ended it: no answer within the attempt's timeout.
    TimedOut(Duration),
}

/// What the send loop does after a failed attempt.
enum Next {
    /// Sends this copy of the request.
    Send(reqwest::Request),
    /// Ends the call with this result.
    Return(reqwest::Result<reqwest::Response>),
    /// Ends the call: its last attempt timed out.
    TimedOut,
}

/// What another attempt would send, kept when one is possible.
#[allow(
    clippy::large_enum_variant,
    reason = "made once per attempt and moved once; boxing the copy would allocate for it"
)]
enum Spare<'a> {
    None,
    /// A copy of the request, made before it was sent.
    Copy(reqwest::Request),
    /// The code that built the request (see [`Runtime::execute_rebuildable`]).
    Rebuild(Rebuild<'a>),
}

impl Spare<'_> {
    fn is_some(&self) -> bool {
        !matches!(self, Self::None)
    }
}

/// Builds a request again as its first attempt was built (before the `pre` hook): `None` when it
/// cannot be.
pub type Rebuild<'a> = &'a (dyn Fn() -> Option<reqwest::Request> + Sync);

/// A request's body as every attempt's copy shares it.
enum SharedBody {
    None,
    /// Copied once per call into a reference-counted buffer.
    Bytes(Bytes),
    /// A stream cannot be copied: such a request is sent once.
    Stream,
}

impl SharedBody {
    fn of(request: &reqwest::Request) -> Self {
        match request.body() {
            None => Self::None,
            Some(body) => body
                .as_bytes()
                .map_or(Self::Stream, |bytes| Self::Bytes(Bytes::copy_from_slice(bytes))),
        }
    }
}

/// A copy of `request` for another attempt, sharing `body`. Unlike `Request::try_clone`, it
/// copies no extensions: the only one the SDK's requests carry is the timeout, which the send
/// loop sets before every attempt.
fn retry_copy(request: &reqwest::Request, body: &SharedBody) -> Option<reqwest::Request> {
    let body = match body {
        SharedBody::None => None,
        SharedBody::Bytes(bytes) => Some(reqwest::Body::from(bytes.clone())),
        SharedBody::Stream => return None,
    };
    let mut copy = reqwest::Request::new(request.method().clone(), request.url().clone());
    *copy.headers_mut() = request.headers().clone();
    *copy.version_mut() = request.version();
    *copy.body_mut() = body;
    Some(copy)
}

/// What a rebuilt response gives as its URL: reqwest's own placeholder for a response built
/// without one, parsed once (reqwest would parse it on every call).
static NO_URL: LazyLock<Option<reqwest::Url>> =
    LazyLock::new(|| reqwest::Url::parse("http://no.url.provided.local").ok());

/// A response rebuilt from its parts and a buffered body (and without its URL, which may carry a
/// credential).
fn rebuilt(status: StatusCode, version: http::Version, headers: HeaderMap, body: Bytes) -> reqwest::Response {
    let builder = http::Response::builder();
    let builder = match NO_URL.as_ref() {
        Some(url) => builder.url(url.clone()),
        None => builder,
    };
    // The builder holds no invalid part (status and version are set below), so this never falls
    // back; if it did, reqwest would parse its placeholder itself.
    let mut rebuilt = builder.body(()).unwrap_or_default().map(|()| body);
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    reqwest::Response::from(rebuilt)
}
