//! The response Iopole expects for each outcome of a delivery.

use bytes::Bytes;

/// How to answer a delivery. Iopole treats any 2xx as received and retries a 5xx or a 429; it
/// refuses a plain-text body (`OK`). So: an empty body for success, a small JSON body otherwise,
/// and never 429 (whose retries would only add load).
///
/// ```
/// use sdk_iopole::webhook::Answer;
///
/// let response = Answer::Duplicate.into_response();
/// assert_eq!(response.status(), 204);
/// assert!(response.body().is_empty());
/// let refused = Answer::Unauthorized.into_response();
/// assert_eq!(refused.status(), 401);
/// assert_eq!(refused.headers()["content-type"], "application/json");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Answer {
    /// Verified and handled (or recorded): `204 No Content`.
    Accepted,
    /// Verified, already handled before (a redelivery, or a status the pull path brought):
    /// `204 No Content`, so Iopole stops redelivering.
    Duplicate,
    /// A check failed (see [`VerifyError`](super::VerifyError)); nothing was recorded:
    /// `401` with `{"error":"unauthorized"}`.
    Unauthorized,
    /// Verified, but the handler failed or the same delivery is being handled right now:
    /// `503` with `{"error":"retry later"}`, so Iopole delivers it again later (its retry
    /// strategy decides when).
    RetryLater,
}

impl Answer {
    /// The HTTP status.
    pub fn status(self) -> http::StatusCode {
        match self {
            Self::Accepted | Self::Duplicate => http::StatusCode::NO_CONTENT,
            Self::Unauthorized => http::StatusCode::UNAUTHORIZED,
            Self::RetryLater => http::StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The body: empty for a 2xx, a JSON object otherwise.
    pub fn body(self) -> &'static str {
        match self {
            Self::Accepted | Self::Duplicate => "",
            Self::Unauthorized => r#"{"error":"unauthorized"}"#,
            Self::RetryLater => r#"{"error":"retry later"}"#,
        }
    }

    /// The `Content-Type` to send with the body, when there is one.
    pub fn content_type(self) -> Option<&'static str> {
        (!self.body().is_empty()).then_some("application/json")
    }

    /// True for the answers Iopole counts as received.
    pub fn is_success(self) -> bool {
        self.status().is_success()
    }

    /// The whole response.
    pub fn into_response(self) -> http::Response<Bytes> {
        let mut response = http::Response::new(Bytes::from_static(self.body().as_bytes()));
        *response.status_mut() = self.status();
        if let Some(content_type) = self.content_type() {
            response
                .headers_mut()
                .insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static(content_type));
        }
        response
    }
}
