//! Registering the webhook and setting the retry strategy (`/v1/config/webhook`,
//! `/v1/config/retry/strategy`).

use sdk_runtime::{Reply, SuccessBody};
use uuid::Uuid;

use super::verify::ReceiverAuth;
use crate::generated::operations;
use crate::types::{
    BasicAuthentication, ConfigResourceId, HmacAuthentication, RetryStrategy, StreamDirection, Webhook,
    WebhookAuthentication, WebhookCallback, WebhookEndpoints, WebhookInteropData, WebhookRegistration,
};
use crate::{IopoleClient, Result};

/// A local check on a webhook configuration failed. Never holds a secret.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookConfigError {
    /// An HMAC secret must have 32 to 512 characters.
    #[error("the HMAC secret has {chars} characters; Iopole requires 32 to 512")]
    SecretLength {
        /// How many it has.
        chars: usize,
    },
    /// A basic-auth password must have 12 to 256 characters.
    #[error("the basic-auth password has {chars} characters; Iopole requires 12 to 256")]
    PasswordLength {
        /// How many it has.
        chars: usize,
    },
    /// A basic-auth user name must be non-empty and have no `:`.
    #[error("the basic-auth user name is empty or contains ':'")]
    InvalidUsername,
    /// A registration needs a status or an invoice callback URL.
    #[error("no callback URL: set a status and/or an invoice callback")]
    NoCallback,
    /// Iopole accepts only `https://` callback URLs.
    #[error("the {which} callback URL is not an https:// URL")]
    NotHttps {
        /// `status` or `invoice`.
        which: &'static str,
    },
    /// A label must have at least 3 characters.
    #[error("the label has fewer than 3 characters")]
    LabelTooShort,
    /// A retry strategy has 1 to 6 delays, each above 0 seconds.
    #[error("a retry strategy has 1 to 6 delays, each above 0 seconds")]
    RetryDelays,
    /// A retry strategy retries on HTTP statuses 100 to 599.
    #[error("a retry strategy retries on HTTP statuses 100 to 599 only")]
    RetryOn,
}

/// What [`IopoleClient::register_webhook`] registers: the callback URLs Iopole delivers to and
/// how it authenticates to them. `Debug` never shows a secret.
///
/// ```
/// use sdk_iopole::webhook::{ReceiverAuth, WebhookRegistrationBuilder};
///
/// let registration = WebhookRegistrationBuilder::new()
///     .status_callback("https://erp.example.com/iopole/status")
///     .invoice_callback("https://erp.example.com/iopole/invoice")
///     .label("ERP push")
///     .auth(ReceiverAuth::hmac("a-machine-generated-secret-of-32-chars-or-more").unwrap());
/// assert!(!format!("{registration:?}").contains("machine-generated"));
/// ```
#[derive(Clone, Debug, Default)]
pub struct WebhookRegistrationBuilder {
    status_callback: Option<String>,
    invoice_callback: Option<String>,
    label: Option<String>,
    adapter_code: Option<String>,
    direction: Option<StreamDirection>,
    auth: Option<ReceiverAuth>,
}

impl WebhookRegistrationBuilder {
    /// An empty registration.
    pub fn new() -> Self {
        Self::default()
    }

    /// Where Iopole posts each new status (JSON).
    pub fn status_callback(mut self, url: impl Into<String>) -> Self {
        self.status_callback = Some(url.into());
        self
    }

    /// Where Iopole posts each inbound invoice (multipart form data).
    pub fn invoice_callback(mut self, url: impl Into<String>) -> Self {
        self.invoice_callback = Some(url.into());
        self
    }

    /// A label (at least 3 characters).
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// The adapter Iopole formats deliveries with (`standardAdapter` when not set).
    pub fn adapter_code(mut self, code: impl Into<String>) -> Self {
        self.adapter_code = Some(code.into());
        self
    }

