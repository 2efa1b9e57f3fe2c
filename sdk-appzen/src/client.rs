//! The client: region, builder, the status sync call and its receipt. The reads (audit results,
//! invoice search, change feed) live in `audit.rs` and `changes.rs`.

use std::fmt;

use sdk_runtime::{ClientConfig, ConfigError, Credentials, Env, Provider, REDACTED, Reply, Runtime, check_base_url};
use uuid::Uuid;

use crate::Error;
use crate::credentials::AppZenCredentials;
use crate::error::InvalidStatusSync;
use crate::generated;
use crate::generated::operations::STATUS_SYNC;
use crate::status::{StatusSync, check_request};
use crate::types::StatusSyncRequest;

/// The provider name in errors, traces and the `User-Agent`.
pub(crate) const PROVIDER: &str = "appzen";

/// Where the client sends its requests.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Region {
    /// Production, `https://api.appzen.com`.
    Production,
    /// The US sandbox, `https://api.us.sandbox.appzen.com`.
    UsSandbox,
    /// EU production, `https://eu-api.appzen.com`.
    Eu,
    /// Any other base URL (a proxy, a mock server). It must be `https`, or `http` on a loopback
    /// host (`localhost`, `127.0.0.0/8`, `::1`), with no user info, query or fragment; a path
    /// prefix is kept and a trailing slash dropped.
    Custom(String),
}

impl Region {
    /// The environment variable naming a base URL: `APPZEN_BASE_URL`.
    pub const BASE_URL_ENV: &'static str = "APPZEN_BASE_URL";
    /// The environment variable naming a region: `APPZEN_REGION`.
    pub const REGION_ENV: &'static str = "APPZEN_REGION";

    /// The base URL requests go to (paths start with `/dictionary-data-services`).
    pub fn base_url(&self) -> &str {
        match self {
            Self::Production => "https://api.appzen.com",
            Self::UsSandbox => "https://api.us.sandbox.appzen.com",
            Self::Eu => "https://eu-api.appzen.com",
            Self::Custom(url) => url,
        }
    }

    /// The region for a base URL: one of AppZen's three hosts gives its named region, anything
    /// else [`Region::Custom`].
    ///
    /// ```
    /// use sdk_appzen::Region;
    /// assert_eq!(Region::from_base_url("https://eu-api.appzen.com/"), Region::Eu);
    /// assert_eq!(
    ///     Region::from_base_url("http://127.0.0.1:8080"),
    ///     Region::Custom("http://127.0.0.1:8080".into())
    /// );
    /// ```
    pub fn from_base_url(url: impl Into<String>) -> Self {
        let url = url.into();
        [Self::Production, Self::UsSandbox, Self::Eu]
            .into_iter()
            .find(|region| region.base_url().eq_ignore_ascii_case(url.trim().trim_end_matches('/')))
            .unwrap_or(Self::Custom(url))
    }

    /// The region the environment names: `APPZEN_BASE_URL` (see [`Region::from_base_url`]) when
    /// set, else `APPZEN_REGION` (`production`, `us-sandbox` or `eu`).
    ///
    /// # Errors
    ///
    /// [`ConfigError::MissingEnvVar`] naming `APPZEN_REGION` when neither is set;
    /// [`ConfigError::InvalidEnvVar`] for another value, or one that is not Unicode.
    pub fn from_env(env: &Env<'_>) -> Result<Self, ConfigError> {
        if let Some(url) = env.optional(Self::BASE_URL_ENV)? {
            return Ok(Self::from_base_url(url));
        }
        match env.required(Self::REGION_ENV)?.to_ascii_lowercase().as_str() {
            "production" => Ok(Self::Production),
            "us-sandbox" => Ok(Self::UsSandbox),
            "eu" => Ok(Self::Eu),
            _ => Err(ConfigError::InvalidEnvVar {
                name: Self::REGION_ENV,
                reason: "expected production, us-sandbox or eu",
            }),
        }
    }
}

/// AppZen's documented limits: 1,000 requests a second and 300,000 a day, 429 past them. Adaptive
/// after a 429.
fn appzen_rate_limits() -> sdk_runtime::RateLimits {
    sdk_runtime::RateLimits::shared([
        sdk_runtime::Quota::per_second(1000),
        sdk_runtime::Quota::per_day(300_000),
    ])
}

/// Builds an [`AppZenClient`]; see [`AppZenClient::builder`].
#[derive(Clone, Debug)]
#[must_use]
pub struct AppZenClientBuilder {
    region: Region,
    credentials: Option<AppZenCredentials>,
    config: ClientConfig,
    http: Option<reqwest::Client>,
}

