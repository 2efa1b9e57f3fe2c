//! The retry decision, as a pure function of what an attempt came to: the send loop in the hooks
//! only asks it whether, and after how long, to send again.

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};

use crate::config::RetryPolicy;

/// Statuses worth sending again: 408, 429, 502, 503, 504.
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 502 | 503 | 504)
}

/// Statuses that say the server did not process the request, so that even a non-idempotent
/// request may be sent again: 429 and 503.
fn status_means_unprocessed(status: StatusCode) -> bool {
    matches!(status, StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE)
}

/// Methods whose second send has the effect of the first (RFC 9110 §9.2.2).
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::PUT | Method::DELETE | Method::HEAD | Method::OPTIONS
    )
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

/// What an attempt came to, as far as retrying is concerned.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Attempted<'a> {
    /// The server answered with an error status.
    Answered { status: StatusCode, headers: &'a HeaderMap },
    /// No answer came.
    Failed {
        /// Nothing was processed: no connection was made, or the server refused the request
        /// unprocessed (see [`is_refused_unprocessed`]).
        connect: bool,
        /// A failure worth another try (a connection error, a timeout, a request that broke off).
        transient: bool,
    },
}

/// Where the call stands when the attempt ended.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Progress {
    /// The attempt that just ended (1 for the first).
    pub attempt: u32,
    /// Whether the request's method makes a second send harmless.
    pub idempotent: bool,
    /// Whether a copy of the request exists to send again (a streamed body has none).
    pub can_resend: bool,
    /// Time left before the call's deadline.
    pub remaining: Duration,
    /// A number in `0..1` that places the backoff within its jitter range.
    pub jitter: f64,
}

/// What to do after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Send again after this delay.
    RetryAfter(Duration),
    /// Keep this result: it is final, not worth another try, or not safe to send again.
    Stop,
    /// Another attempt was warranted, but its delay would end past the deadline.
    DeadlineReached,
}

/// Whether to send again after `attempted`: the failure must be transient, a second send must not
/// risk applying the request twice, an attempt and a copy of the request must be left, and the
/// delay (`Retry-After`, else the backoff) must end before the deadline.
pub(crate) fn decide(policy: &RetryPolicy, progress: Progress, attempted: Attempted<'_>) -> Decision {
    let may_duplicate_safely = progress.idempotent || policy.retry_non_idempotent;
    let (transient, safe, asked_delay) = match attempted {
        Attempted::Answered { status, headers } => (
            is_retryable_status(status),
            may_duplicate_safely || status_means_unprocessed(status),
            retry_after(headers),
        ),
        Attempted::Failed { connect, transient } => (transient, may_duplicate_safely || connect, None),
    };
    if !(transient && safe && progress.can_resend && progress.attempt < policy.max_attempts) {
        return Decision::Stop;
    }
    let delay = asked_delay.unwrap_or_else(|| policy.backoff_at(progress.attempt, progress.jitter));
    if delay >= progress.remaining {
        Decision::DeadlineReached
    } else {
        Decision::RetryAfter(delay)
    }
}

/// Whether an HTTP/2 server refused the request before processing it: a `REFUSED_STREAM` reset,
/// or a graceful `GOAWAY` (`NO_ERROR`) that left it unprocessed. Sending it again is safe
/// whatever the method (RFC 9113, section 8.7). The SDK's HTTP clients have `reqwest`'s own
/// retries turned off, so that every attempt goes through the send loop; this keeps the one case
/// those retries covered.
pub(crate) fn is_refused_unprocessed(error: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(h2) = cause.downcast_ref::<h2::Error>() {
            let refused = h2.is_reset() && h2.reason() == Some(h2::Reason::REFUSED_STREAM);
            let going_away = h2.is_go_away() && h2.reason() == Some(h2::Reason::NO_ERROR);
            return h2.is_remote() && (refused || going_away);
        }
        source = cause.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            retry_non_idempotent: false,
        }
    }

    fn progress(attempt: u32, idempotent: bool) -> Progress {
        Progress {
            attempt,
            idempotent,
            can_resend: true,
            remaining: Duration::from_secs(60),
            jitter: 1.0,
        }
    }

    fn answered(status: u16, headers: &HeaderMap) -> Attempted<'_> {
        Attempted::Answered {
            status: StatusCode::from_u16(status).unwrap(),
            headers,
        }
    }

    #[test]
    fn idempotent_requests_are_retried_on_transient_statuses_with_backoff() {
        let none = HeaderMap::new();
        for status in [408, 429, 502, 503, 504] {
            assert_eq!(
                decide(&policy(), progress(1, true), answered(status, &none)),
                Decision::RetryAfter(Duration::from_millis(100)),
                "{status}"
            );
        }
        assert_eq!(
            decide(&policy(), progress(2, true), answered(503, &none)),
            Decision::RetryAfter(Duration::from_millis(200))
        );
        for status in [400, 401, 404, 409, 422, 500, 501] {
            assert_eq!(
                decide(&policy(), progress(1, true), answered(status, &none)),
                Decision::Stop
            );
        }
    }

    #[test]
    fn a_post_is_retried_only_when_the_server_did_not_process_it() {
        let none = HeaderMap::new();
        for status in [429, 503] {
            assert!(matches!(
                decide(&policy(), progress(1, false), answered(status, &none)),
                Decision::RetryAfter(_)
            ));
        }
        for status in [408, 502, 504] {
            assert_eq!(
                decide(&policy(), progress(1, false), answered(status, &none)),
                Decision::Stop
            );
        }
        let timed_out = Attempted::Failed {
            connect: false,
            transient: true,
        };
        assert_eq!(decide(&policy(), progress(1, false), timed_out), Decision::Stop);
        let refused = Attempted::Failed {
            connect: true,
            transient: true,
        };
        assert!(matches!(
            decide(&policy(), progress(1, false), refused),
            Decision::RetryAfter(_)
        ));
        let opted_in = RetryPolicy {
            retry_non_idempotent: true,
            ..policy()
        };
        assert!(matches!(
            decide(&opted_in, progress(1, false), timed_out),
            Decision::RetryAfter(_)
        ));
    }

    #[test]
    fn retry_after_is_honoured_and_the_deadline_and_attempts_bound_the_loop() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(
            decide(&policy(), progress(1, true), answered(429, &headers)),
            Decision::RetryAfter(Duration::from_secs(7))
        );
        let short = Progress {
            remaining: Duration::from_secs(5),
            ..progress(1, true)
        };
        assert_eq!(
            decide(&policy(), short, answered(429, &headers)),
            Decision::DeadlineReached
        );
        let none = HeaderMap::new();
        assert_eq!(
            decide(&policy(), progress(3, true), answered(503, &none)),
            Decision::Stop
        );
        let streamed = Progress {
            can_resend: false,
            ..progress(1, true)
        };
        assert_eq!(decide(&policy(), streamed, answered(503, &none)), Decision::Stop);
        let not_transient = Attempted::Failed {
            connect: false,
            transient: false,
        };
        assert_eq!(decide(&policy(), progress(1, true), not_transient), Decision::Stop);
    }

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
    fn retryable_statuses() {
        for status in [408, 429, 502, 503, 504] {
            assert!(is_retryable_status(StatusCode::from_u16(status).unwrap()));
        }
        for status in [400, 401, 404, 409, 422, 500] {
            assert!(!is_retryable_status(StatusCode::from_u16(status).unwrap()));
        }
    }
}