    /// Only the statuses of inbound or of outbound invoices (both when not set).
    pub fn direction(mut self, direction: StreamDirection) -> Self {
        self.direction = Some(direction);
        self
    }

    /// How Iopole authenticates to the callbacks (checked with the same value by
    /// [`WebhookVerifier`](super::WebhookVerifier)).
    pub fn auth(mut self, auth: ReceiverAuth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Checks the registration and builds the request body (which holds the secret in clear:
    /// never log it).
    pub(crate) fn build(&self) -> std::result::Result<WebhookRegistration, WebhookConfigError> {
        if self.status_callback.is_none() && self.invoice_callback.is_none() {
            return Err(WebhookConfigError::NoCallback);
        }
        let callback = |url: &Option<String>, which| match url {
            None => Ok(None),
            Some(url) if url.len() > 8 && url.get(..8).is_some_and(|s| s.eq_ignore_ascii_case("https://")) => {
                Ok(Some(WebhookCallback {
                    callback_url: url.clone(),
                    id_path: None,
                }))
            }
            Some(_) => Err(WebhookConfigError::NotHttps { which }),
        };
        let authentication = match &self.auth {
            None => None,
            Some(auth) => Some(match auth {
                ReceiverAuth::Hmac(secret) => {
                    let chars = secret.expose().chars().count();
                    WebhookAuthentication {
                        hmac: Some(HmacAuthentication {
                            secret_key: secret
                                .expose()
                                .try_into()
                                .map_err(|_| WebhookConfigError::SecretLength { chars })?,
                        }),
                        ..Default::default()
                    }
                }
                ReceiverAuth::Basic { username, password } => {
                    let chars = password.expose().chars().count();
                    WebhookAuthentication {
                        basic: Some(BasicAuthentication {
                            username: username.clone(),
                            password: password
                                .expose()
                                .try_into()
                                .map_err(|_| WebhookConfigError::PasswordLength { chars })?,
                        }),
                        ..Default::default()
                    }
                }
            }),
        };
        let label = match &self.label {
            None => None,
            Some(label) => Some(
                label
                    .as_str()
                    .try_into()
                    .map_err(|_| WebhookConfigError::LabelTooShort)?,
            ),
        };
        Ok(WebhookRegistration {
            adapter_code: self.adapter_code.clone(),
            filter_stream_direction: self.direction.clone(),
            interop_data: WebhookInteropData {
                endpoints: WebhookEndpoints {
                    status: callback(&self.status_callback, "status")?,
                    invoice: callback(&self.invoice_callback, "invoice")?,
                    authentication,
                    ..Default::default()
                },
                workflow_config: Default::default(),
            },
            label,
            status: None,
        })
    }
}

fn check_retry_strategy(strategy: &RetryStrategy) -> std::result::Result<(), WebhookConfigError> {
    let delays = &strategy.retry_delays;
    if delays.len() > 6 || delays.iter().any(|d| !d.is_finite() || *d <= 0.0) {
        return Err(WebhookConfigError::RetryDelays);
    }
    if strategy.retry_on.iter().any(|code| !(100..=599).contains(code)) {
        return Err(WebhookConfigError::RetryOn);
    }
    Ok(())
}

impl IopoleClient {
    /// Registers the webhook Iopole pushes statuses and invoices to (`POST /v1/config/webhook`).
    ///
    /// The registration is checked first (a callback URL, `https://` URLs, an HMAC secret of 32
    /// to 512 characters, a password of 12 to 256, a label of at least 3): a failed check is an
    /// [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest) error and nothing is sent.
    /// Success gives the webhook's identifier ([`ConfigResourceId`]), kept for
    /// [`IopoleClient::delete_webhook`]. One webhook per direction: a second answers 409.
    pub async fn register_webhook(
        &self,
        registration: &WebhookRegistrationBuilder,
    ) -> Result<Reply<SuccessBody<ConfigResourceId>>> {
        let body = registration
            .build()
            .map_err(|reason| self.runtime().invalid_request(&operations::CREATE_WEBHOOK, reason))?;
        let mut call = self.generated().create_webhook().body(body);
        if let Some(customer_id) = self.customer_id() {
            call = call.customer_id(customer_id);
        }
        self.runtime()
            .call_write(&operations::CREATE_WEBHOOK, call.send())
            .await
    }

    /// The registered webhooks (`GET /v1/config/webhook`); secrets come masked. An empty body is
    /// an empty list.
    pub async fn webhooks(&self) -> Result<Reply<Vec<Webhook>>> {
        let mut call = self.generated().list_webhooks();
        if let Some(customer_id) = self.customer_id() {
            call = call.customer_id(customer_id);
        }
        let reply = self
            .runtime()
            .call_optional(&operations::LIST_WEBHOOKS, call.send())
            .await?;
        Ok(reply.map(Option::unwrap_or_default))
    }

    /// One webhook (`GET /v1/config/webhook/{webhookId}`); secrets come masked.
    pub async fn webhook(&self, webhook_id: Uuid) -> Result<Reply<Webhook>> {
        let mut call = self.generated().get_webhook().webhook_id(webhook_id);
        if let Some(customer_id) = self.customer_id() {
            call = call.customer_id(customer_id);
        }
        self.runtime().call(&operations::GET_WEBHOOK, call.send()).await
    }

    /// Deletes a webhook (`DELETE /v1/config/webhook/{webhookId}`); deliveries stop. Any
    /// success status counts, whatever its body.
    pub async fn delete_webhook(&self, webhook_id: Uuid) -> Result<Reply<SuccessBody<ConfigResourceId>>> {
        let mut call = self.generated().delete_webhook().webhook_id(webhook_id);
        if let Some(customer_id) = self.customer_id() {
            call = call.customer_id(customer_id);
        }
        self.runtime()
            .call_write(&operations::DELETE_WEBHOOK, call.send())
            .await
    }

    /// Sets how Iopole retries failed deliveries (`POST /v1/config/retry/strategy`). Checked
    /// first: at most 6 delays, each above 0 seconds, and statuses 100 to 599. One strategy per
    /// account: a second answers 409 (delete the first with
    /// [`IopoleClient::delete_retry_strategy`]).
    pub async fn set_retry_strategy(&self, strategy: RetryStrategy) -> Result<Reply<SuccessBody<ConfigResourceId>>> {
        check_retry_strategy(&strategy).map_err(|reason| {
            self.runtime()
                .invalid_request(&operations::CREATE_RETRY_STRATEGY, reason)
        })?;
        let mut call = self.generated().create_retry_strategy().body(strategy);
        if let Some(customer_id) = self.customer_id() {
            call = call.customer_id(customer_id);
        }
        self.runtime()
            .call_write(&operations::CREATE_RETRY_STRATEGY, call.send())
            .await
    }

    /// The retry strategy (`GET /v1/config/retry/strategy`).
    pub async fn retry_strategy(&self) -> Result<Reply<RetryStrategy>> {
        let mut call = self.generated().get_retry_strategy();
        if let Some(customer_id) = self.customer_id() {
            call = call.customer_id(customer_id);
        }
        self.runtime().call(&operations::GET_RETRY_STRATEGY, call.send()).await
    }

    /// Deletes the retry strategy (`DELETE /v1/config/retry/strategy`); Iopole's default applies
    /// again. Any success status counts, whatever its body.
    pub async fn delete_retry_strategy(&self) -> Result<Reply<SuccessBody<ConfigResourceId>>> {
        let mut call = self.generated().delete_retry_strategy();
        if let Some(customer_id) = self.customer_id() {
            call = call.customer_id(customer_id);
        }
        self.runtime()
            .call_write(&operations::DELETE_RETRY_STRATEGY, call.send())
            .await
    }
}