impl AppZenClientBuilder {
    /// A builder from the process environment: the region as [`Region::from_env`] reads it and
    /// the credentials as [`AppZenCredentials::from_env`] reads them.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the variable that is missing or unusable (never its value).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_env_in(&Env::process())
    }

    /// Like [`AppZenClientBuilder::from_env`], reading the variables from `env`.
    ///
    /// # Errors
    ///
    /// As [`AppZenClientBuilder::from_env`].
    pub fn from_env_in(env: &Env<'_>) -> Result<Self, ConfigError> {
        Ok(AppZenClient::builder(Region::from_env(env)?).credentials(AppZenCredentials::from_env_in(env)?))
    }

    /// The three credentials every request carries.
    pub fn credentials(mut self, credentials: AppZenCredentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Retries, timeouts, body limits and the `User-Agent` suffix (default:
    /// [`ClientConfig::default`]).
    pub fn config(mut self, config: ClientConfig) -> Self {
        self.config = config;
        self
    }

    /// Sends the requests through this `reqwest` client instead of one built from the
    /// configuration (its redirect policy and timeouts then apply).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// The client.
    ///
    /// # Errors
    ///
    /// [`ConfigError::MissingCredentials`], [`ConfigError::InvalidCredential`] naming the header,
    /// [`ConfigError::InvalidUrl`], a configuration [`ClientConfig::validate`] refuses, or
    /// [`ConfigError::HttpClient`].
    pub fn build(self) -> Result<AppZenClient, ConfigError> {
        let base_url = check_base_url("base URL", self.region.base_url())?;
        let credentials = self.credentials.ok_or(ConfigError::MissingCredentials {
            expected: "AppZen's x-api-key, customer-id and customer-key",
        })?;
        let headers = credentials.into_headers()?;
        let provider = Provider {
            name: PROVIDER,
            sdk_version: env!("CARGO_PKG_VERSION"),
            operations: generated::operations::OPERATIONS,
            default_rate_limits: appzen_rate_limits,
        };
        let runtime = Runtime::new(provider, Credentials::Headers(headers), self.config)?;
        let http = match self.http {
            Some(http) => http,
            None => runtime.http_client()?,
        };
        let client = generated::client::Client::new_with_client(&base_url, http, runtime.clone());
        Ok(AppZenClient {
            region: self.region,
            base_url,
            runtime,
            client,
        })
    }
}

/// A client for AppZen's invoice Status Sync, Audit Results and Invoice Search APIs. Cheap to
/// clone; clones share one connection pool.
///
/// Every request carries the `x-api-key`, `customer-id` and `customer-key` headers and goes
/// through [`sdk_runtime`]: retries (a `POST` only on 429 and 503, or when no connection was
/// made, unless [`RetryPolicy::retry_non_idempotent`](crate::RetryPolicy::retry_non_idempotent)
/// is set; the invoice search, a read sent as `POST`, is retried like a `GET`: the spec marks it
/// `x-sdk-idempotent`), timeouts and a
/// `sdk.call` tracing span. `Debug` never shows a credential.
#[derive(Clone)]
pub struct AppZenClient {
    region: Region,
    base_url: String,
    pub(crate) runtime: Runtime,
    pub(crate) client: generated::client::Client,
}

impl AppZenClient {
    /// A builder for a client of `region`; give it the credentials with
    /// [`AppZenClientBuilder::credentials`].
    pub fn builder(region: Region) -> AppZenClientBuilder {
        AppZenClientBuilder {
            region,
            credentials: None,
            config: ClientConfig::default(),
            http: None,
        }
    }

    /// A client from the process environment (see [`AppZenClientBuilder::from_env`]).
    ///
    /// # Errors
    ///
    /// As [`AppZenClientBuilder::from_env`] and [`AppZenClientBuilder::build`].
    pub fn from_env() -> Result<Self, ConfigError> {
        AppZenClientBuilder::from_env()?.build()
    }

    /// The generated client underneath, for calls the facade does not cover. Its calls go through
    /// the runtime's hooks (credentials, retries); run them through [`AppZenClient::runtime`]'s
    /// call wrappers to get this crate's [`Error`].
    pub fn generated(&self) -> &crate::GeneratedClient {
        &self.client
    }

    /// The runtime every call goes through.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// The region the client was built for.
    pub fn region(&self) -> &Region {
        &self.region
    }

    /// The base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The client's retries, timeouts and `User-Agent` suffix.
    pub fn config(&self) -> &ClientConfig {
        self.runtime.config()
    }

    /// The `User-Agent` sent with every request (`sdk-appzen/<version>`, plus your suffix).
    pub fn user_agent(&self) -> &str {
        self.runtime.user_agent()
    }

    /// Tells AppZen what became of the invoice `uuid` in your system:
    /// `POST /dictionary-data-services/invoice/{uuid}/status-sync`.
    ///
    /// AppZen answers `200` with an empty body; the [`Reply`]'s
    /// [`request_id`](Reply::request_id) is its `x-correlation-id`, to quote to AppZen Support. Any
    /// 2xx is a completed sync, whatever its body: once AppZen answered success, the call never
    /// reports an error that would invite a second send.
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest), nothing sent: an empty
    ///   text in `sync` or the nil uuid. The error's `source` is an [`InvalidStatusSync`].
    /// - [`ErrorKind::Api`](crate::ErrorKind::Api): AppZen answered 400, 401, 403, 404, 429, 500
    ///   or another error status. [`Error::body`](sdk_runtime::Error::body) is the decoded
    ///   [`AppzenError`](crate::types::AppzenError) when the body is one,
    ///   [`Error::raw_body`](sdk_runtime::Error::raw_body) the text as received and
    ///   [`Error::request_id`](sdk_runtime::Error::request_id) the `x-correlation-id`.
    /// - [`ErrorKind::Timeout`](crate::ErrorKind::Timeout),
    ///   [`ErrorKind::Connect`](crate::ErrorKind::Connect),
    ///   [`ErrorKind::Transport`](crate::ErrorKind::Transport): the exchange failed.
    pub async fn status_sync(&self, uuid: Uuid, sync: StatusSync) -> Result<Reply<()>, Error> {
        let request = StatusSyncRequest::try_from(sync).map_err(invalid)?;
        self.status_sync_request(uuid, request).await
    }

    /// Like [`AppZenClient::status_sync`], with a body you built yourself (for example one that
    /// carries fields this SDK's [`StatusSync`] leaves out). The rules by state are still checked:
    /// `CREATED` needs a non-blank `invoice_id` and `invoice_status`, `ERROR` needs `error_data`;
    /// a state this SDK does not know is sent as is.
    ///
    /// # Errors
    ///
    /// As [`AppZenClient::status_sync`].
    pub async fn status_sync_request(&self, uuid: Uuid, request: StatusSyncRequest) -> Result<Reply<()>, Error> {
        if uuid.is_nil() {
            return Err(invalid(InvalidStatusSync::NilUuid));
        }
        check_request(&request).map_err(invalid)?;
        let call = self.client.status_sync().uuid(uuid).body(request).send();
        // Any 2xx is a completed sync, whatever its body (AppZen documents 200, some pages 201).
        let reply = self.runtime.call_write(&STATUS_SYNC, call).await?;
        Ok(reply.map(|_| ()))
    }
}

