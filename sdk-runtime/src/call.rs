//! The call wrappers facades run each generated (or hand-written) call through: they scope the
//! call record, enforce the whole-call deadline, and turn what happened into a [`Reply`] or one
//! typed [`Error`]. A 2xx is a processed request: a write succeeds whatever its body.

use std::future::Future;

use bytes::Bytes;
use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use crate::body::{BodyProblem, SuccessBody, UnreadableBody};
use crate::error::{Error, ErrorKind, RequestOutcome, describe_transport};
use crate::hooks::Rebuild;
use crate::operation::OperationSpec;
use crate::record::{CallFacts, CallRecord, scoped};
use crate::reply::{RawReply, Reply};
use crate::response::{BodyNotRead, in_memory_body};
use crate::runtime::Runtime;
use crate::secret::{MIN_SCRUBBED_LEN, scrub};
use crate::then::Then;

impl Runtime {
    /// Runs one generated read: scopes the call record the hooks fill in, enforces the whole-call
    /// deadline, and turns whatever went wrong into one typed [`Error`], decoding the provider's
    /// error body as `E` from the raw text. A 2xx body that is empty or does not decode (after a
    /// second try without `null`s) is an [`ErrorKind::Decode`] error carrying the 2xx status.
    ///
    /// For writes use [`Runtime::call_write`]: a processed write is never reported as an error.
    pub fn call<T, G, E>(
        &self,
        operation: &'static OperationSpec,
        call: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<G>>>,
    ) -> impl Future<Output = Result<Reply<T>, Error<E>>>
    where
        T: DeserializeOwned,
        E: DeserializeOwned + std::fmt::Debug,
    {
        let scope = scoped(operation, self.inner.config.timeouts.deadline, call);
        Then::new(scope, move |(outcome, record)| {
            let facts = CallFacts::of(&record);
            let Reply { value, status, headers } = self.settle(operation, outcome, record)?;
            match value {
                SuccessBody::Decoded(value) => Ok(Reply { value, status, headers }),
                SuccessBody::Empty => Err(self.unreadable_error(
                    operation,
                    status,
                    headers,
                    UnreadableBody::new(Bytes::new(), BodyProblem::NotDecodable("the body is empty".into())),
                    facts,
                )),
                SuccessBody::Unreadable(unreadable) => {
                    Err(self.unreadable_error(operation, status, headers, unreadable, facts))
                }
            }
        })
    }

