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

    /// Exponential backoff with jitter before retry number `retry` (1 for the first retry): a
    /// random delay between half and all of `initial * 2^(retry-1)`, capped by `max_backoff`.
    pub fn backoff(&self, retry: u32) -> Duration {
        self.backoff_at(retry, fastrand::f64())
    }

    /// [`RetryPolicy::backoff`] with the jitter given: `unit` in `0..=1` places the delay between
    /// half (0) and all (1) of the ceiling.
    pub fn backoff_at(&self, retry: u32, unit: f64) -> Duration {
        let exponent = retry.saturating_sub(1).min(20);
        let ceiling = self.initial_backoff.saturating_mul(1 << exponent).min(self.max_backoff);
        let half = ceiling / 2;
        half + ceiling.saturating_sub(half).mul_f64(unit.clamp(0.0, 1.0))
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

/// How much of a response body the SDK reads before it stops. Bodies are read into memory whole
/// (to decode them, and to keep an error's text), so these bound what one call can allocate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BodyLimits {
    /// A success (2xx) body. Past it the call fails with
    /// [`ErrorKind::BodyTooLarge`](crate::ErrorKind::BodyTooLarge) (a write is still reported as
    /// processed). Default 64 MiB: an Iopole status history of tens of thousands of entries fits.
    pub success: usize,
    /// An error (non-2xx) body. Past it the rest is not read: the error keeps the status and the
    /// first `error` bytes, and [`Error::body`](crate::Error::body) is `None`. Default 64 KiB.
    pub error: usize,
}

impl Default for BodyLimits {
    fn default() -> Self {
        Self {
            success: 64 * 1024 * 1024,
            error: 64 * 1024,
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
    /// name and version. Printable ASCII only: anything else is refused when the client is built.
    pub user_agent_suffix: Option<String>,
    /// How much of a response body is read.
    pub limits: BodyLimits,
    /// How fast requests may go out. `None` (the default): the provider's preset, from its
    /// documented limits (see each SDK's docs); [`RateLimits::none()`](crate::RateLimits::none)
    /// turns limiting off.
    pub rate_limits: Option<crate::RateLimits>,
}

/// Why a client could not be built: a setting, a credential or an environment variable it cannot
/// use, found before anything is sent. The one configuration error of the three SDKs. Never
/// contains a credential's value, nor a URL (which may carry user info).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required environment variable is not set, or is blank.
    #[error("the environment variable {name} is not set (or is blank)")]
    MissingEnvVar {
        /// The variable's name.
        name: &'static str,
    },
    /// An environment variable is set to something that cannot be used.
    #[error("the environment variable {name} cannot be used: {reason}")]
    InvalidEnvVar {
        /// The variable's name.
        name: &'static str,
        /// Why (never the value).
        reason: &'static str,
    },
    /// No credentials were given.
    #[error("no credentials: {expected}")]
    MissingCredentials {
        /// What the client needs, e.g. "an API key".
        expected: &'static str,
    },
    /// A credential cannot be used: empty, or holding characters it cannot travel with.
    #[error("the credential `{name}` {reason}")]
    InvalidCredential {
        /// The credential: the header or query parameter it travels in, or its role (e.g.
        /// `client secret`).
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// A base or token URL cannot be used (the URL itself is left out: it may carry user info).
    #[error("invalid {what}: {reason}")]
    InvalidUrl {
        /// `base URL` or `token URL`.
        what: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// A name that goes into a host (an account or screen name) is not a DNS label.
    #[error("invalid {what}: {reason}")]
    InvalidName {
        /// E.g. `account name`.
        what: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// OAuth2 client credentials were given for a custom environment without a token URL.
    #[error("OAuth2 client credentials need a token URL; this custom environment has none")]
    MissingTokenUrl,
    /// The `User-Agent` suffix holds a character a header cannot carry (a control character such
    /// as CR or LF, or a non-ASCII one).
    #[error("the User-Agent suffix holds a character an HTTP header cannot carry (at byte {position})")]
    UserAgentSuffix {
        /// The byte offset of the first such character.
        position: usize,
    },
    /// A body limit of zero.
    #[error("the {which} body limit must be at least one byte")]
    BodyLimit {
        /// `success` or `error`.
        which: &'static str,
    },
    /// A rate limit cannot be used.
    #[error("invalid rate limit: {reason}")]
    RateLimit {
        /// Why.
        reason: &'static str,
    },
    /// The HTTP client could not be built (e.g. no TLS backend could be initialised).
    #[error("the HTTP client could not be built: {0}")]
    HttpClient(String),
}

impl ClientConfig {
    /// Checks what can be checked before any request: the `User-Agent` suffix and the body limits.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(suffix) = &self.user_agent_suffix
            && let Some(position) = suffix.bytes().position(|b| !(b' '..=b'~').contains(&b))
        {
            return Err(ConfigError::UserAgentSuffix { position });
        }
        if self.limits.success == 0 {
            return Err(ConfigError::BodyLimit { which: "success" });
        }
        if self.limits.error == 0 {
            return Err(ConfigError::BodyLimit { which: "error" });
        }
        Ok(())
    }
}

/// True when `value` can be sent as a credential in a header: non-empty visible ASCII.
pub(crate) fn is_visible_ascii(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_graphic())
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

    #[test]
    fn a_user_agent_suffix_with_a_line_break_is_refused() {
        let config = |suffix: &str| ClientConfig {
            user_agent_suffix: Some(suffix.to_string()),
            ..ClientConfig::default()
        };
        assert_eq!(config("erp-sync/2.1 (ops@example.com)").validate(), Ok(()));
        assert_eq!(
            config("erp\r\nX-Injected: 1").validate(),
            Err(ConfigError::UserAgentSuffix { position: 3 })
        );
        assert_eq!(
            config("erp\u{e9}").validate(),
            Err(ConfigError::UserAgentSuffix { position: 3 })
        );
        assert_eq!(
            config("tab\there").validate(),
            Err(ConfigError::UserAgentSuffix { position: 3 })
        );
    }

    #[test]
    fn zero_body_limits_are_refused() {
        let mut config = ClientConfig::default();
        config.limits.error = 0;
        assert_eq!(config.validate(), Err(ConfigError::BodyLimit { which: "error" }));
        config.limits.success = 0;
        assert_eq!(config.validate(), Err(ConfigError::BodyLimit { which: "success" }));
    }

    #[test]
    fn header_credentials_must_be_visible_ascii() {
        assert!(is_visible_ascii("k3y-AZ_09.~"));
        for bad in ["", "two words", "line\nbreak", "caf\u{e9}", "tab\t"] {
            assert!(!is_visible_ascii(bad), "{bad:?}");
        }
    }
}
