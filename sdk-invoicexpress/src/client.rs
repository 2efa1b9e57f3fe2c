//! The JSON API v2 client.

use std::fmt;

use progenitor_client::ResponseValue;
use sdk_runtime::{ClientConfig, ErrorKind, Reply, Runtime, Secret};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::config::{self, ENV_BASE_URL, Settings};
use crate::error::{ConfigError, Error};
use crate::generated::client::Client as Generated;
use crate::state::{DocumentKind, StateChange};
use crate::transitions::{TRANSITIONS, Transition};
use crate::types::{self, Document, DocumentResponse, DocumentStatus, LegacyDocument};

/// The spec's `operationId`s of the JSON operations.
pub(crate) const OP_CHANGE_STATE: &str = "changeDocumentState";
pub(crate) const OP_GET_DOCUMENT: &str = "getDocument";

/// The outcome of a state change: the document when the provider sent it back (InvoiceXpress
/// answers 200 with or without a body), and the transition the guard matched when the caller
/// gave the current status.
#[derive(Clone, Debug, PartialEq)]
pub struct StateChanged<D> {
    /// The changed document, when the response had one.
    pub document: Option<D>,
    /// The table row that allowed the change, when the current status was given.
    pub transition: Option<&'static Transition>,
}

impl<D> StateChanged<D> {
    /// The status the transition table predicts (its `to`), when the current status was given.
    pub fn expected_status(&self) -> Option<&DocumentStatus> {
        self.transition.map(|row| &row.to)
    }
}

impl StateChanged<Document> {
    /// The document's status as returned, else the status the table predicts.
    pub fn status(&self) -> Option<&DocumentStatus> {
        self.document
            .as_ref()
            .and_then(|doc| doc.status.as_ref())
            .or_else(|| self.expected_status())
    }
}

impl StateChanged<LegacyDocument> {
    /// The document's state as returned, else the status the table predicts.
    pub fn status(&self) -> Option<&DocumentStatus> {
        self.document
            .as_ref()
            .and_then(|doc| doc.state.as_ref())
            .or_else(|| self.expected_status())
    }
}

/// The InvoiceXpress JSON API v2 client: document state changes (with the transition guard) and
/// document reads.
///
/// The API key travels as the `api_key` query parameter of every request and is never shown:
/// not in `Debug`, not in errors (URLs are left out of them), not in traces. Every call goes
/// through [`sdk_runtime`]: retries, timeouts and one typed [`Error`].
#[derive(Clone)]
pub struct InvoiceXpressClient {
    generated: Generated,
    runtime: Runtime,
    base_url: String,
}

impl fmt::Debug for InvoiceXpressClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InvoiceXpressClient")
            .field("base_url", &self.base_url)
            .field("api_key", &sdk_runtime::REDACTED)
            .field("config", self.runtime.config())
            .finish()
    }
}

/// Builds an [`InvoiceXpressClient`]: account name (or base URL), API key, configuration.
#[derive(Clone, Debug, Default)]
pub struct InvoiceXpressClientBuilder {
    settings: Settings,
}

impl InvoiceXpressClientBuilder {
    /// The account name, as in `https://{account_name}.app.invoicexpress.com`. Must be a DNS label.
    pub fn account_name(mut self, account_name: impl Into<String>) -> Self {
        self.settings.account_name = Some(account_name.into());
        self
    }

    /// The account's API key.
    pub fn api_key(mut self, api_key: impl Into<Secret>) -> Self {
        self.settings.api_key = Some(api_key.into());
        self
    }

    /// A base URL replacing `https://{account_name}.app.invoicexpress.com` (a proxy, a mock
    /// server). Must be `https`, or `http` to a loopback address; no query, no user info.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.settings.base_url = Some(base_url.into());
        self
    }

    /// Retries, timeouts and `User-Agent` suffix.
    pub fn config(mut self, config: ClientConfig) -> Self {
        self.settings.config = config;
        self
    }

    /// Validates the settings and builds the client.
    pub fn build(self) -> Result<InvoiceXpressClient, ConfigError> {
        let connection = self.settings.connect(default_base_url)?;
        let generated = Generated::new_with_client(&connection.base_url, connection.http, connection.runtime.clone());
        Ok(InvoiceXpressClient {
            generated,
            runtime: connection.runtime,
            base_url: connection.base_url,
        })
    }
}

fn default_base_url(account_name: &str) -> String {
    format!("https://{account_name}.app.invoicexpress.com")
}

impl InvoiceXpressClient {
    /// A client for `https://{account_name}.app.invoicexpress.com` with the default configuration.
    pub fn new(account_name: impl Into<String>, api_key: impl Into<Secret>) -> Result<Self, ConfigError> {
        Self::builder().account_name(account_name).api_key(api_key).build()
    }

    /// A builder, for a custom configuration or base URL.
    pub fn builder() -> InvoiceXpressClientBuilder {
        InvoiceXpressClientBuilder::default()
    }

