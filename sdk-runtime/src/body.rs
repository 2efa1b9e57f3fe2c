//! Response bodies: read with a size limit, and what a success looks like when its body could not
//! be read or decoded (the request was still processed).

use std::fmt;

use bytes::{Bytes, BytesMut};

use crate::record::{AttemptTimedOut, within_attempt};

/// The body of a successful (2xx) response to a write. The server processed the request whatever
/// this holds: an unreadable body is never turned into an error, so a write is never reported as
/// failed (and sent again) after it happened.
#[derive(Clone, Debug, PartialEq)]
pub enum SuccessBody<T> {
    /// The body, decoded.
    Decoded(T),
    /// No body (or only whitespace).
    Empty,
    /// A body that could not be read whole or does not decode; its bytes are kept.
    Unreadable(UnreadableBody),
}

impl<T> SuccessBody<T> {
    /// The decoded value, if there is one.
    pub fn value(&self) -> Option<&T> {
        match self {
            Self::Decoded(value) => Some(value),
            Self::Empty | Self::Unreadable(_) => None,
        }
    }

    /// The decoded value, if there is one.
    pub fn into_value(self) -> Option<T> {
        match self {
            Self::Decoded(value) => Some(value),
            Self::Empty | Self::Unreadable(_) => None,
        }
    }

    /// What could not be read, when the body was unreadable.
    pub fn unreadable(&self) -> Option<&UnreadableBody> {
        match self {
            Self::Unreadable(unreadable) => Some(unreadable),
            Self::Decoded(_) | Self::Empty => None,
        }
    }

    /// Converts the decoded value, keeping the other cases.
    pub fn map<U>(self, map: impl FnOnce(T) -> U) -> SuccessBody<U> {
        match self {
            Self::Decoded(value) => SuccessBody::Decoded(map(value)),
            Self::Empty => SuccessBody::Empty,
            Self::Unreadable(unreadable) => SuccessBody::Unreadable(unreadable),
        }
    }
}

/// Why a success body could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyProblem {
    /// The body arrived whole but is not what the spec describes (the decoder's message, with
    /// credentials scrubbed).
    NotDecodable(String),
    /// The body is longer than [`BodyLimits::success`](crate::BodyLimits::success); reading
    /// stopped at the limit.
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The connection failed while the body was arriving.
    Interrupted(String),
    /// The attempt's time ran out while the body was arriving.
    TimedOut,
}

impl fmt::Display for BodyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotDecodable(reason) => write!(f, "the body does not match the spec: {reason}"),
            Self::TooLarge { limit } => write!(f, "the body is larger than the limit of {limit} bytes"),
            Self::Interrupted(reason) => write!(f, "the connection failed while the body arrived: {reason}"),
            Self::TimedOut => f.write_str("the attempt timed out while the body arrived"),
        }
    }
}

/// A success body the SDK could not use: the bytes that arrived and why. `Debug` shows the length,
/// not the bytes (they may echo a credential).
#[derive(Clone, PartialEq)]
pub struct UnreadableBody {
    raw: Bytes,
    problem: BodyProblem,
}

impl UnreadableBody {
    pub(crate) fn new(raw: Bytes, problem: BodyProblem) -> Self {
        Self { raw, problem }
    }

    /// The bytes that arrived (all of them, or up to where reading stopped), with credentials the
    /// server echoed replaced by [`REDACTED`](crate::REDACTED).
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The bytes as text, when they are UTF-8.
    pub fn raw_text(&self) -> Option<&str> {
        std::str::from_utf8(&self.raw).ok()
    }

    /// Why the body could not be used.
    pub fn problem(&self) -> &BodyProblem {
        &self.problem
    }
}

impl fmt::Debug for UnreadableBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnreadableBody")
            .field("bytes", &self.raw.len())
            .field("problem", &self.problem)
            .finish()
    }
}

impl fmt::Display for UnreadableBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} bytes received)", self.problem, self.raw.len())
    }
}

/// Why reading a body stopped early.
#[derive(Debug)]
pub(crate) enum ReadFailure {
    /// Past the limit; the bytes kept are the first `limit`.
    TooLarge { limit: usize },
    /// The connection failed (or, outside a call wrapper, `reqwest`'s timeout ended the read).
    Transport(reqwest::Error),
    /// The call's timer ended the attempt whose body this is.
    TimedOut,
}

