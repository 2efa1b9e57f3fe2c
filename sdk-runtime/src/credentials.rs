//! How a request proves who sends it: a bearer token (static or OAuth2 client credentials), an API
//! key in the query string, or credential headers.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::config::{ClientConfig, RetryPolicy};
use crate::secret::{REDACTED, Secret, scrub};

/// The credentials a client signs every request with.
#[derive(Clone)]
pub enum Credentials {
    /// No credentials (for tests against mocks).
    None,
    /// `Authorization: Bearer <token>` with a token you obtained yourself.
    Bearer(Secret),
    /// `Authorization: Bearer <token>` with a token fetched, cached and refreshed through the OAuth2
    /// client-credentials grant.
    OAuth2(Arc<ClientCredentialsFlow>),
    /// A query parameter carrying an API key (e.g. `api_key=...`).
    QueryApiKey {
        /// The query parameter's name.
        name: &'static str,
        /// The key.
        value: Secret,
    },
    /// One or more headers carrying credentials (e.g. `x-api-key`, `customer-key`).
    Headers(Vec<(HeaderName, Secret)>),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("Credentials::None"),
            Self::Bearer(_) => write!(f, "Credentials::Bearer({REDACTED})"),
            Self::OAuth2(flow) => write!(f, "Credentials::OAuth2({flow:?})"),
            Self::QueryApiKey { name, .. } => {
                write!(f, "Credentials::QueryApiKey {{ name: {name:?}, value: {REDACTED} }}")
            }
            Self::Headers(headers) => {
                let names: Vec<&str> = headers.iter().map(|(name, _)| name.as_str()).collect();
                write!(f, "Credentials::Headers({names:?}, values {REDACTED})")
            }
        }
    }
}

/// A header value built from a secret, marked sensitive so that `http` and `reqwest` never print it.
pub(crate) fn sensitive_value(text: &str) -> Result<HeaderValue, AuthError> {
    let mut value = HeaderValue::from_str(text)
        .map_err(|_| AuthError::InvalidCredential("a credential contains characters not allowed in an HTTP header"))?;
    value.set_sensitive(true);
    Ok(value)
}

/// `name=value`, form-encoded as `Url::query_pairs_mut` would append it.
fn encoded_query_pair(name: &str, value: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair(name, value)
        .finish()
}

/// Appends an encoded `name=value` pair to the URL's query, unless the query already holds it
/// (the generated requests' URLs carry it from the start: see `request_url`).
pub(crate) fn add_query_pair(url: &mut reqwest::Url, pair: &str) {
    match url.query() {
        Some(query) if query.split('&').any(|present| present == pair) => {}
        Some(query) if !query.is_empty() => {
            let joined = format!("{query}&{pair}");
            url.set_query(Some(&joined));
        }
        _ => url.set_query(Some(pair)),
    }
}

pub(crate) fn bearer_value(token: &Secret) -> Result<HeaderValue, AuthError> {
    sensitive_value(&format!("Bearer {}", token.expose()))
}

impl Credentials {
    /// Signs a request. For OAuth2 this fetches (or reuses) a token.
    pub(crate) async fn apply(&self, request: &mut reqwest::Request) -> Result<(), AuthError> {
        match self {
            Self::None => {}
            Self::Bearer(token) => {
                request.headers_mut().insert(AUTHORIZATION, bearer_value(token)?);
            }
            Self::OAuth2(flow) => {
                let token = flow.access_token().await?;
                request.headers_mut().insert(AUTHORIZATION, bearer_value(&token)?);
            }
            Self::QueryApiKey { name, value } => {
                add_query_pair(request.url_mut(), &encoded_query_pair(name, value.expose()));
            }
            Self::Headers(headers) => {
                for (name, value) in headers {
                    request
                        .headers_mut()
                        .insert(name.clone(), sensitive_value(value.expose())?);
                }
            }
        }
        Ok(())
    }

    /// The headers of credentials that never change (a static bearer token, credential headers),
    /// built once so that each call only clones them; `None` for the kinds that vary per call.
    pub(crate) fn static_headers(&self) -> Option<Result<Vec<(HeaderName, HeaderValue)>, AuthError>> {
        match self {
            Self::Bearer(token) => Some(bearer_value(token).map(|value| vec![(AUTHORIZATION, value)])),
            Self::Headers(headers) => Some(
                headers
                    .iter()
                    .map(|(name, value)| sensitive_value(value.expose()).map(|v| (name.clone(), v)))
                    .collect(),
            ),
            Self::None | Self::OAuth2(_) | Self::QueryApiKey { .. } => None,
        }
    }

