//! The client: region, builder, the status sync call and its receipt.

use std::fmt;

use reqwest::StatusCode;
use sdk_runtime::{ClientConfig, Credentials, Provider, REDACTED, Runtime};
use uuid::Uuid;

use crate::Error;
use crate::credentials::{AppZenCredentials, env_var};
use crate::error::{ConfigError, InvalidStatusSync};
use crate::generated;
use crate::generated::operations::STATUS_SYNC;
use crate::status::{StatusSync, check_request};
use crate::types::StatusSyncRequest;

/// The provider name in errors, traces and the `User-Agent`.
const PROVIDER: &str = "appzen";

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
    /// The optional environment variable [`Region::from_env`] reads: `APPZEN_BASE_URL`.
    pub const BASE_URL_ENV: &'static str = "APPZEN_BASE_URL";

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

    /// The region named by the environment variable `APPZEN_BASE_URL` (see
    /// [`Region::from_base_url`]), `None` when it is unset or empty.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidEnvVar`] when the variable is not valid Unicode.
    pub fn from_env() -> Result<Option<Self>, ConfigError> {
        Ok(env_var(Self::BASE_URL_ENV)?.map(Self::from_base_url))
    }
}

/// Checks a base URL and drops its trailing slash. The error leaves the URL out: it may carry
/// user info.
fn checked_base_url(raw: &str) -> Result<String, ConfigError> {
    let invalid = |reason| ConfigError::InvalidBaseUrl { reason };
    let url = reqwest::Url::parse(raw.trim()).map_err(|_| invalid("not an absolute URL"))?;
    let Some(host) = url.host_str() else {
        return Err(invalid("no host"));
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("user info is not allowed (credentials travel in headers)"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("a query or fragment is not allowed"));
    }
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback =
        host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(invalid(
                "http is allowed only on a loopback host (credentials would travel unencrypted)",
            ));
        }
        _ => return Err(invalid("the scheme must be https")),
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// Builds an [`AppZenClient`]; see [`AppZenClient::builder`].
#[derive(Clone, Debug)]
#[must_use]
pub struct AppZenClientBuilder {
    region: Region,
    credentials: AppZenCredentials,
    config: ClientConfig,
}

impl AppZenClientBuilder {
    /// Retries, timeouts and the `User-Agent` suffix (default: [`ClientConfig::default`]).
    pub fn config(mut self, config: ClientConfig) -> Self {
        self.config = config;
        self
    }

    /// The client.
    ///
    /// # Errors
    ///
    /// [`ConfigError::EmptyCredential`] or [`ConfigError::InvalidCredential`] naming the header,
    /// [`ConfigError::InvalidBaseUrl`], or [`ConfigError::HttpClient`].
    pub fn build(self) -> Result<AppZenClient, ConfigError> {
        let base_url = checked_base_url(self.region.base_url())?;
        let headers = self.credentials.into_headers()?;
        let provider = Provider {
            name: PROVIDER,
            sdk_version: env!("CARGO_PKG_VERSION"),
            operations: generated::operations::OPERATIONS,
        };
        let runtime = Runtime::new(provider, Credentials::Headers(headers), self.config)?;
        let http = runtime.http_client().map_err(ConfigError::HttpClient)?;
        let client = generated::client::Client::new_with_client(&base_url, http, runtime.clone());
        Ok(AppZenClient {
            region: self.region,
            base_url,
            runtime,
            client,
        })
    }
}

/// A client for AppZen's invoice Status Sync API. Cheap to clone; clones share one connection
/// pool.
///
/// Every request carries the `x-api-key`, `customer-id` and `customer-key` headers and goes
/// through [`sdk_runtime`]: retries (a `POST` only on 429 and 503, or when no connection was
/// made, unless [`RetryPolicy::retry_non_idempotent`](crate::RetryPolicy::retry_non_idempotent)
/// is set), timeouts and a `sdk.call` tracing span. `Debug` never shows a credential.
#[derive(Clone)]
pub struct AppZenClient {
    region: Region,
    base_url: String,
    runtime: Runtime,
    client: generated::client::Client,
}

impl AppZenClient {
    /// A builder for a client of `region`, signing requests with `credentials`.
    pub fn builder(region: Region, credentials: AppZenCredentials) -> AppZenClientBuilder {
        AppZenClientBuilder {
            region,
            credentials,
            config: ClientConfig::default(),
        }
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
    /// AppZen answers `200` with an empty body; the receipt carries its `x-correlation-id`. Any
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
    pub async fn status_sync(&self, uuid: Uuid, sync: StatusSync) -> Result<SyncReceipt, Error> {
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
    pub async fn status_sync_request(&self, uuid: Uuid, request: StatusSyncRequest) -> Result<SyncReceipt, Error> {
        if uuid.is_nil() {
            return Err(invalid(InvalidStatusSync::NilUuid));
        }
        check_request(&request).map_err(invalid)?;
        let call = self.client.status_sync().uuid(uuid).body(request).send();
        // Any 2xx is a completed sync, whatever its body (AppZen documents 200, some pages 201).
        let reply = self.runtime.call_write(&STATUS_SYNC, call).await?;
        Ok(SyncReceipt {
            correlation_id: reply.request_id().map(str::to_owned),
            status: reply.status,
        })
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

/// AppZen's acknowledgement of a status sync (a `200` with an empty body).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyncReceipt {
    /// The `x-correlation-id` AppZen returned, to quote to AppZen Support.
    pub correlation_id: Option<String>,
    /// The HTTP status (`200`).
    pub status: StatusCode,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_regions_have_appzens_hosts() {
        assert_eq!(Region::Production.base_url(), "https://api.appzen.com");
        assert_eq!(Region::UsSandbox.base_url(), "https://api.us.sandbox.appzen.com");
        assert_eq!(Region::Eu.base_url(), "https://eu-api.appzen.com");
        for region in [Region::Production, Region::UsSandbox, Region::Eu] {
            assert_eq!(Region::from_base_url(format!("{}/", region.base_url())), region);
            assert_eq!(checked_base_url(region.base_url()).unwrap(), region.base_url());
        }
    }

    #[test]
    fn base_urls_are_checked() {
        assert_eq!(
            checked_base_url("https://gw.example.com/appzen/").unwrap(),
            "https://gw.example.com/appzen"
        );
        assert_eq!(
            checked_base_url("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(checked_base_url("http://localhost:1/").unwrap(), "http://localhost:1");
        assert_eq!(checked_base_url("http://[::1]:9").unwrap(), "http://[::1]:9");
        for bad in [
            "api.appzen.com",
            "http://api.appzen.com",
            "ftp://api.appzen.com",
            "https://user:pass-canary@api.appzen.com",
            "https://api.appzen.com/?x=1",
            "https://api.appzen.com/#top",
        ] {
            let error = checked_base_url(bad).unwrap_err();
            assert!(matches!(error, ConfigError::InvalidBaseUrl { .. }), "{bad}: {error:?}");
            assert!(!format!("{error} {error:?}").contains("canary"));
        }
    }
}