impl ReadFailure {
    pub(crate) fn problem(&self) -> BodyProblem {
        match self {
            Self::TooLarge { limit } => BodyProblem::TooLarge { limit: *limit },
            Self::Transport(error) if error.is_timeout() => BodyProblem::TimedOut,
            Self::TimedOut => BodyProblem::TimedOut,
            Self::Transport(error) => BodyProblem::Interrupted(crate::error::describe_transport(error)),
        }
    }
}

/// Reads `response`'s body, at most `limit` bytes (borrowed, so the read's state holds a pointer
/// rather than a copy of the response). On failure the bytes read so far (at most
/// `limit`) come back with the reason. A body that arrives in one chunk is not copied; one in
/// several is gathered in a buffer sized from `Content-Length` (at most `limit`) when the server
/// sent one, so that it is allocated once. In a call wrapper, the read ends when the attempt does
/// ([`within_attempt`]).
pub(crate) async fn read_capped(response: &mut reqwest::Response, limit: usize) -> (Bytes, Option<ReadFailure>) {
    let expected = response
        .content_length()
        .map(|length| usize::try_from(length).unwrap_or(usize::MAX).min(limit));
    // Announced empty (a 204, a `Content-Length: 0`): nothing to read. hyper has already seen the
    // end of such a body, so the connection stays reusable.
    if expected == Some(0) && response.content_length() == Some(0) {
        return (Bytes::new(), None);
    }
    let seed = |first: Option<Bytes>, buffer: BytesMut| seed(first, buffer, expected);
    let mut first: Option<Bytes> = None;
    let mut buffer = BytesMut::new();
    let mut read = 0usize;
    loop {
        let chunk = match within_attempt(response.chunk()).await {
            Ok(Ok(Some(chunk))) => chunk,
            Ok(Ok(None)) => break,
            Ok(Err(error)) => {
                let kept = join(first, buffer);
                return (kept, Some(ReadFailure::Transport(error.without_url())));
            }
            Err(AttemptTimedOut) => return (join(first, buffer), Some(ReadFailure::TimedOut)),
        };
        let room = limit - read;
        if chunk.len() > room {
            let chunk = chunk.slice(..room);
            let kept = match first.take() {
                None if buffer.is_empty() => chunk,
                earlier => {
                    let mut buffer = seed(earlier, buffer);
                    buffer.extend_from_slice(&chunk);
                    buffer.freeze()
                }
            };
            return (kept, Some(ReadFailure::TooLarge { limit }));
        }
        read += chunk.len();
        match first.take() {
            None if buffer.is_empty() => first = Some(chunk),
            earlier => {
                buffer = seed(earlier, buffer);
                buffer.extend_from_slice(&chunk);
            }
        }
    }
    (join(first, buffer), None)
}

/// The buffer to append to: `buffer`, or a new one holding `first` when only that chunk came yet
/// (with room for `expected` bytes when known, else twice the first chunk).
fn seed(first: Option<Bytes>, buffer: BytesMut, expected: Option<usize>) -> BytesMut {
    match first {
        Some(first) => {
            let capacity = expected.unwrap_or(first.len() * 2).max(first.len());
            let mut seeded = BytesMut::with_capacity(capacity);
            seeded.extend_from_slice(&first);
            seeded
        }
        None => buffer,
    }
}

fn join(first: Option<Bytes>, buffer: BytesMut) -> Bytes {
    match first {
        Some(first) => first,
        None => buffer.freeze(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_body_accessors() {
        let decoded = SuccessBody::Decoded(7);
        assert_eq!(decoded.value(), Some(&7));
        assert_eq!(decoded.clone().map(|v| v * 2).into_value(), Some(14));
        let unreadable: SuccessBody<i32> = SuccessBody::Unreadable(UnreadableBody::new(
            Bytes::from_static(b"{\"trunc"),
            BodyProblem::TimedOut,
        ));
        assert_eq!(unreadable.value(), None);
        let problem = unreadable.unreadable().map(UnreadableBody::problem);
        assert_eq!(problem, Some(&BodyProblem::TimedOut));
        assert_eq!(SuccessBody::<i32>::Empty.into_value(), None);
    }

    #[test]
    fn unreadable_debug_shows_the_length_not_the_bytes() {
        let body = UnreadableBody::new(Bytes::from_static(b"secret-echo"), BodyProblem::TimedOut);
        let shown = format!("{body:?} {body}");
        assert!(!shown.contains("secret-echo"), "{shown}");
        assert!(shown.contains("11"), "{shown}");
        assert_eq!(body.raw_text(), Some("secret-echo"));
    }
}