fn invalid(reason: InvalidStatusSync) -> Error {
    Error::invalid_request(PROVIDER, STATUS_SYNC.operation_id, reason)
}

impl fmt::Debug for AppZenClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppZenClient")
            .field("region", &self.region)
            .field("base_url", &self.base_url)
            .field(
                "credentials",
                &format_args!("x-api-key, customer-id, customer-key: {REDACTED}"),
            )
            .field("config", self.runtime.config())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_comes_from_the_environment() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            Env::from_lookup(move |name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).into()))
        };
        assert_eq!(Region::from_env(&env(&[("APPZEN_REGION", "EU")])), Ok(Region::Eu));
        assert_eq!(
            Region::from_env(&env(&[
                ("APPZEN_REGION", "eu"),
                ("APPZEN_BASE_URL", "http://127.0.0.1:9")
            ])),
            Ok(Region::Custom("http://127.0.0.1:9".into()))
        );
        assert_eq!(
            Region::from_env(&env(&[("APPZEN_REGION", " ")])),
            Err(ConfigError::MissingEnvVar { name: "APPZEN_REGION" })
        );
        assert!(matches!(
            Region::from_env(&env(&[("APPZEN_REGION", "mars")])),
            Err(ConfigError::InvalidEnvVar {
                name: "APPZEN_REGION",
                ..
            })
        ));
    }

    #[test]
    fn named_regions_have_appzens_hosts() {
        assert_eq!(Region::Production.base_url(), "https://api.appzen.com");
        assert_eq!(Region::UsSandbox.base_url(), "https://api.us.sandbox.appzen.com");
        assert_eq!(Region::Eu.base_url(), "https://eu-api.appzen.com");
        for region in [Region::Production, Region::UsSandbox, Region::Eu] {
            assert_eq!(Region::from_base_url(format!("{}/", region.base_url())), region);
            assert_eq!(
                check_base_url("base URL", region.base_url()).unwrap(),
                region.base_url()
            );
        }
    }
}
