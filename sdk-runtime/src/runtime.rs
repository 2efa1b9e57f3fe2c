//! The runtime every generated client carries as its inner value: the provider, the credentials,
//! the configuration. Its hooks (`hooks.rs`) and call wrappers (`call.rs`) act on it.

use std::sync::Arc;

use reqwest::header::{HeaderName, HeaderValue};

use crate::config::{ClientConfig, ConfigError, is_visible_ascii};
use crate::credentials::{AuthError, Credentials};
use crate::error::Error;
use crate::http_client::build_http_client;
use crate::operation::{OperationSpec, Provider};
use crate::rate::Budgets;
use crate::request_url::ParsedBase;
use crate::secret::Secret;

/// The runtime shared by a client's calls. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Runtime {
    pub(crate) inner: Arc<RuntimeInner>,
}

#[derive(Debug)]
pub(crate) struct RuntimeInner {
    pub provider: Provider,
    pub credentials: Credentials,
    /// [`Credentials::static_headers`], built once.
    pub static_headers: Option<Result<Vec<(HeaderName, HeaderValue)>, AuthError>>,
    pub config: ClientConfig,
    pub user_agent: HeaderValue,
    /// The rate budgets every call spends from (shared by the clones).
    pub budgets: Budgets,
    /// [`Credentials::query_pair`], encoded once: the generated requests' URLs carry it from the
    /// start (see [`ParsedBase`]).
    pub query_pair: Option<Secret>,
    /// The generated client's base URL, parsed once for every request's URL.
    pub base: ParsedBase,
}

impl Runtime {
    /// A runtime for `provider`, signing requests with `credentials`.
    ///
    /// Refuses, before anything is sent, a configuration [`ClientConfig::validate`] refuses and a
    /// credential sent in a header (a bearer token, an API key header) that is not visible ASCII.
    pub fn new(provider: Provider, credentials: Credentials, config: ClientConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        check_header_credentials(&credentials)?;
        let mut agent = format!("sdk-{}/{}", provider.name, provider.sdk_version);
        if let Some(suffix) = config.user_agent_suffix.as_deref().filter(|s| !s.trim().is_empty()) {
            agent.push(' ');
            agent.push_str(suffix.trim());
        }
        // The suffix was checked above; the provider name and version are the SDK's own.
        let user_agent = HeaderValue::from_str(&agent).map_err(|_| ConfigError::UserAgentSuffix { position: 0 })?;
        let limits = config.rate_limits.clone().unwrap_or_else(provider.default_rate_limits);
        let budgets = Budgets::new(&limits)?;
        Ok(Self {
            inner: Arc::new(RuntimeInner {
                provider,
                static_headers: credentials.static_headers(),
                query_pair: credentials.query_pair(),
                credentials,
                config,
                user_agent,
                budgets,
                base: ParsedBase::default(),
            }),
        })
    }

    /// The provider this runtime works for.
    pub fn provider(&self) -> &Provider {
        &self.inner.provider
    }

    /// The client configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// The `User-Agent` sent with every request.
    pub fn user_agent(&self) -> &str {
        self.inner.user_agent.to_str().unwrap_or_default()
    }

    /// A `reqwest` client with this runtime's connect timeout and the SDKs' redirect policy (see
    /// [`build_http_client`]). The runtime bounds each attempt itself, so the client has no
    /// timeout of its own.
    pub fn http_client(&self) -> Result<reqwest::Client, ConfigError> {
        build_http_client(&self.inner.config).map_err(|e| ConfigError::HttpClient(e.without_url().to_string()))
    }

    /// A request refused locally, before anything was sent: `reason` says why (it is the error's
    /// `source`).
    pub fn invalid_request<E>(
        &self,
        operation: &'static OperationSpec,
        reason: impl std::error::Error + Send + Sync + 'static,
    ) -> Error<E> {
        Error::invalid_request(self.inner.provider.name, operation.operation_id, reason)
    }

    /// A request's path and query for logs: query values that are credentials show as
    /// [`REDACTED`](crate::REDACTED), so the line is safe to print.
    pub fn redacted_target(&self, url: &reqwest::Url) -> String {
        let secrets = self.inner.credentials.secret_values();
        let credential_name = match &self.inner.credentials {
            Credentials::QueryApiKey { name, .. } => Some(*name),
            _ => None,
        };
        let mut target = url.path().to_string();
        let pairs: Vec<String> = url
            .query_pairs()
            .map(|(name, value)| {
                let secret = Some(name.as_ref()) == credential_name
                    || secrets.iter().any(|s| !s.is_empty() && value.contains(s.as_str()));
                let shown = if secret {
                    crate::REDACTED.to_string()
                } else {
                    value.into_owned()
                };
                format!("{name}={shown}")
            })
            .collect();
        if !pairs.is_empty() {
            target.push('?');
            target.push_str(&pairs.join("&"));
        }
        target
    }
}

/// Refuses header credentials that are not visible ASCII, before anything is sent.
fn check_header_credentials(credentials: &Credentials) -> Result<(), ConfigError> {
    let refuse = |header: &str| ConfigError::InvalidCredential {
        name: header.to_string(),
        reason: "must be non-empty visible ASCII (no spaces, control or non-ASCII characters)",
    };
    match credentials {
        Credentials::Bearer(token) if !is_visible_ascii(token.expose()) => Err(refuse("authorization")),
        Credentials::Headers(headers) => headers
            .iter()
            .find(|(_, value)| !is_visible_ascii(value.expose()))
            .map_or(Ok(()), |(name, _)| Err(refuse(name.as_str()))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted_target_hides_credential_query_values() {
        let runtime = Runtime::new(
            Provider {
                name: "p",
                sdk_version: "1",
                operations: &[],
                default_rate_limits: crate::RateLimits::none,
            },
            Credentials::QueryApiKey {
                name: "api_key",
                value: crate::Secret::new("k3y-canary"),
            },
            ClientConfig::default(),
        )
        .unwrap();
        let url =
            reqwest::Url::parse("https://x.test/invoices/7.json?api_key=k3y-canary&page=2&echo=k3y-canary").unwrap();
        assert_eq!(
            runtime.redacted_target(&url),
            "/invoices/7.json?api_key=[REDACTED]&page=2&echo=[REDACTED]"
        );
    }
}
