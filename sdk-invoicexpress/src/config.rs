//! What the JSON and legacy clients share: where they connect ([`Account`]), their settings, their
//! validation, and the runtime they build.

use sdk_runtime::{ClientConfig, ConfigError, Credentials, Env, Provider, Runtime, Secret, check_base_url};

use crate::generated::operations::OPERATIONS;

/// The provider the runtime works for; its operation table is the generated one.
pub(crate) const PROVIDER: Provider = Provider {
    name: "invoicexpress",
    sdk_version: env!("CARGO_PKG_VERSION"),
    operations: OPERATIONS,
    default_rate_limits: invoicexpress_rate_limits,
};

/// InvoiceXpress publishes no rate limit; an unofficial source says 100 requests a minute per
/// account, answered with 429 past it. This SDK takes that figure as its default, adaptive after a
/// 429; set `ClientConfig::rate_limits` when your account's limit is known.
fn invoicexpress_rate_limits() -> sdk_runtime::RateLimits {
    sdk_runtime::RateLimits::shared([sdk_runtime::Quota::per_minute(100)])
}

/// The query parameter that carries the API key (the spec's `apiKey` security scheme).
pub(crate) const API_KEY_PARAM: &str = crate::generated::security::API_KEY_QUERY_PARAM;

/// Environment variable: the account name (the subdomain; the legacy API's screen name).
pub const ENV_ACCOUNT: &str = "INVOICEXPRESS_ACCOUNT";
/// Environment variable: the API key.
pub const ENV_API_KEY: &str = "INVOICEXPRESS_API_KEY";
/// Environment variable (optional): a base URL replacing the account's JSON API host.
pub const ENV_BASE_URL: &str = "INVOICEXPRESS_BASE_URL";
/// Environment variable (optional): a base URL replacing the account's legacy XML API host.
pub const ENV_LEGACY_BASE_URL: &str = "INVOICEXPRESS_LEGACY_BASE_URL";

/// Which InvoiceXpress account a client talks to: what `builder(..)` of both clients takes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Account {
    /// An account name (the legacy API calls it the screen name): a DNS label, as in
    /// `https://{name}.app.invoicexpress.com` (JSON API) or `https://{name}.invoicexpress.net`
    /// (legacy XML API).
    Name(String),
    /// Any other base URL (a proxy, a mock). It must be `https`, or `http` to a loopback host,
    /// with no user info, query or fragment; a trailing slash is dropped.
    Custom(String),
}

impl Account {
    /// The account called `name`.
    pub fn name(name: impl Into<String>) -> Self {
        Self::Name(name.into())
    }

    /// A custom base URL.
    pub fn custom(base_url: impl Into<String>) -> Self {
        Self::Custom(base_url.into())
    }

    /// The account from the environment: `base_url_var` when set, else `INVOICEXPRESS_ACCOUNT`.
    pub(crate) fn from_env(env: &Env<'_>, base_url_var: &'static str) -> Result<Self, ConfigError> {
        match env.optional(base_url_var)? {
            Some(url) => Ok(Self::Custom(url)),
            None => Ok(Self::Name(env.required(ENV_ACCOUNT)?)),
        }
    }

    /// The checked base URL; `host` makes it from a valid account name.
    fn base_url(&self, host: fn(&str) -> String) -> Result<String, ConfigError> {
        match self {
            Self::Name(name) => Ok(host(&validate_account_name(name)?)),
            Self::Custom(url) => check_base_url("base URL", url),
        }
    }
}

/// A client's settings before validation.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub(crate) account: Account,
    pub(crate) api_key: Option<Secret>,
    pub(crate) config: ClientConfig,
    pub(crate) http: Option<reqwest::Client>,
}

/// Validated settings, with the runtime and HTTP client built from them.
pub(crate) struct Connection {
    pub(crate) base_url: String,
    pub(crate) runtime: Runtime,
    pub(crate) http: reqwest::Client,
}

impl Settings {
    pub(crate) fn new(account: Account) -> Self {
        Self {
            account,
            api_key: None,
            config: ClientConfig::default(),
            http: None,
        }
    }

    /// The account (or `base_url_var`) and the API key from `env`.
    pub(crate) fn from_env(env: &Env<'_>, base_url_var: &'static str) -> Result<Self, ConfigError> {
        let account = Account::from_env(env, base_url_var)?;
        let api_key = env.required(ENV_API_KEY)?;
        Ok(Self {
            api_key: Some(Secret::new(api_key)),
            ..Self::new(account)
        })
    }