    /// A client from the environment: `INVOICEXPRESS_ACCOUNT`, `INVOICEXPRESS_API_KEY` and the
    /// optional `INVOICEXPRESS_BASE_URL`. A missing variable is named in the error; no value is.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::builder_from_env()?.build()
    }

    /// A builder preset from the environment (see [`InvoiceXpressClient::from_env`]), to add a
    /// configuration before building.
    pub fn builder_from_env() -> Result<InvoiceXpressClientBuilder, ConfigError> {
        Ok(InvoiceXpressClientBuilder {
            settings: Settings::from_lookup(config::env_var, ENV_BASE_URL)?,
        })
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The runtime: provider, configuration, `User-Agent`.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// The generated client this facade wraps, for calls it does not wrap:
    ///
    /// ```no_run
    /// # async fn run(client: &sdk_invoicexpress::InvoiceXpressClient) -> Result<(), sdk_invoicexpress::Error> {
    /// use sdk_invoicexpress::types::DocumentType;
    ///
    /// let call = client.generated().get_document().document_type(DocumentType::Invoices).document_id(1).send();
    /// let reply = client.runtime().call("getDocument", call).await?;
    /// println!("{:?}", reply.value.document());
    /// # Ok(())
    /// # }
    /// ```
    pub fn generated(&self) -> &Generated {
        &self.generated
    }

    /// Changes a document's state (`PUT /{document-type}/{document-id}/change-state.json`).
    ///
    /// With `current_status`, the change is first checked against [`TRANSITIONS`] (seed 002's
    /// table): a change the table does not allow is refused locally, without a request, with an
    /// [`ErrorKind::InvalidRequest`] error whose
    /// [`transition_refused`](crate::ErrorExt::transition_refused) names the type, the status, the
    /// change and the changes allowed from there. A status the table has no row from (`sent`, an
    /// unknown value) allows nothing. Without a status, the server decides (422 "Invalid state"
    /// for a transition it refuses).
    ///
    /// A 200 with an empty body and a 200 with the document wrapped in its singular type key both
    /// succeed; [`StateChanged::document`] is `None` in the first case.
    pub async fn change_state(
        &self,
        document_type: DocumentKind,
        document_id: i64,
        change: &StateChange,
        current_status: Option<&DocumentStatus>,
    ) -> Result<Reply<StateChanged<Document>>, Error> {
        let transition = match current_status {
            Some(status) => Some(TRANSITIONS.check(document_type, status, change).map_err(|refused| {
                tracing::debug!(provider = config::PROVIDER.name, %refused, "state change refused by the transition guard");
                Error::invalid_request(config::PROVIDER.name, OP_CHANGE_STATE, refused)
            })?),
            None => None,
        };
        let body = types::ChangeStateRequest {
            invoice: types::StateChange {
                state: change.kind(),
                message: change.reason().map(str::to_string),
            },
        };
        let call = self
            .generated
            .change_document_state()
            .document_type(types::DocumentType::from(document_type))
            .document_id(document_id)
            .body(body)
            .send();
        let reply = match self.runtime.call_optional(OP_CHANGE_STATE, call).await {
            Ok(reply) => reply,
            Err(error) => decode_without_nulls::<DocumentResponse>(&error).ok_or(error)?.map(Some),
        };
        Ok(reply.map(|response| StateChanged {
            document: response.and_then(|response| response.into_document(document_type)),
            transition,
        }))
    }

    /// Reads a document (`GET /{document-type}/{document-id}.json`). A 200 whose body wraps no
    /// document under a known key is an [`ErrorKind::Decode`] error (its raw body is the decoded
    /// value encoded again).
    pub async fn get_document(&self, document_type: DocumentKind, document_id: i64) -> Result<Reply<Document>, Error> {
        let call = async {
            let value = self
                .generated
                .get_document()
                .document_type(types::DocumentType::from(document_type))
                .document_id(document_id)
                .send()
                .await?;
            let (status, headers) = (value.status(), value.headers().clone());
            let body = value.into_inner();
            let shown = body
                .document()
                .is_none()
                .then(|| serde_json::to_vec(&body).unwrap_or_default());
            match body.into_document(document_type) {
                Some(document) => Ok(ResponseValue::new(document, status, headers)),
                None => Err(
                    progenitor_client::Error::<types::ErrorResponse>::InvalidResponsePayload(
                        shown.unwrap_or_default().into(),
                        serde::de::Error::custom(
                            "no document under invoice, simplified_invoice, invoice_receipt, credit_note or debit_note",
                        ),
                    ),
                ),
            }
        };
        match self.runtime.call(OP_GET_DOCUMENT, call).await {
            Ok(reply) => Ok(reply),
            Err(error) => decode_without_nulls::<DocumentResponse>(&error)
                .and_then(|reply| {
                    let Reply { value, status, headers } = reply;
                    value.into_document(document_type).map(|document| Reply {
                        value: document,
                        status,
                        headers,
                    })
                })
                .ok_or(error),
        }
    }
}

/// For a decode error on a 2xx: the body decoded once more with every JSON `null` removed (the
/// generated types accept an absent field wherever they reject a `null`, e.g. a `null` item
/// list). `None` for any other error, or when the body still does not decode.
fn decode_without_nulls<T: DeserializeOwned>(error: &Error) -> Option<Reply<T>> {
    let status = error
        .status()
        .filter(|status| status.is_success() && error.kind() == ErrorKind::Decode)?;
    let value = serde_json::from_str::<Value>(error.raw_body()?).ok()?;
    let value = serde_json::from_value::<T>(without_nulls(value)).ok()?;
    Some(Reply {
        value,
        status,
        headers: error.headers().clone(),
    })
}

fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().filter(|v| !v.is_null()).map(without_nulls).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generated::operations::OPERATIONS;

    #[test]
    fn operation_ids_are_the_specs() {
        for id in [OP_CHANGE_STATE, OP_GET_DOCUMENT, crate::legacy::OP_CHANGE_STATE_LEGACY] {
            assert!(
                OPERATIONS.iter().any(|op| op.operation_id == id),
                "{id} is not in the spec"
            );
        }
    }

    #[test]
    fn nulls_are_removed_everywhere() {
        let value = serde_json::json!({"a": null, "b": [null, {"c": null, "d": 1}], "e": "x"});
        assert_eq!(without_nulls(value), serde_json::json!({"b": [{"d": 1}], "e": "x"}));
    }
}
