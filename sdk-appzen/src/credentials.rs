//! AppZen's three credential headers, held as secrets.

use std::fmt;

use reqwest::header::{HeaderName, HeaderValue};
use sdk_runtime::{REDACTED, Secret};

use sdk_runtime::{ConfigError, Env};

use crate::generated::security::{API_KEY_HEADER, CUSTOMER_ID_HEADER, CUSTOMER_KEY_HEADER};

/// The credentials AppZen issues: an API key, a customer id and a customer key, sent on every
/// request as the headers `x-api-key`, `customer-id` and `customer-key`.
///
/// All three are [`Secret`]s: `Debug` prints `[REDACTED]`, and the header values are marked
/// sensitive so that neither `http` nor `reqwest` prints them.
#[derive(Clone)]
pub struct AppZenCredentials {
    api_key: Secret,
    customer_id: Secret,
    customer_key: Secret,
}

impl AppZenCredentials {
    /// The environment variable holding the `x-api-key` credential: `APPZEN_API_KEY`.
    pub const API_KEY_ENV: &'static str = "APPZEN_API_KEY";
    /// The environment variable holding the `customer-id` credential: `APPZEN_CUSTOMER_ID`.
    pub const CUSTOMER_ID_ENV: &'static str = "APPZEN_CUSTOMER_ID";
    /// The environment variable holding the `customer-key` credential: `APPZEN_CUSTOMER_KEY`.
    pub const CUSTOMER_KEY_ENV: &'static str = "APPZEN_CUSTOMER_KEY";

    /// Credentials from their three values. They are checked (non-empty, valid as header values)
    /// when the client is built.
    pub fn new(api_key: impl Into<Secret>, customer_id: impl Into<Secret>, customer_key: impl Into<Secret>) -> Self {
        Self {
            api_key: api_key.into(),
            customer_id: customer_id.into(),
            customer_key: customer_key.into(),
        }
    }

    /// The credentials from the process environment: `APPZEN_API_KEY`, `APPZEN_CUSTOMER_ID` and
    /// `APPZEN_CUSTOMER_KEY`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::MissingEnvVar`] naming the first that is unset or blank, or
    /// [`ConfigError::InvalidEnvVar`] when one is not Unicode. Never the value.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_env_in(&Env::process())
    }

    /// Like [`AppZenCredentials::from_env`], reading the variables from `env`.
    ///
    /// # Errors
    ///
    /// As [`AppZenCredentials::from_env`].
    pub fn from_env_in(env: &Env<'_>) -> Result<Self, ConfigError> {
        Ok(Self::new(
            env.required(Self::API_KEY_ENV)?,
            env.required(Self::CUSTOMER_ID_ENV)?,
            env.required(Self::CUSTOMER_KEY_ENV)?,
        ))
    }

    /// The credential headers, checked.
    pub(crate) fn into_headers(self) -> Result<Vec<(HeaderName, Secret)>, ConfigError> {
        [
            (API_KEY_HEADER, self.api_key),
            (CUSTOMER_ID_HEADER, self.customer_id),
            (CUSTOMER_KEY_HEADER, self.customer_key),
        ]
        .into_iter()
        .map(|(header, value)| {
            if value.expose().trim().is_empty() {
                return Err(ConfigError::InvalidCredential {
                    name: header.to_string(),
                    reason: "is empty",
                });
            }
            if HeaderValue::from_str(value.expose()).is_err() {
                return Err(ConfigError::InvalidCredential {
                    name: header.to_string(),
                    reason: "holds characters an HTTP header cannot carry",
                });
            }
            Ok((HeaderName::from_static(header), value))
        })
        .collect()
    }
}

impl fmt::Debug for AppZenCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppZenCredentials")
            .field("api_key", &format_args!("{REDACTED}"))
            .field("customer_id", &format_args!("{REDACTED}"))
            .field("customer_key", &format_args!("{REDACTED}"))
            .finish()
    }
}

/// A non-empty environment variable, `None` when unset or empty.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_every_value() {
        let credentials = AppZenCredentials::new("key-canary", "id-canary", "customer-canary");
        for shown in [format!("{credentials:?}"), format!("{credentials:#?}")] {
            assert!(!shown.contains("canary"), "{shown}");
            assert!(shown.contains(REDACTED), "{shown}");
        }
    }

    #[test]
    fn headers_are_checked_and_named() {
        let headers = AppZenCredentials::new("k", "1", "c").into_headers().unwrap();
        let names: Vec<&str> = headers.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["x-api-key", "customer-id", "customer-key"]);
        assert_eq!(headers[2].1.expose(), "c");

        assert!(matches!(
            AppZenCredentials::new("k", "", "c").into_headers(),
            Err(ConfigError::InvalidCredential { name, .. }) if name == "customer-id"
        ));
        let error = AppZenCredentials::new("k", "1", "bad\nsecret-canary")
            .into_headers()
            .unwrap_err();
        assert!(matches!(
            &error,
            ConfigError::InvalidCredential { name, .. } if name == "customer-key"
        ));
        assert!(!format!("{error} {error:?}").contains("canary"));
    }
}