    /// The query parameter of an API key, encoded as it travels (`name=value`); `None` for the
    /// kinds sent in headers.
    pub(crate) fn query_pair(&self) -> Option<Secret> {
        match self {
            Self::QueryApiKey { name, value } => Some(Secret::new(encoded_query_pair(name, value.expose()))),
            _ => None,
        }
    }

    /// Whether a rejected credential can be renewed (only OAuth2 tokens can).
    pub(crate) fn renewable(&self) -> bool {
        matches!(self, Self::OAuth2(_))
    }

    /// After a 401: whether a fresh credential exists, and if so, puts it on `request`.
    /// Only OAuth2 tokens can be renewed; every other kind returns `Ok(false)`.
    pub(crate) async fn renew_after_rejection(&self, request: &mut reqwest::Request) -> Result<bool, AuthError> {
        let Self::OAuth2(flow) = self else { return Ok(false) };
        let rejected = request.headers().get(AUTHORIZATION).cloned();
        let token = flow.renew_unless_changed(rejected.as_ref()).await?;
        request.headers_mut().insert(AUTHORIZATION, bearer_value(&token)?);
        Ok(true)
    }

    /// How the credentials travel, with every value redacted: for logs and request printouts.
    pub fn describe_redacted(&self) -> String {
        match self {
            Self::None => "none".into(),
            Self::Bearer(_) | Self::OAuth2(_) => format!("Authorization: Bearer {REDACTED}"),
            Self::QueryApiKey { name, .. } => format!("query {name}={REDACTED}"),
            Self::Headers(headers) => {
                let names: Vec<&str> = headers.iter().map(|(name, _)| name.as_str()).collect();
                format!("headers {}: {REDACTED}", names.join(", "))
            }
        }
    }

    /// The secret values currently in use, so that text echoed by a server can be scrubbed.
    pub(crate) fn secret_values(&self) -> Vec<String> {
        match self {
            Self::None => Vec::new(),
            Self::Bearer(token) => vec![token.expose().to_string()],
            Self::OAuth2(flow) => flow.secret_values(),
            Self::QueryApiKey { value, .. } => vec![value.expose().to_string()],
            Self::Headers(headers) => headers.iter().map(|(_, value)| value.expose().to_string()).collect(),
        }
    }
}

/// A credential could not be obtained or used. Never contains the credential itself.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AuthError {
    /// The token endpoint answered with an error status.
    #[error("the token endpoint answered HTTP {status}{}", describe_oauth_error(.error.as_deref(), .description.as_deref()))]
    TokenEndpoint {
        /// HTTP status of the token endpoint's answer.
        status: u16,
        /// The OAuth2 `error` code, when the body had one (e.g. `invalid_client`).
        error: Option<String>,
        /// The OAuth2 `error_description`, when the body had one.
        description: Option<String>,
    },
    /// The token endpoint could not be reached or did not answer in time.
    #[error("the token endpoint could not be reached: {0}")]
    TokenTransport(String),
    /// The token endpoint answered 2xx with a body that is not a token response.
    #[error("the token endpoint's answer is not a token response: {0}")]
    TokenResponse(String),
    /// A credential is unusable as configured (e.g. it contains a newline).
    #[error("invalid credential: {0}")]
    InvalidCredential(&'static str),
}

impl AuthError {
    /// Whether asking again later may succeed: the token endpoint could not be reached, or it
    /// answered 408, 429, 502, 503 or 504.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::TokenTransport(_) => true,
            Self::TokenEndpoint { status, .. } => {
                reqwest::StatusCode::from_u16(*status).is_ok_and(crate::retry::is_retryable_status)
            }
            Self::TokenResponse(_) | Self::InvalidCredential(_) => false,
        }
    }
}

fn describe_oauth_error(error: Option<&str>, description: Option<&str>) -> String {
    match (error, description) {
        (Some(e), Some(d)) => format!(" ({e}: {d})"),
        (Some(e), None) => format!(" ({e})"),
        (None, Some(d)) => format!(" ({d})"),
        (None, None) => String::new(),
    }
}

/// The OAuth2 client-credentials grant (RFC 6749 §4.4): a form POST of
/// `grant_type=client_credentials`, `client_id`, `client_secret` (and `scope`) to the token URL.
///
/// The token request is retried like any safe request (see [`ClientCredentialsFlow::with_config`]):
/// on 408, 429, 502, 503, 504 (after `Retry-After` when given) and when the endpoint cannot be
/// reached, within the call's deadline. The token is cached and renewed before `expires_in` runs
/// out. Concurrent calls share one
/// renewal: the cache is behind an async mutex, so callers that arrive during a renewal wait for it
/// and reuse its token instead of asking again.
pub struct ClientCredentialsFlow {
    token_url: String,
    client_id: String,
    client_secret: Secret,
    scope: Option<String>,
    http: reqwest::Client,
    retry: RetryPolicy,
    attempt_timeout: Duration,
    cached: Mutex<Option<CachedToken>>,
    /// The token most recently handed out, for scrubbing server echoes (std mutex: never held
    /// across an await).
    last_token: std::sync::Mutex<Option<Secret>>,
}

