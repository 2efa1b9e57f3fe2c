//! The JSON API v2 client.

use std::fmt;

use progenitor_client::ResponseValue;
#[cfg(doc)]
use sdk_runtime::ErrorKind;
use sdk_runtime::{Reply, Runtime, SuccessBody, UnreadableBody};
use serde::Deserialize;

use crate::config::{self, Connection, client_builder};
use crate::error::Error;
use crate::generated::client::Client as Generated;
use crate::generated::operations::{CHANGE_DOCUMENT_STATE, GET_DOCUMENT};
use crate::state::{DocumentFamily, DocumentKind, StateChange};
use crate::transitions::{TRANSITIONS, Transition};
use crate::types::{self, Document, DocumentResponse, DocumentStatus, LegacyDocument};
use crate::wrapped::WrappedDocuments;

/// The outcome of a state change: the document when the provider sent it back (InvoiceXpress
/// answers 200 with or without a body), and the transition the guard matched when the caller
/// gave the current status.
///
/// A 2xx means the change happened, whatever the body: a body the SDK cannot read leaves
/// `document` empty and is kept in `unreadable_body`, never turned into an error.
#[derive(Clone, Debug, PartialEq)]
pub struct StateChanged<D> {
    /// The changed document, when the response had one that decoded.
    pub document: Option<D>,
    /// The response body, when there was one the SDK could not read or decode (the bytes and the
    /// reason).
    pub unreadable_body: Option<UnreadableBody>,
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

client_builder! {
    /// Builds an [`InvoiceXpressClient`]: the API key and the configuration, for the account
    /// given to [`InvoiceXpressClient::builder`].
    InvoiceXpressClientBuilder builds InvoiceXpressClient;
    host "https://{name}.app.invoicexpress.com";
    /// A client from the environment: `INVOICEXPRESS_ACCOUNT`, `INVOICEXPRESS_API_KEY` and the
    /// optional `INVOICEXPRESS_BASE_URL`. A missing variable is named in the error; no value is.
    env ENV_BASE_URL;
}

impl InvoiceXpressClient {
    fn from_connection(connection: Connection) -> Self {
        let generated = Generated::new_with_client(&connection.base_url, connection.http, connection.runtime.clone());
        Self {
            generated,
            runtime: connection.runtime,
            base_url: connection.base_url,
        }
    }

    /// The generated client this facade wraps, for calls it does not wrap:
    ///
    /// ```no_run
    /// # async fn run(client: &sdk_invoicexpress::InvoiceXpressClient) -> Result<(), sdk_invoicexpress::Error> {
    /// use sdk_invoicexpress::types::DocumentType;
    ///
    /// let call = client.generated().get_document().document_type(DocumentType::Invoices).document_id(1).send();
    /// let reply = client.runtime().call(&sdk_invoicexpress::operations::GET_DOCUMENT, call).await?;
    /// println!("{:?}", reply.value.document());
    /// # Ok(())
    /// # }
    /// ```
    pub fn generated(&self) -> &Generated {
        &self.generated
    }

    /// Changes a document's state (`PUT /{document-type}/{document-id}/change-state.json`), for
    /// a document of any family: the body wraps the change in the family's key (`invoice`,
    /// `quote`, `shipping` or `receipt`).
    ///
    /// The change is sent once: a timeout or a connection lost after sending is not resent (the
    /// error's [`outcome`](sdk_runtime::Error::outcome) is then `Unknown`), because a second
    /// send of an applied change is refused by InvoiceXpress. Read the document's status before
    /// trying again, or use [`ensure_state`](Self::ensure_state), which does.
    ///
    /// With `current_status`, the change is first checked against [`TRANSITIONS`] (the tables of
    /// every family): a change the table does not allow is refused locally, without a request, with an
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
                self.runtime.invalid_request(&CHANGE_DOCUMENT_STATE, refused)
            })?),
            None => None,
        };
        let body = change_request(document_type, change);
        let generated = self
            .generated
            .change_document_state()
            .document_type(types::DocumentType::from(document_type))
            .document_id(document_id)
            .body(body)
            .send_as::<WrappedDocuments>();
        // Decoded in a compact form (`x-sdk-decode-as`): the generated response type holds
        // fourteen documents inline, about 16 KiB, where the body carries one.
        let Reply { value, status, headers } = self
            .runtime
            .call_write::<_, _, types::ErrorResponse>(&CHANGE_DOCUMENT_STATE, generated)
            .await?;
        // Built where it is returned (not through `Reply::map`): the document is large, and each
        // move of it is a copy.
        let (document, unreadable_body) = match value {
            SuccessBody::Decoded(mut response) => (response.take_preferred(document_type), None),
            SuccessBody::Empty => (None, None),
            SuccessBody::Unreadable(unreadable) => (None, Some(unreadable)),
        };
        Ok(Reply {
            value: StateChanged {
                document,
                unreadable_body,
                transition,
            },
            status,
            headers,
        })
    }

    /// Reads a document of any kind (`GET /{document-type}/{document-id}.json`). A 200 whose
    /// body wraps no document under a known key is an [`ErrorKind::Decode`] error (its raw body
    /// is the decoded value encoded again).
    pub async fn get_document(&self, document_type: DocumentKind, document_id: i64) -> Result<Reply<Document>, Error> {
        let call = Box::pin(async {
            let value = self
                .generated
                .get_document()
                .document_type(types::DocumentType::from(document_type))
                .document_id(document_id)
                .send_as::<Box<DocumentResponse>>()
                .await?;
            let (status, headers) = (value.status(), value.headers().clone());
            match WrappedDocument::try_from(value.into_inner()) {
                Ok(wrapped) => Ok(ResponseValue::new(wrapped, status, headers)),
                Err(NoDocument(response)) => Err(
                    progenitor_client::Error::<types::ErrorResponse>::InvalidResponsePayload(
                        serde_json::to_vec(&response).unwrap_or_default().into(),
                        serde::de::Error::custom(NoDocument::REASON),
                    ),
                ),
            }
        });
        let reply = Box::pin(self.runtime.call::<_, _, types::ErrorResponse>(&GET_DOCUMENT, call)).await?;
        Ok(reply.map(|wrapped| wrapped.into_document(document_type)))
    }
}

