//! Retry and timeout settings, shared by every SDK client.

use std::time::Duration;

/// When and how often a failed call is sent again.
///
/// Retried: 408, 429, 502, 503, 504 and connection errors. Idempotent methods (GET, PUT, DELETE,
/// HEAD, OPTIONS) are retried on all of them; POST only when the server certainly did not process
/// it (the connection was never made, 429, 503), unless [`RetryPolicy::retry_non_idempotent`] is
/// set. A request whose body cannot be cloned (a stream) is sent once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first one included. `1` disables retries. Default 3.
    pub max_attempts: u32,
    /// Backoff before the first retry; doubled before each further one. Default 200 ms.
    pub initial_backoff: Duration,
    /// Upper bound of one backoff (a server's `Retry-After` may ask for more, up to the deadline).
    /// Default 10 s.
    pub max_backoff: Duration,
    /// Also retry POST on 408, 500-class gateway errors and timeouts, accepting the risk of a
    /// duplicate. Default false.
    pub retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// A policy that sends every request exactly once.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Full-jitter exponential backoff before retry number `retry` (1 for the first retry): a
    /// random delay between half and all of `initial * 2^(retry-1)`, capped by `max_backoff`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exponent = retry.saturating_sub(1).min(20);
        let ceiling = self.initial_backoff.saturating_mul(1 << exponent).min(self.max_backoff);
        let half = ceiling / 2;
        half + ceiling.saturating_sub(half).mul_f64(fastrand::f64())
    }
}

/// How long a call may take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing the TCP/TLS connection. Default 10 s.
    pub connect: Duration,
    /// One attempt, from sending the request to the end of the response body. Default 30 s.
    pub attempt: Duration,
    /// The whole call: every attempt and every backoff. Default 120 s.
    pub deadline: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            attempt: Duration::from_secs(30),
            deadline: Duration::from_secs(120),
        }
    }
}

/// Everything about a client's behaviour that is not the provider or the credentials.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientConfig {
    /// Retries.
    pub retry: RetryPolicy,
    /// Timeouts.
    pub timeouts: Timeouts,
    /// Appended to the `User-Agent` (`sdk-<provider>/<version> <suffix>`), e.g. your application's
    /// name and version.
    pub user_agent_suffix: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(300),
            ..RetryPolicy::default()
        };
        for _ in 0..50 {
            let first = policy.backoff(1);
            assert!(
                first >= Duration::from_millis(50) && first <= Duration::from_millis(100),
                "{first:?}"
            );
            let third = policy.backoff(3);
            assert!(
                third >= Duration::from_millis(150) && third <= Duration::from_millis(300),
                "{third:?}"
            );
            assert!(policy.backoff(30) <= Duration::from_millis(300));
        }
    }
}