struct CachedToken {
    token: Secret,
    renew_at: Instant,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    /// Seconds. Some servers send it as a string (`"3599"`) or a float; anything unreadable counts
    /// as absent.
    #[serde(default, deserialize_with = "lenient_seconds")]
    expires_in: Option<u64>,
}

fn lenient_seconds<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    Ok(match value {
        Some(serde_json::Value::Number(n)) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

/// Tokens are kept at most this long, whatever `expires_in` says.
const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// A transport error in words (with its causes), without the URL.
fn describe(error: reqwest::Error) -> String {
    crate::error::describe_transport(&error.without_url())
}

#[derive(Deserialize)]
struct TokenErrorBody {
    error: Option<String>,
    error_description: Option<String>,
}

/// The largest token endpoint answer read.
const TOKEN_BODY_LIMIT: usize = 64 * 1024;

/// Tokens without `expires_in` are kept this long.
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(300);
/// Renew this long before expiry (at most half the token's lifetime).
const RENEWAL_MARGIN: Duration = Duration::from_secs(30);

impl fmt::Debug for ClientCredentialsFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentialsFlow")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl ClientCredentialsFlow {
    /// A flow against `token_url`. `http` is the client the token requests go through: give it the
    /// one [`build_http_client`](crate::build_http_client) builds (redirects only within one
    /// origin, so the client secret never travels elsewhere). Retries and the per-attempt timeout
    /// are [`ClientConfig`]'s defaults until [`ClientCredentialsFlow::with_config`] sets them.
    pub fn new(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: Secret,
        scope: Option<String>,
        http: reqwest::Client,
    ) -> Self {
        Self {
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret,
            scope,
            http,
            retry: RetryPolicy::default(),
            attempt_timeout: ClientConfig::default().timeouts.attempt,
            cached: Mutex::new(None),
            last_token: std::sync::Mutex::new(None),
        }
    }

    /// Takes the retry policy and the per-attempt timeout of `config` for token requests (the
    /// API client's own settings, so a token request behaves as any other request).
    #[must_use]
    pub fn with_config(mut self, config: &ClientConfig) -> Self {
        self.retry = config.retry.clone();
        self.attempt_timeout = config.timeouts.attempt;
        self
    }

    /// The token URL.
    pub fn token_url(&self) -> &str {
        &self.token_url
    }

    /// A valid access token: the cached one, or a new one when it is missing or about to expire.
    pub async fn access_token(&self) -> Result<Secret, AuthError> {
        let mut cached = self.cached.lock().await;
        if let Some(token) = cached.as_ref().filter(|t| Instant::now() < t.renew_at) {
            return Ok(token.token.clone());
        }
        // Boxed: a token request is rare, and its state inline would grow every call's future.
        let fresh = Box::pin(self.fetch()).await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    /// Renews the token after the server rejected `rejected` (an `Authorization` value), unless a
    /// concurrent call already renewed it, in which case the newer token is returned.
    async fn renew_unless_changed(&self, rejected: Option<&HeaderValue>) -> Result<Secret, AuthError> {
        let mut cached = self.cached.lock().await;
        if let Some(current) = cached.as_ref() {
            let same =
                rejected.is_some_and(|r| r.as_bytes() == format!("Bearer {}", current.token.expose()).as_bytes());
            if !same {
                return Ok(current.token.clone());
            }
        }
        // Boxed: a token request is rare, and its state inline would grow every call's future.
        let fresh = Box::pin(self.fetch()).await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    /// Forgets the cached token, so the next call fetches a new one.
    pub async fn invalidate(&self) {
        *self.cached.lock().await = None;
    }

    fn secret_values(&self) -> Vec<String> {
        let mut values = vec![self.client_secret.expose().to_string()];
        if let Ok(last) = self.last_token.lock() {
            values.extend(last.as_ref().map(|t| t.expose().to_string()));
        }
        values
    }

    /// Asks for a token, again after a transient failure while attempts and the call's deadline
    /// allow.
    async fn fetch(&self) -> Result<CachedToken, AuthError> {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let remaining = crate::record::call_deadline().map_or(Duration::MAX, |deadline| {
                deadline.saturating_duration_since(Instant::now())
            });
            let (error, retry_after) = match self.fetch_once(self.attempt_timeout.min(remaining)).await {
                Ok(token) => return Ok(token),
                Err(failure) => failure,
            };
            if !error.is_transient() || attempt >= self.retry.max_attempts {
                return Err(error);
            }
            let delay = retry_after.unwrap_or_else(|| self.retry.backoff(attempt));
            let remaining = crate::record::call_deadline().map_or(Duration::MAX, |deadline| {
                deadline.saturating_duration_since(Instant::now())
            });
            if delay >= remaining {
                return Err(error);
            }
            tracing::warn!(attempt, delay_ms = delay.as_millis() as u64, reason = %error, "retrying the token request");
            tokio::time::sleep(delay).await;
        }
    }

    /// One token request. A failure comes with the endpoint's `Retry-After`, when it sent one.
    async fn fetch_once(&self, timeout: Duration) -> Result<CachedToken, (AuthError, Option<Duration>)> {
        let transport = |e| (AuthError::TokenTransport(describe(e)), None);
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose()),
        ];
        if let Some(scope) = &self.scope {
            form.push(("scope", scope.as_str()));
        }
        let started = Instant::now();
        let mut response = self
            .http
            .post(&self.token_url)
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form)
            .timeout(timeout)
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        let retry_after = crate::retry::retry_after(response.headers());
        // A token response is small; a larger body is not a token response.
        let (body, failure) = crate::body::read_capped(&mut response, TOKEN_BODY_LIMIT).await;
        if let Some(failure) = failure {
            return Err(match failure {
                crate::body::ReadFailure::Transport(error) => transport(error),
                crate::body::ReadFailure::TooLarge { limit } => (
                    AuthError::TokenResponse(format!("the body is larger than {limit} bytes")),
                    None,
                ),
                // Not expected: a token is fetched before the first attempt or between attempts,
                // when no attempt's end is set.
                crate::body::ReadFailure::TimedOut => {
                    (AuthError::TokenTransport("the token response timed out".into()), None)
                }
            });
        }
        // The server's words may echo what it was sent.
        let secret = [self.client_secret.expose()];
        let clean = |text: String| scrub(&text, &secret);
        if !status.is_success() {
            let parsed: Option<TokenErrorBody> = serde_json::from_slice(&body).ok();
            tracing::warn!(status = status.as_u16(), "token request refused");
            let error = AuthError::TokenEndpoint {
                status: status.as_u16(),
                error: parsed.as_ref().and_then(|p| p.error.clone()).map(clean),
                description: parsed.and_then(|p| p.error_description).map(clean),
            };
            return Err((error, retry_after));
        }
        let parsed: TokenResponse = serde_json::from_slice(&body).map_err(|e| {
            let error = AuthError::TokenResponse(clean(format!("{e} (body of {} bytes)", body.len())));
            (error, None)
        })?;
        if parsed.access_token.is_empty() {
            return Err((AuthError::TokenResponse("empty access_token".into()), None));
        }
        let lifetime = parsed
            .expires_in
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_TOKEN_LIFETIME)
            .min(MAX_TOKEN_LIFETIME);
        let margin = RENEWAL_MARGIN.min(lifetime / 2);
        let token = Secret::new(parsed.access_token);
        if let Ok(mut last) = self.last_token.lock() {
            *last = Some(token.clone());
        }
        tracing::debug!(lifetime_s = lifetime.as_secs(), "fetched an access token");
        Ok(CachedToken {
            token,
            renew_at: started + lifetime - margin,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expires_in(body: &str) -> Option<u64> {
        serde_json::from_str::<TokenResponse>(body).unwrap().expires_in
    }

    #[test]
    fn expires_in_is_read_leniently() {
        assert_eq!(expires_in(r#"{"access_token":"t","expires_in":3599}"#), Some(3599));
        assert_eq!(expires_in(r#"{"access_token":"t","expires_in":"3599"}"#), Some(3599));
        assert_eq!(expires_in(r#"{"access_token":"t","expires_in":59.5}"#), Some(59));
        assert_eq!(expires_in(r#"{"access_token":"t","expires_in":"soon"}"#), None);
        assert_eq!(expires_in(r#"{"access_token":"t","expires_in":null}"#), None);
        assert_eq!(expires_in(r#"{"access_token":"t"}"#), None);
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let credentials = [
            Credentials::Bearer(Secret::new("s3cret")),
            Credentials::QueryApiKey {
                name: "api_key",
                value: Secret::new("s3cret"),
            },
            Credentials::Headers(vec![(HeaderName::from_static("x-api-key"), Secret::new("s3cret"))]),
            Credentials::OAuth2(Arc::new(ClientCredentialsFlow::new(
                "http://127.0.0.1:1/token",
                "id",
                Secret::new("s3cret"),
                None,
                reqwest::Client::new(),
            ))),
        ];
        for credential in credentials {
            let shown = format!("{credential:?} {credential:#?}");
            assert!(!shown.contains("s3cret"), "{shown}");
            assert!(shown.contains(REDACTED), "{shown}");
        }
    }
}
