//! Secrets that never print: tokens, API keys, customer keys, client secrets.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// The text every redacted value is shown as.
pub const REDACTED: &str = "[REDACTED]";

/// A credential. Its `Debug` and `Display` print [`REDACTED`]; the value is read only through
/// [`Secret::expose`], at the one place a request is signed. The memory is zeroed on drop.
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    /// The credential itself. Call it only to put the value on the wire.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// True when the credential is the empty string (a configuration mistake worth reporting).
    pub fn is_empty(&self) -> bool {
        self.expose().is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({REDACTED})")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

/// The shortest credential value [`scrub`] replaces.
pub(crate) const MIN_SCRUBBED_LEN: usize = 6;

/// Replaces every occurrence of each secret in `text` with [`REDACTED`]; used on text that came back
/// from a server (which may echo what it was sent) before it is shown in `Debug` output.
///
/// Values shorter than [`MIN_SCRUBBED_LEN`] (6) are left alone: they are identifiers rather than secrets
/// (an account number such as a customer id of `111`), and replacing them would mangle unrelated
/// text (`os error 111`) without protecting anything.
pub(crate) fn scrub(text: &str, secrets: &[&str]) -> String {
    scrub_owned(text.to_string(), secrets)
}

/// [`scrub`] on text the caller owns: returned as it is, without a copy, when it holds no secret
/// (so a large body is not duplicated just to be checked).
pub(crate) fn scrub_owned(mut text: String, secrets: &[&str]) -> String {
    for secret in secrets.iter().filter(|s| s.len() >= MIN_SCRUBBED_LEN) {
        if text.contains(secret) {
            text = text.replace(secret, REDACTED);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact() {
        let secret = Secret::new("hunter2-canary");
        assert_eq!(format!("{secret}"), REDACTED);
        assert!(!format!("{secret:?}").contains("hunter2"));
        assert!(!format!("{:?}", Some(&secret)).contains("hunter2"));
        assert_eq!(secret.expose(), "hunter2-canary");
    }

    #[test]
    fn scrub_replaces_every_secret() {
        assert_eq!(
            scrub("key=abcdef and abcdef", &["abcdef", ""]),
            "key=[REDACTED] and [REDACTED]"
        );
        // Short identifiers are not scrubbed: they would mangle unrelated text.
        assert_eq!(scrub("os error 111", &["111"]), "os error 111");
    }
}
