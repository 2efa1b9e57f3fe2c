//! What the JSON and legacy clients share: settings, their validation, and the runtime they build.

use sdk_runtime::{ClientConfig, Credentials, Provider, Runtime, Secret};

use crate::error::ConfigError;
use crate::generated::operations::OPERATIONS;

/// The provider the runtime works for; its operation table is the generated one.
pub(crate) const PROVIDER: Provider = Provider {
    name: "invoicexpress",
    sdk_version: env!("CARGO_PKG_VERSION"),
    operations: OPERATIONS,
};

/// The query parameter that carries the API key (the spec's `apiKey` security scheme).
pub(crate) const API_KEY_PARAM: &str = crate::generated::security::API_KEY_QUERY_PARAM;

/// Environment variable: the account name (the subdomain).
pub const ENV_ACCOUNT: &str = "INVOICEXPRESS_ACCOUNT";
/// Environment variable: the API key.
pub const ENV_API_KEY: &str = "INVOICEXPRESS_API_KEY";
/// Environment variable (optional): a base URL replacing the account's JSON API host.
pub const ENV_BASE_URL: &str = "INVOICEXPRESS_BASE_URL";
/// Environment variable (optional): a base URL replacing the account's legacy XML API host.
pub const ENV_LEGACY_BASE_URL: &str = "INVOICEXPRESS_LEGACY_BASE_URL";

/// A client's settings before validation.
#[derive(Clone, Debug, Default)]
pub(crate) struct Settings {
    pub(crate) account_name: Option<String>,
    pub(crate) api_key: Option<Secret>,
    pub(crate) base_url: Option<String>,
    pub(crate) config: ClientConfig,
}

/// Validated settings, with the runtime and HTTP client built from them.
pub(crate) struct Connection {
    pub(crate) base_url: String,
    pub(crate) runtime: Runtime,
    pub(crate) http: reqwest::Client,
}

impl Settings {
    /// Reads the account, the API key and (under `base_url_var`) an optional base URL through
    /// `lookup`, which returns `Ok(None)` for an unset variable. Blank values count as unset.
    pub(crate) fn from_lookup(
        lookup: impl Fn(&'static str) -> Result<Option<String>, ConfigError>,
        base_url_var: &'static str,
    ) -> Result<Self, ConfigError> {
        let read = |name: &'static str| -> Result<Option<String>, ConfigError> {
            Ok(lookup(name)?.filter(|value| !value.trim().is_empty()))
        };
        let account_name = read(ENV_ACCOUNT)?.ok_or(ConfigError::MissingEnvVar { name: ENV_ACCOUNT })?;
        let api_key = read(ENV_API_KEY)?.ok_or(ConfigError::MissingEnvVar { name: ENV_API_KEY })?;
        Ok(Self {
            account_name: Some(account_name),
            api_key: Some(Secret::new(api_key)),
            base_url: read(base_url_var)?,
            config: ClientConfig::default(),
        })
    }

    /// Validates the settings and builds the runtime. `default_base_url` makes the base URL from
    /// a valid account name when no base URL is given.
    pub(crate) fn connect(self, default_base_url: fn(&str) -> String) -> Result<Connection, ConfigError> {
        let api_key = self.api_key.ok_or(ConfigError::MissingApiKey)?;
        if api_key.expose().trim().is_empty() {
            return Err(ConfigError::EmptyApiKey);
        }
        let account = self.account_name.as_deref().map(validate_account_name).transpose()?;
        let base_url = match (self.base_url, account) {
            (Some(url), _) => validate_base_url(&url)?,
            (None, Some(account)) => default_base_url(&account),
            (None, None) => return Err(ConfigError::MissingAccountName),
        };
        let runtime = Runtime::new(
            PROVIDER,
            Credentials::QueryApiKey {
                name: API_KEY_PARAM,
                value: api_key,
            },
            self.config,
        )?;
        let http = runtime
            .http_client()
            .map_err(|error| ConfigError::HttpClient(error.to_string()))?;
        Ok(Connection {
            base_url,
            runtime,
            http,
        })
    }
}