    /// Validates the settings and builds the runtime. `host` makes the base URL from a valid
    /// account name.
    pub(crate) fn connect(self, host: fn(&str) -> String) -> Result<Connection, ConfigError> {
        let api_key = self
            .api_key
            .ok_or(ConfigError::MissingCredentials { expected: "an API key" })?;
        if api_key.expose().trim().is_empty() {
            return Err(ConfigError::InvalidCredential {
                name: API_KEY_PARAM.into(),
                reason: "is empty",
            });
        }
        let base_url = self.account.base_url(host)?;
        let runtime = Runtime::new(
            PROVIDER,
            Credentials::QueryApiKey {
                name: API_KEY_PARAM,
                value: api_key,
            },
            self.config,
        )?;
        let http = match self.http {
            Some(http) => http,
            None => runtime.http_client()?,
        };
        Ok(Connection {
            base_url,
            runtime,
            http,
        })
    }
}

/// Writes, once for both clients, what they share in how they are made:
///
/// - the builder type: `api_key`, `config`, `http_client`, `from_env`, `from_env_in` and `build`,
///   which validates the [`Settings`] and hands the [`Connection`] to the client's
///   `fn from_connection(Connection) -> Self`;
/// - the client's `builder(Account)`, `from_env`, `base_url` and `runtime`, and its `Debug`
///   (which never shows the key).
macro_rules! client_builder {
    (
        $(#[$builder_doc:meta])*
        $builder:ident builds $client:ident;
        host $host:literal;
        $(#[$from_env_doc:meta])*
        env $base_url_var:ident;
    ) => {
        $(#[$builder_doc])*
        #[derive(Clone, Debug)]
        #[must_use]
        pub struct $builder {
            settings: $crate::config::Settings,
        }

        impl $builder {
            $(#[$from_env_doc])*
            pub fn from_env() -> Result<Self, ::sdk_runtime::ConfigError> {
                Self::from_env_in(&::sdk_runtime::Env::process())
            }

            #[doc = concat!("Like [`", stringify!($builder), "::from_env`], reading the variables from `env`.")]
            pub fn from_env_in(env: &::sdk_runtime::Env<'_>) -> Result<Self, ::sdk_runtime::ConfigError> {
                Ok(Self {
                    settings: $crate::config::Settings::from_env(env, $crate::config::$base_url_var)?,
                })
            }

            /// The API key, sent as the `api_key` query parameter of every request (and never
            /// shown).
            pub fn api_key(mut self, api_key: impl Into<::sdk_runtime::Secret>) -> Self {
                self.settings.api_key = Some(api_key.into());
                self
            }

            /// Retries, timeouts, body limits and the `User-Agent` suffix.
            pub fn config(mut self, config: ::sdk_runtime::ClientConfig) -> Self {
                self.settings.config = config;
                self
            }

            /// Sends the requests through this `reqwest` client instead of one built from the
            /// configuration (its redirect policy and timeouts then apply).
            pub fn http_client(mut self, http: ::reqwest::Client) -> Self {
                self.settings.http = Some(http);
                self
            }

            /// Checks the settings and builds the client.
            ///
            /// # Errors
            ///
            /// A [`ConfigError`](::sdk_runtime::ConfigError): no or an empty API key, an account
            /// name that is not a DNS label, an unusable base URL or configuration.
            pub fn build(self) -> Result<$client, ::sdk_runtime::ConfigError> {
                let connection = self.settings.connect(|name| format!($host, name = name))?;
                Ok($client::from_connection(connection))
            }
        }

        impl $client {
            #[doc = concat!("A builder for a client of `account` (`", $host, "` for a named account).")]
            pub fn builder(account: $crate::config::Account) -> $builder {
                $builder {
                    settings: $crate::config::Settings::new(account),
                }
            }

            #[doc = concat!("A client from the process environment (see [`", stringify!($builder), "::from_env`]).")]
            ///
            /// # Errors
            ///
            /// A [`ConfigError`](::sdk_runtime::ConfigError) naming the variable that is missing or
            /// unusable (never its value), or what `build` refuses.
            pub fn from_env() -> Result<Self, ::sdk_runtime::ConfigError> {
                $builder::from_env()?.build()
            }

            /// The base URL requests go to.
            pub fn base_url(&self) -> &str {
                &self.base_url
            }

            /// The runtime every call goes through (its configuration, and the call wrappers to
            /// run calls of the generated client yourself).
            pub fn runtime(&self) -> &::sdk_runtime::Runtime {
                &self.runtime
            }
        }

        impl ::std::fmt::Debug for $client {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($client))
                    .field("base_url", &self.base_url)
                    .field("api_key", &::sdk_runtime::REDACTED)
                    .field("config", self.runtime.config())
                    .finish()
            }
        }
    };
}

pub(crate) use client_builder;

pub(crate) fn validate_account_name(name: &str) -> Result<String, ConfigError> {
    let invalid = |reason| {
        Err(ConfigError::InvalidName {
            what: "account name",
            reason,
        })
    };
    let name = name.trim();
    if name.is_empty() {
        return invalid("it is empty");
    }
    if name.len() > 63 {
        return invalid("it is longer than 63 characters");
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return invalid("only ASCII letters, digits and hyphens are allowed");
    }
    if name.starts_with('-') || name.ends_with('-') {
        return invalid("it must not start or end with a hyphen");
    }
    Ok(name.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> Env<'static> {
        Env::from_lookup(move |name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).into()))
    }

    #[test]
    fn account_names_are_dns_labels() {
        assert_eq!(validate_account_name("Acme-2"), Ok("acme-2".to_string()));
        assert_eq!(validate_account_name(&"a".repeat(63)).map(|n| n.len()), Ok(63));
        for bad in [
            "",
            "-acme",
            "acme-",
            "ac me",
            "acme.evil.com",
            "acme/..",
            "açme",
            "acme_1",
            &"a".repeat(64),
        ] {
            assert!(
                matches!(validate_account_name(bad), Err(ConfigError::InvalidName { .. })),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn settings_from_the_environment_name_the_missing_variable() {
        let missing = Settings::from_env(&env(&[(ENV_API_KEY, "canary-secret")]), ENV_BASE_URL).unwrap_err();
        assert_eq!(missing, ConfigError::MissingEnvVar { name: ENV_ACCOUNT });
        let missing =
            Settings::from_env(&env(&[(ENV_ACCOUNT, "acme"), (ENV_API_KEY, "  ")]), ENV_BASE_URL).unwrap_err();
        assert_eq!(missing, ConfigError::MissingEnvVar { name: ENV_API_KEY });
        assert!(!missing.to_string().contains("acme"));

        let settings = Settings::from_env(
            &env(&[
                (ENV_ACCOUNT, "acme"),
                (ENV_API_KEY, "canary-secret"),
                (ENV_BASE_URL, ""),
            ]),
            ENV_BASE_URL,
        )
        .expect("complete");
        assert_eq!(settings.account, Account::name("acme"));
        assert!(!format!("{settings:?}").contains("canary-secret"));
        // A base URL replaces the account.
        let settings = Settings::from_env(
            &env(&[(ENV_API_KEY, "k"), (ENV_LEGACY_BASE_URL, "http://127.0.0.1:9")]),
            ENV_LEGACY_BASE_URL,
        )
        .expect("complete");
        assert_eq!(settings.account, Account::custom("http://127.0.0.1:9"));
    }

    #[test]
    fn connect_validates() {
        let settings = |account: Account, key: Option<&str>| Settings {
            api_key: key.map(Secret::from),
            ..Settings::new(account)
        };
        let host = |account: &str| format!("https://{account}.example");
        let err = |s: Settings| s.connect(host).err();
        assert!(matches!(
            err(settings(Account::name("acme"), None)),
            Some(ConfigError::MissingCredentials { .. })
        ));
        assert!(matches!(
            err(settings(Account::name("acme"), Some(" "))),
            Some(ConfigError::InvalidCredential { .. })
        ));
        assert!(matches!(
            err(settings(Account::name("a.b"), Some("k"))),
            Some(ConfigError::InvalidName { .. })
        ));
        assert!(matches!(
            err(settings(Account::custom("http://acme.example"), Some("k"))),
            Some(ConfigError::InvalidUrl { .. })
        ));
        let connection = settings(Account::name("Acme"), Some("k")).connect(host).expect("valid");
        assert_eq!(connection.base_url, "https://acme.example");
        let connection = settings(Account::custom("http://127.0.0.1:1/"), Some("k"))
            .connect(host)
            .expect("valid");
        assert_eq!(connection.base_url, "http://127.0.0.1:1");
    }
}