/// The change-state body of `change` for a `kind` document: the change under its family's key.
pub(crate) fn change_request(kind: DocumentKind, change: &StateChange) -> types::ChangeStateRequest {
    let wire = types::StateChange {
        state: change.kind(),
        message: change.reason().map(str::to_string),
    };
    let mut body = types::ChangeStateRequest::default();
    let slot = match kind.family() {
        DocumentFamily::Invoices => &mut body.invoice,
        DocumentFamily::Estimates => &mut body.quote,
        DocumentFamily::Guides => &mut body.shipping,
        DocumentFamily::Receipts => &mut body.receipt,
    };
    *slot = Some(wire);
    body
}

/// `getDocument`'s body when it wraps a document: the first one found (in [`DocumentKind::ALL`]'s
/// order) and the others. Decoding one that wraps none fails, so the runtime reports such a 200
/// as a decode error, its second decoding (without `null`s) included.
#[derive(Deserialize)]
#[serde(try_from = "Box<DocumentResponse>")]
struct WrappedDocument {
    first: Document,
    /// Boxed, as decoded (see `x-sdk-decode-as`): about 16 KiB.
    others: Box<DocumentResponse>,
}

impl WrappedDocument {
    /// The document under the key of `kind`, else the first one (see
    /// [`DocumentResponse::into_document`]).
    fn into_document(mut self, kind: DocumentKind) -> Document {
        self.others.take_document(kind).unwrap_or(self.first)
    }
}

impl TryFrom<Box<DocumentResponse>> for WrappedDocument {
    type Error = NoDocument;

    fn try_from(mut response: Box<DocumentResponse>) -> Result<Self, NoDocument> {
        match response.take_any_document() {
            Some(first) => Ok(Self {
                first,
                others: response,
            }),
            None => Err(NoDocument(response)),
        }
    }
}

/// A [`DocumentResponse`] that wraps no document under a known key.
struct NoDocument(Box<DocumentResponse>);

impl NoDocument {
    const REASON: &str = "no document under invoice, simplified_invoice, invoice_receipt, credit_note, debit_note, \
                          quote, proforma, fees_note, shipping, transport, devolution, receipt, estimate or guide";
}

impl fmt::Display for NoDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::REASON)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_document_prefers_the_requested_key() {
        let decode = |json: &str| serde_json::from_str::<WrappedDocument>(json);
        let both = r#"{"invoice":{"id":1},"credit_note":{"id":2}}"#;
        let id = |kind| decode(both).map(|wrapped| wrapped.into_document(kind).id).ok();
        assert_eq!(id(DocumentKind::CreditNotes), Some(2));
        assert_eq!(id(DocumentKind::Invoices), Some(1));
        assert_eq!(
            id(DocumentKind::DebitNotes),
            Some(1),
            "any wrapper when the type's is absent"
        );
        for none in ["{}", r#"{"order":{"id":3}}"#, r#"{"invoice":null}"#] {
            let error = decode(none).err().map(|error| error.to_string());
            assert!(error.is_some_and(|e| e.contains(NoDocument::REASON)), "{none}");
        }
    }
}
