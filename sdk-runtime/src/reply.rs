//! A successful call's result: the value with the response's status and headers.

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::body::BodyProblem;

/// Header names providers use for a request or correlation id, most specific first.
const REQUEST_ID_HEADERS: &[&str] = &[
    "x-correlation-id",
    "x-request-id",
    "request-id",
    "x-amzn-requestid",
    "traceparent",
];

/// The provider's request or correlation id among `headers`.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<&str> {
    REQUEST_ID_HEADERS
        .iter()
        .find_map(|name| headers.get(*name).and_then(|v| v.to_str().ok()))
}

/// A successful call's value, with the response's status and headers: the one result wrapper of
/// every SDK call.
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
    /// The provider's request or correlation id (`x-correlation-id`, `x-request-id`, ...), to quote
    /// to its support.
    pub fn request_id(&self) -> Option<&str> {
        request_id(&self.headers)
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

impl<T> std::ops::Deref for Reply<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

/// Iterates over a list result's items (`for item in client.status_history(id).await? { .. }`).
impl<T: IntoIterator> IntoIterator for Reply<T> {
    type Item = T::Item;
    type IntoIter = T::IntoIter;

    fn into_iter(self) -> T::IntoIter {
        self.value.into_iter()
    }
}

/// Iterates over a borrowed list result's items.
impl<'a, T> IntoIterator for &'a Reply<T>
where
    &'a T: IntoIterator,
{
    type Item = <&'a T as IntoIterator>::Item;
    type IntoIter = <&'a T as IntoIterator>::IntoIter;

    fn into_iter(self) -> Self::IntoIter {
        (&self.value).into_iter()
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
