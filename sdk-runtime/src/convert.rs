//! Turning what went wrong in a call into one typed [`Error`]: transport failures, error
//! statuses with their bodies, credentials that could not be obtained.

use reqwest::StatusCode;

use crate::error::{Error, ErrorKind, RequestOutcome, describe_transport};
use crate::operation::OperationSpec;
use crate::record::{CallFacts, CallRecord};
use crate::runtime::Runtime;

impl Runtime {
    // Off the success path and out of line, so that its locals stay out of every call's frame.
    #[cold]
    #[inline(never)]
    pub(crate) fn convert<G, E: std::fmt::Debug>(
        &self,
        operation: &'static OperationSpec,
        error: progenitor_client::Error<G>,
        record: CallRecord,
        decode: fn(&[u8]) -> Option<E>,
    ) -> Error<E> {
        use progenitor_client::Error as Generated;
        let provider = self.inner.provider.name;
        let operation_id = operation.operation_id;
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
            Generated::Custom(message) => match (
                record.failed().and_then(|failure| failure.auth_error.clone()),
                record.failed().and_then(|failure| failure.no_budget),
            ) {
                (Some(auth), _) => {
                    Error::new(ErrorKind::Auth, provider, operation_id, auth.to_string()).with_auth(auth)
                }
                (None, Some(_)) => Error::new(ErrorKind::Timeout, provider, operation_id, message)
                    .with_outcome(RequestOutcome::NotSent),
                (None, None) => Error::new(ErrorKind::InvalidRequest, provider, operation_id, message),
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
                    self.api_error(operation, status, record, decode, &secrets)
                }
            }
            Generated::ErrorResponse(value) => {
                let status = value.status();
                self.api_error(operation, status, record, decode, &secrets)
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
                    self.api_error(operation, status, record, decode, &secrets)
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
        operation: &'static OperationSpec,
        status: StatusCode,
        mut record: CallRecord,
        decode: fn(&[u8]) -> Option<E>,
        secrets: &[&str],
    ) -> Error<E> {
        let mut message = status.canonical_reason().unwrap_or("error status").to_string();
        if let Some(problem) = record.failed().and_then(|failure| failure.error_body_problem.as_ref()) {
            message.push_str(&format!(" (error body incomplete: {problem})"));
        }
        if record.deadline_reached {
            message.push_str(" (the call's deadline ended the retries)");
        }
        let mut error = Error::new(
            ErrorKind::Api,
            self.inner.provider.name,
            operation.operation_id,
            message,
        );
        if let Some(auth) = record.failed().and_then(|failure| failure.auth_error.clone()) {
            error = error.with_auth(auth);
        }
        // A cut-off body is not decoded: its start could decode into a misleading value.
        let complete = record
            .failed()
            .and_then(|failure| failure.error_body_problem.as_ref())
            .is_none();
        let body = record.failure.as_mut().and_then(|failure| failure.error_body.take());
        error.with_response(
            status,
            record.headers,
            body,
            |body| if complete { decode(body) } else { None },
            secrets,
        )
    }
}