    /// Like [`Runtime::call`], for reads whose success may come without a body: a 2xx with an
    /// empty body, or a 2xx status the generated client does not expect (marked `x-sdk-facade` in
    /// the spec), gives `None`; a 2xx body that decodes as `T` gives `Some`; any other 2xx body is
    /// an error carrying the 2xx status.
    pub fn call_optional<T, G, E>(
        &self,
        operation: &'static OperationSpec,
        call: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<G>>>,
    ) -> impl Future<Output = Result<Reply<Option<T>>, Error<E>>>
    where
        T: DeserializeOwned,
        E: DeserializeOwned + std::fmt::Debug,
    {
        let scope = scoped(operation, self.inner.config.timeouts.deadline, call);
        Then::new(scope, move |(outcome, record)| {
            let facts = CallFacts::of(&record);
            let Reply { value, status, headers } = self.settle(operation, outcome, record)?;
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
                    Err(self.unreadable_error(operation, status, headers, unreadable, facts))
                }
            }
        })
    }

    /// Runs one generated write (a request that changes something on the server). Once the server
    /// answered 2xx the write happened, so the call succeeds whatever the body: decoded, empty, or
    /// [`SuccessBody::Unreadable`] with the bytes that arrived (too large, broken off, timed out,
    /// or not what the spec describes; a warning goes to tracing). Errors are as for
    /// [`Runtime::call`], and say in [`Error::outcome`] whether the write may have happened.
    pub fn call_write<T, G, E>(
        &self,
        operation: &'static OperationSpec,
        call: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<G>>>,
    ) -> impl Future<Output = Result<Reply<SuccessBody<T>>, Error<E>>>
    where
        T: DeserializeOwned,
        E: DeserializeOwned + std::fmt::Debug,
    {
        let scope = scoped(operation, self.inner.config.timeouts.deadline, call);
        Then::new(scope, move |(outcome, record)| self.settle(operation, outcome, record))
    }

    /// What a scoped generated call came to: any 2xx is a success, whatever became of its body.
    fn settle<T, G, E>(
        &self,
        operation: &'static OperationSpec,
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
                None => Err(self.timeout_error(operation, &record)),
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
                Some(Err(error)) => Err(self.convert(operation, error, record, decode_json)),
            };
        };
        if let Some((raw, problem)) = record
            .failure
            .as_mut()
            .and_then(|failure| failure.success_body_failure.take())
        {
            return Ok(Reply {
                value: SuccessBody::Unreadable(self.unreadable(operation, raw, problem)),
                status,
                headers: record.headers,
            });
        }
        let body = match outcome {
            // A timeout ended the call while the body was arriving.
            None => SuccessBody::Unreadable(self.unreadable(operation, Bytes::new(), BodyProblem::TimedOut)),
            Some(Ok(value)) => {
                let headers = record.take_headers(value.headers());
                return Ok(Reply {
                    value: SuccessBody::Decoded(value.into_inner()),
                    status,
                    headers,
                });
            }
            Some(Err(Generated::InvalidResponsePayload(body, error))) => {
                self.lenient_body(operation, body, || error.to_string())
            }
            Some(Err(Generated::UnexpectedResponse(response))) => {
                match kept_body(&mut record, response) {
                    // A 204 (or any 2xx the generated client has no body type for) usually
                    // comes empty: no decode attempt, no decode error to build.
                    Ok(body) if body.iter().all(u8::is_ascii_whitespace) => SuccessBody::Empty,
                    Ok(body) => match crate::tolerant::from_slice(&body) {
                        Ok(value) => SuccessBody::Decoded(value),
                        Err(error) => self.lenient_body(operation, body, || error.to_string()),
                    },
                    Err(reason) => SuccessBody::Unreadable(self.unreadable(
                        operation,
                        Bytes::new(),
                        BodyProblem::Interrupted(reason),
                    )),
                }
            }
            Some(Err(error)) => return Err(self.convert(operation, error, record, decode_json)),
        };
        Ok(Reply {
            value: body,
            status,
            headers: record.headers,
        })
    }

    /// A 2xx body the generated type rejected: empty, or decoded without its `null`s, or kept as
    /// unreadable.
    // Off the success path and out of line, so that its locals stay out of every call's frame.
    #[cold]
    #[inline(never)]
    fn lenient_body<T: DeserializeOwned>(
        &self,
        operation: &'static OperationSpec,
        body: Bytes,
        reason: impl FnOnce() -> String,
    ) -> SuccessBody<T> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return SuccessBody::Empty;
        }
        match decode_ignoring_nulls(&body) {
            Some(value) => SuccessBody::Decoded(value),
            None => SuccessBody::Unreadable(self.unreadable(operation, body, BodyProblem::NotDecodable(reason()))),
        }
    }

    /// A success body the SDK cannot use, with credentials the server echoed scrubbed from the
    /// bytes and the reason, and a warning in tracing: the request succeeded all the same.
    // Off the success path and out of line, so that its locals stay out of every call's frame.
    #[cold]
    #[inline(never)]
    pub fn unreadable(&self, operation: &'static OperationSpec, raw: Bytes, problem: BodyProblem) -> UnreadableBody {
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
            operation_id = operation.operation_id,
            bytes = raw.len(),
            problem = %problem,
            "the request succeeded, but its response body could not be used"
        );
        UnreadableBody::new(raw, problem)
    }

    /// The error a read gets for a 2xx body it cannot use: the kind follows the problem, the
    /// status is the 2xx (so [`Error::outcome`] is [`RequestOutcome::Processed`]).
    // Off the success path and out of line, so that its locals stay out of every call's frame.
    #[cold]
    #[inline(never)]
    fn unreadable_error<E: std::fmt::Debug>(
        &self,
        operation: &'static OperationSpec,
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
        Error::new(kind, self.inner.provider.name, operation.operation_id, message)
            .with_response(status, headers, Some(raw), |_| None, &[])
            .with_attempts(facts.attempts)
            .with_idempotent(facts.idempotent)
    }

    /// Sends a hand-written request (one the generator cannot express, such as XML) through the
    /// same credentials, retries, timeouts and tracing, reading the body in full (up to the
    /// limit). Error bodies are decoded with `decode_error`. Any 2xx is a success: a body that
    /// could not be read whole comes back with [`RawReply::problem`] set.
    pub fn send_raw<'a, E: std::fmt::Debug + 'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: &'static OperationSpec,
        decode_error: fn(&[u8]) -> Option<E>,
    ) -> impl Future<Output = Result<RawReply, Error<E>>> + 'a {
        self.send_raw_rebuildable(client, request, None, operation, decode_error)
    }

    /// [`send_raw`](Self::send_raw) for a request the caller can build again: another attempt
    /// sends what `rebuild` gives instead of a copy made before the first attempt (see
    /// [`execute_rebuildable`](Self::execute_rebuildable)).
    #[doc(hidden)]
    pub fn send_raw_rebuildable<'a, E: std::fmt::Debug + 'a>(
        &'a self,
        client: &'a reqwest::Client,
        mut request: reqwest::Request,
        rebuild: Option<Rebuild<'a>>,
        operation: &'static OperationSpec,
        decode_error: fn(&[u8]) -> Option<E>,
    ) -> impl Future<Output = Result<RawReply, Error<E>>> + 'a {
        let exchange = async move {
            self.prepare::<()>(&mut request, operation.generated_id).await?;
            let response = self
                .execute_rebuildable(client, request, operation.generated_id, rebuild)
                .await
                .map_err(progenitor_client::Error::CommunicationError)?;
            let status = response.status();
            if status.is_success() {
                // Its body is read once the call is over, from the record.
                Ok(response)
            } else {
                Err(progenitor_client::Error::ErrorResponse(ResponseValue::new(
                    (),
                    status,
                    HeaderMap::new(),
                )))
            }
        };
        let scope = scoped(operation, self.inner.config.timeouts.deadline, exchange);
        Then::new(
            scope,
            move |(outcome, mut record): (Option<Result<reqwest::Response, _>>, CallRecord)| {
                let Some(status) = record.status.filter(StatusCode::is_success) else {
                    return Err(match outcome {
                        None => self.timeout_error(operation, &record),
                        Some(Err(error)) => self.convert(operation, error, record, decode_error),
                        // Unreachable: a success goes through the hooks, which record its status.
                        Some(Ok(_)) => Error::new(
                            ErrorKind::Transport,
                            self.inner.provider.name,
                            operation.operation_id,
                            "the response was not seen by the runtime",
                        ),
                    });
                };
                let (body, problem) = match (
                    record
                        .failure
                        .as_mut()
                        .and_then(|failure| failure.success_body_failure.take()),
                    outcome,
                ) {
                    (Some((raw, problem)), _) => (raw, Some(problem)),
                    (None, Some(Ok(response))) => match kept_body(&mut record, response) {
                        Ok(body) => (body, None),
                        Err(reason) => (Bytes::new(), Some(BodyProblem::Interrupted(reason))),
                    },
                    (None, None) => (Bytes::new(), Some(BodyProblem::TimedOut)),
                    (None, Some(Err(error))) => (Bytes::new(), Some(BodyProblem::Interrupted(error.to_string()))),
                };
                if let Some(problem) = &problem {
                    tracing::warn!(provider = self.inner.provider.name, operation_id = operation.operation_id, problem = %problem, "the request succeeded, but its response body could not be read whole");
                }
                Ok(RawReply {
                    status,
                    headers: record.headers,
                    body,
                    attempts: record.attempts,
                    problem,
                })
            },
        )
    }

    /// The error of a call its timer ended: the last attempt's timeout (no retry followed), or
    /// the whole call's deadline.
    // Off the success path and out of line, so that its locals stay out of every call's frame.
    #[cold]
    #[inline(never)]
    fn timeout_error<E>(&self, operation: &'static OperationSpec, record: &CallRecord) -> Error<E> {
        let timeouts = &self.inner.config.timeouts;
        let outcome = if record.attempts == 0 {
            RequestOutcome::NotSent
        } else {
            RequestOutcome::Unknown
        };
        let message = match (record.timed_out, record.deadline_reached) {
            (true, false) => format!("no response within the attempt's timeout of {:?}", timeouts.attempt),
            (true, true) => format!(
                "no response within the attempt's timeout (the call's deadline of {:?} ended the retries)",
                timeouts.deadline
            ),
            (false, _) => format!("the call's deadline of {:?} ran out", timeouts.deadline),
        };
        Error::new(
            ErrorKind::Timeout,
            self.inner.provider.name,
            operation.operation_id,
            message,
        )
        .with_outcome(outcome)
        .with_attempts(record.attempts)
        .with_idempotent(record.idempotent)
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

/// The body of a 2xx the hooks read: the copy they kept in the record, else read from the
/// response they rebuilt around it. Why it could not be read otherwise.
fn kept_body(record: &mut CallRecord, response: reqwest::Response) -> Result<Bytes, String> {
    match record.success_body.take() {
        Some(body) => Ok(body),
        None => buffered_body(response),
    }
}

/// The body of a response the hooks rebuilt around the bytes they read, or why it could not be
/// read.
fn buffered_body(response: reqwest::Response) -> Result<Bytes, String> {
    in_memory_body(response).map_err(|problem| match problem {
        BodyNotRead::Failed(error) => describe_transport(&error.without_url()),
        BodyNotRead::NotInMemory => "the body was not in memory".into(),
    })
}

fn decode_json<E: DeserializeOwned>(body: &[u8]) -> Option<E> {
    serde_json::from_slice(body).ok()
}