/// Writes, once for both clients, what they share in how they are made:
///
/// - the builder type: the account (or screen) name, `api_key`, `base_url`, `config` and `build`,
///   which validates the [`Settings`] and hands the [`Connection`] to the client's
///   `fn from_connection(Connection) -> Self`;
/// - the client's `new`, `builder`, `from_env`, `builder_from_env`, `base_url` and `runtime`, and
///   a `Debug` that shows the API key as [`REDACTED`](sdk_runtime::REDACTED).
///
/// `host` is the default base URL with the name as a `format!` argument (it is also what the
/// docs show); `env` names the constant of the variable for a base URL. The client must have
/// `base_url: String` and `runtime: Runtime` fields.
macro_rules! client_builder {
    (
        $(#[$builder_doc:meta])*
        $builder:ident builds $client:ident;
        $(#[$name_doc:meta])*
        name $name:ident, host $host:literal;
        $(#[$from_env_doc:meta])*
        env $base_url_var:ident;
    ) => {
        $(#[$builder_doc])*
        #[derive(Clone, Debug, Default)]
        pub struct $builder {
            settings: $crate::config::Settings,
        }

        impl $builder {
            $(#[$name_doc])*
            pub fn $name(mut self, $name: impl Into<String>) -> Self {
                self.settings.account_name = Some($name.into());
                self
            }

            /// The account's API key.
            pub fn api_key(mut self, api_key: impl Into<::sdk_runtime::Secret>) -> Self {
                self.settings.api_key = Some(api_key.into());
                self
            }

            #[doc = concat!("A base URL replacing `", $host, "` (a proxy, a mock server).")]
            /// Must be `https`, or `http` to a loopback address; no query, no user info.
            pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
                self.settings.base_url = Some(base_url.into());
                self
            }

            /// Retries, timeouts and `User-Agent` suffix.
            pub fn config(mut self, config: ::sdk_runtime::ClientConfig) -> Self {
                self.settings.config = config;
                self
            }

            /// Validates the settings and builds the client.
            pub fn build(self) -> Result<$client, $crate::error::ConfigError> {
                let connection = self.settings.connect(|name| format!($host, $name = name))?;
                Ok($client::from_connection(connection))
            }
        }

        impl $client {
            #[doc = concat!("A client for `", $host, "` with the default configuration.")]
            pub fn new(
                $name: impl Into<String>,
                api_key: impl Into<::sdk_runtime::Secret>,
            ) -> Result<Self, $crate::error::ConfigError> {
                Self::builder().$name($name).api_key(api_key).build()
            }

            /// A builder, for a custom configuration or base URL.
            pub fn builder() -> $builder {
                $builder::default()
            }

            $(#[$from_env_doc])*
            pub fn from_env() -> Result<Self, $crate::error::ConfigError> {
                Self::builder_from_env()?.build()
            }

            #[doc = concat!("A builder preset from the environment (see [`", stringify!($client), "::from_env`]),")]
            /// to add a configuration before building.
            pub fn builder_from_env() -> Result<$builder, $crate::error::ConfigError> {
                Ok($builder {
                    settings: $crate::config::Settings::from_lookup($crate::config::env_var, $base_url_var)?,
                })
            }

            /// The base URL requests go to.
            pub fn base_url(&self) -> &str {
                &self.base_url
            }

            /// The runtime: provider, configuration, `User-Agent`.
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

/// Reads an environment variable: `Ok(None)` when unset.
pub(crate) fn env_var(name: &'static str) -> Result<Option<String>, ConfigError> {
    match std::env::var(name) {
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(ConfigError::InvalidEnvVar { name }),
    }
}

/// An account (or screen) name must be one DNS label: 1 to 63 ASCII letters, digits and hyphens,
/// not starting or ending with a hyphen. Returned in lower case.
pub(crate) fn validate_account_name(name: &str) -> Result<String, ConfigError> {
    let invalid = |reason| Err(ConfigError::InvalidAccountName { reason });
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

/// A base URL must be absolute `https` (or `http` to a loopback address, for tests), without user
/// info, query or fragment (the API key is added to the query of every request). Returned without
/// a trailing slash.
pub(crate) fn validate_base_url(url: &str) -> Result<String, ConfigError> {
    let invalid = |reason| Err(ConfigError::InvalidBaseUrl { reason });
    let Ok(parsed) = reqwest::Url::parse(url.trim()) else {
        return invalid("not an absolute URL");
    };
    let Some(host) = parsed.host_str() else {
        return invalid("it has no host");
    };
    let ip = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>();
    let loopback = host.eq_ignore_ascii_case("localhost") || ip.is_ok_and(|ip| ip.is_loopback());
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return invalid("plain http is only allowed to a loopback address; the API key travels in the URL"),
        _ => return invalid("the scheme must be https"),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return invalid("it must not carry user info");
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return invalid("it must not have a query or a fragment");
    }
    Ok(parsed.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

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
                matches!(validate_account_name(bad), Err(ConfigError::InvalidAccountName { .. })),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn base_urls() {
        assert_eq!(
            validate_base_url("https://acme.app.invoicexpress.com/"),
            Ok("https://acme.app.invoicexpress.com".into())
        );
        assert_eq!(
            validate_base_url("http://127.0.0.1:8080"),
            Ok("http://127.0.0.1:8080".into())
        );
        assert_eq!(
            validate_base_url("http://localhost:1/prefix/"),
            Ok("http://localhost:1/prefix".into())
        );
        assert_eq!(validate_base_url("http://[::1]:9"), Ok("http://[::1]:9".into()));
        for bad in [
            "acme.app.invoicexpress.com",
            "http://acme.app.invoicexpress.com",
            "ftp://127.0.0.1",
            "https://user:pw@acme.app.invoicexpress.com",
            "https://acme.app.invoicexpress.com/?api_key=x",
            "https://acme.app.invoicexpress.com/#x",
        ] {
            assert!(
                matches!(validate_base_url(bad), Err(ConfigError::InvalidBaseUrl { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn settings_from_lookup_name_the_missing_variable() {
        let lookup = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &'static str| Ok(vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string()))
        };
        let missing =
            Settings::from_lookup(lookup(&[(ENV_API_KEY, "canary-secret")]), ENV_BASE_URL).expect_err("no account");
        assert_eq!(missing, ConfigError::MissingEnvVar { name: ENV_ACCOUNT });
        let missing = Settings::from_lookup(lookup(&[(ENV_ACCOUNT, "acme"), (ENV_API_KEY, "  ")]), ENV_BASE_URL)
            .expect_err("blank key");
        assert_eq!(missing, ConfigError::MissingEnvVar { name: ENV_API_KEY });
        assert!(!missing.to_string().contains("acme"));

        let settings = Settings::from_lookup(
            lookup(&[
                (ENV_ACCOUNT, "acme"),
                (ENV_API_KEY, "canary-secret"),
                (ENV_BASE_URL, ""),
            ]),
            ENV_BASE_URL,
        )
        .expect("complete");
        assert_eq!(settings.account_name.as_deref(), Some("acme"));
        assert_eq!(settings.base_url, None);
        assert!(!format!("{settings:?}").contains("canary-secret"));

        let invalid = Settings::from_lookup(|name| Err(ConfigError::InvalidEnvVar { name }), ENV_BASE_URL);
        assert_eq!(
            invalid.expect_err("not unicode"),
            ConfigError::InvalidEnvVar { name: ENV_ACCOUNT }
        );
    }

    #[test]
    fn connect_validates() {
        let settings = |account: Option<&str>, key: Option<&str>, base: Option<&str>| Settings {
            account_name: account.map(str::to_string),
            api_key: key.map(Secret::from),
            base_url: base.map(str::to_string),
            config: ClientConfig::default(),
        };
        let host = |account: &str| format!("https://{account}.example");
        let err = |s: Settings| s.connect(host).err();
        assert_eq!(
            err(settings(Some("acme"), None, None)),
            Some(ConfigError::MissingApiKey)
        );
        assert_eq!(
            err(settings(Some("acme"), Some(" "), None)),
            Some(ConfigError::EmptyApiKey)
        );
        assert_eq!(
            err(settings(None, Some("k"), None)),
            Some(ConfigError::MissingAccountName)
        );
        assert!(matches!(
            err(settings(Some("a.b"), Some("k"), None)),
            Some(ConfigError::InvalidAccountName { .. })
        ));
        let connection = settings(Some("Acme"), Some("k"), None).connect(host).expect("valid");
        assert_eq!(connection.base_url, "https://acme.example");
        let connection = settings(None, Some("k"), Some("http://127.0.0.1:1/"))
            .connect(host)
            .expect("valid");
        assert_eq!(connection.base_url, "http://127.0.0.1:1");
    }
}
