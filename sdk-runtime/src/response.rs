//! Reading the responses the hooks hand back to the generated clients. The hooks read every body
//! before the generated code sees the response (under the size limit, for the retry decision and
//! the error's raw text): a 2xx body in a call goes to the call's record (the response handed on
//! has been read to its end), any other body into a response rebuilt around it. Either way the
//! body is in memory, and the generated code decodes it without an `await`.

use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use progenitor_client::{Error as GeneratedError, ResponseValue};
use serde::de::DeserializeOwned;

use crate::record::take_success_body;

/// What the generated clients decode a JSON response with, in place of progenitor's
/// `ResponseValue::from_response(response).await` (`cargo xtask generate` writes the call): the
/// same result, from the body in memory. Not part of the public API.
#[allow(
    clippy::result_large_err,
    reason = "progenitor's error type, which the generated code returns"
)]
pub fn response_value<T: DeserializeOwned, E>(
    response: reqwest::Response,
) -> Result<ResponseValue<T>, GeneratedError<E>> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = match status.is_success().then(take_success_body).flatten() {
        Some(body) => body,
        None => match in_memory_body(response) {
            Ok(body) => body,
            Err(BodyNotRead::Failed(error)) => return Err(GeneratedError::ResponseBodyError(error)),
            Err(BodyNotRead::NotInMemory) => {
                let error = <serde_json::Error as serde::de::Error>::custom(
                    "the response body was not read by the SDK's hooks (not in memory)",
                );
                return Err(GeneratedError::InvalidResponsePayload(Bytes::new(), error));
            }
        },
    };
    match crate::tolerant::from_slice(&body) {
        Ok(inner) => Ok(ResponseValue::new(inner, status, headers)),
        Err(error) => Err(GeneratedError::InvalidResponsePayload(body, error)),
    }
}

/// Why [`in_memory_body`] has no body.
#[derive(Debug)]
pub(crate) enum BodyNotRead {
    /// Reading it failed.
    Failed(reqwest::Error),
    /// It was not in memory: a response the hooks did not rebuild.
    NotInMemory,
}

/// The body of a response the hooks rebuilt around the bytes they read: it is in memory, so it is
/// ready at the first poll.
pub(crate) fn in_memory_body(response: reqwest::Response) -> Result<Bytes, BodyNotRead> {
    let mut body = std::pin::pin!(response.bytes());
    match body.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(Ok(body)) => Ok(body),
        Poll::Ready(Err(error)) => Err(BodyNotRead::Failed(error)),
        Poll::Pending => Err(BodyNotRead::NotInMemory),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;

    fn response(status: u16, body: reqwest::Body) -> reqwest::Response {
        let mut response = http::Response::new(body);
        *response.status_mut() = StatusCode::from_u16(status).expect("a status");
        response
            .headers_mut()
            .insert("x-request-id", "r-1".parse().expect("a value"));
        reqwest::Response::from(response)
    }

    #[test]
    fn decodes_the_body_in_memory_with_the_status_and_headers() {
        let value = response_value::<serde_json::Value, ()>(response(200, r#"{"id":7}"#.into())).expect("decodes");
        assert_eq!(value.status(), StatusCode::OK);
        assert_eq!(value.headers()["x-request-id"], "r-1");
        assert_eq!(value.into_inner(), serde_json::json!({"id": 7}));
        let error = response_value::<serde_json::Value, ()>(response(404, r#"{"error":"gone"}"#.into()));
        assert_eq!(error.expect("an error body decodes too").into_inner()["error"], "gone");
    }

    #[test]
    fn a_body_that_does_not_decode_is_kept_with_the_error() {
        match response_value::<u32, ()>(response(200, "not json".into())) {
            Err(GeneratedError::InvalidResponsePayload(body, _)) => assert_eq!(body, "not json"),
            other => panic!("expected InvalidResponsePayload, got {other:?}"),
        }
    }

    #[test]
    fn a_body_not_in_memory_is_an_error_not_a_wait() {
        let pending = futures_util::stream::pending::<Result<Bytes, std::io::Error>>();
        match response_value::<u32, ()>(response(200, reqwest::Body::wrap_stream(pending))) {
            Err(GeneratedError::InvalidResponsePayload(body, error)) => {
                assert!(body.is_empty());
                assert!(error.to_string().contains("not in memory"), "{error}");
            }
            other => panic!("expected InvalidResponsePayload, got {other:?}"),
        }
    }
}
