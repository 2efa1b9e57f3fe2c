//! Reconciliation reads: documents by status, type and date range, page by page or as a lazy
//! stream, and the documents related to an invoice.

use chrono::NaiveDate;
use futures_util::stream::{self, Stream, StreamExt};
use sdk_runtime::{Reply, Tolerant};

use progenitor_client::ClientInfo;

use crate::client::InvoiceXpressClient;
use crate::error::Error;
use crate::generated::operations::{GET_RELATED_DOCUMENTS, LIST_DOCUMENTS};
use crate::state::DocumentKind;
use crate::types::{self, Document, DocumentClass, DocumentList, DocumentStatus, Pagination};

/// Which documents [`InvoiceXpressClient::list_documents`] lists (`GET /invoices.json`): every
/// filter is optional, and values of one filter are alternatives (`status[]=final&status[]=settled`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct DocumentFilter {
    statuses: Vec<DocumentStatus>,
    classes: Vec<DocumentClass>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    per_page: Option<u32>,
}

impl DocumentFilter {
    /// No filter: every document, in pages of the provider's default size.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also documents in `status` (`status[]`).
    pub fn status(mut self, status: DocumentStatus) -> Self {
        self.statuses.push(status);
        self
    }

    /// Also documents of `kind` (`type[]`, in its class form, e.g. `InvoiceReceipt`).
    pub fn kind(mut self, kind: DocumentKind) -> Self {
        self.classes.push(DocumentClass::from(kind.class_name()));
        self
    }

    /// Also documents of the class `class` (`type[]`), for a class [`DocumentKind`] does not
    /// name (e.g. `VatMossInvoice`).
    pub fn class(mut self, class: DocumentClass) -> Self {
        self.classes.push(class);
        self
    }

    /// Only documents dated on or after `from` (`date[from]`).
    pub fn date_from(mut self, from: NaiveDate) -> Self {
        self.from = Some(from);
        self
    }

    /// Only documents dated on or before `to` (`date[to]`).
    pub fn date_to(mut self, to: NaiveDate) -> Self {
        self.to = Some(to);
        self
    }

    /// Documents per page (`per_page`); at least 1.
    pub fn per_page(mut self, per_page: u32) -> Self {
        self.per_page = Some(per_page.max(1));
        self
    }
}

/// One page of [`InvoiceXpressClient::list_documents_page`]: its documents (each decoded on its
/// own) and where it sits.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct DocumentPage {
    /// The page's number, from 1, as requested.
    pub page: u32,
    /// The documents: [`Tolerant::Decoded`], or [`Tolerant::Undecodable`] with the raw JSON.
    pub documents: Vec<Tolerant<Document>>,
    /// The provider's pagination, when it sent one.
    pub pagination: Option<Pagination>,
    /// The page size asked for, when the filter set one.
    per_page: Option<u32>,
}

impl DocumentPage {
    /// The number of the page after this one, when there is one: by the pagination
    /// (`current_page < total_pages`) when the provider sent it; else when this page was full
    /// (as many documents as `per_page` asked for). Never after an empty page.
    pub fn next_page(&self) -> Option<u32> {
        if self.documents.is_empty() {
            return None;
        }
        let next = self.page.checked_add(1)?;
        match &self.pagination {
            Some(Pagination {
                total_pages: Some(total),
                current_page,
                ..
            }) => {
                let current = current_page.unwrap_or(i64::from(self.page));
                (current < *total).then_some(next)
            }
            _ => {
                let full = self
                    .per_page
                    .is_some_and(|per_page| self.documents.len() >= per_page as usize);
                full.then_some(next)
            }
        }
    }
}

/// `dd/mm/yyyy`, the form the list filters take.
fn filter_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

impl InvoiceXpressClient {
    /// One page of documents (`GET /invoices.json`, filtered by `filter`), `page` counted from 1.
    /// Each document decodes on its own: one the SDK cannot read is kept as raw JSON, never
    /// failing the page. Prefer [`list_documents`](Self::list_documents), which goes through
    /// every page.
    pub async fn list_documents_page(&self, filter: &DocumentFilter, page: u32) -> Result<Reply<DocumentPage>, Error> {
        let mut query: Vec<(&str, String)> = Vec::new();
        query.extend(filter.statuses.iter().map(|status| ("status[]", status.to_string())));
        query.extend(filter.classes.iter().map(|class| ("type[]", class.to_string())));
        query.extend(filter.from.map(|from| ("date[from]", filter_date(from))));
        query.extend(filter.to.map(|to| ("date[to]", filter_date(to))));
        query.push(("page", page.max(1).to_string()));
        query.extend(filter.per_page.map(|per_page| ("per_page", per_page.to_string())));
        let runtime = self.runtime();
        let http = self.generated().client();
        let url = format!("{}/invoices.json", self.base_url());
        // The request progenitor would write for it (see the spec's note on `listDocuments`),
        // through the same hooks: credentials, rate budget, retries, timeouts, tracing. Built
        // again for another attempt (if one follows) rather than copied before the first.
        let build = || {
            http.get(url.as_str())
                .query(&query)
                .header(reqwest::header::ACCEPT, "application/json")
                .build()
        };
        let rebuild = || build().ok();
        let call = Box::pin(async move {
            let mut request =
                build().map_err(|error| progenitor_client::Error::InvalidRequest(error.without_url().to_string()))?;
            runtime
                .prepare::<types::ErrorResponse>(&mut request, LIST_DOCUMENTS.generated_id)
                .await?;
            let response = runtime
                .execute_rebuildable(http, request, LIST_DOCUMENTS.generated_id, Some(&rebuild))
                .await
                .map_err(progenitor_client::Error::CommunicationError)?;
            if response.status().is_success() {
                // The hooks have read the body; it is decoded from the call's record.
                sdk_runtime::__private::response_value::<DocumentList, _>(response)
            } else {
                Err(progenitor_client::Error::UnexpectedResponse(response))
            }
        });
        let reply = Box::pin(runtime.call::<_, _, types::ErrorResponse>(&LIST_DOCUMENTS, call)).await?;
        Ok(reply.map(|list| DocumentPage {
            page: page.max(1),
            documents: list.invoices,
            pagination: list.pagination,
            per_page: filter.per_page,
        }))
    }

    /// Every document `filter` selects, as a stream that fetches the pages lazily: the first
    /// page when the stream is first polled, the next one when the documents of this one have
    /// been taken, and none after the last ([`DocumentPage::next_page`]). Each item is a
    /// document ([`Tolerant::Decoded`] or, when it does not decode, [`Tolerant::Undecodable`]
    /// with its raw JSON) or the error that stopped the stream (it is the last item).
    ///
    /// ```no_run
    /// use sdk_invoicexpress::types::DocumentStatus;
    /// use sdk_invoicexpress::{DocumentFilter, DocumentKind, StreamExt, Tolerant};
    /// # async fn run(client: &sdk_invoicexpress::InvoiceXpressClient) -> Result<(), sdk_invoicexpress::Error> {
    /// let filter = DocumentFilter::new().status(DocumentStatus::Final).kind(DocumentKind::Invoices).per_page(50);
    /// let mut documents = std::pin::pin!(client.list_documents(filter));
    /// while let Some(item) = documents.next().await {
    ///     match item? {
    ///         Tolerant::Decoded(document) => println!("{} {:?}", document.id, document.status),
    ///         Tolerant::Undecodable(raw) => eprintln!("kept as raw JSON: {}", raw.raw_json()),
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn list_documents(
        &self,
        filter: DocumentFilter,
    ) -> impl Stream<Item = Result<Tolerant<Document>, Error>> + Send + 'static {
        let client = self.clone();
        stream::unfold(Some(1_u32), move |page| {
            let client = client.clone();
            let filter = filter.clone();
            async move {
                let page = page?;
                match client.list_documents_page(&filter, page).await {
                    Ok(reply) => {
                        let next = reply.value.next_page();
                        let items: Vec<_> = reply.value.documents.into_iter().map(Ok).collect();
                        Some((items, next))
                    }
                    Err(error) => Some((vec![Err(error)], None)),
                }
            }
        })
        .flat_map(stream::iter)
    }

    /// The documents related to a document (`GET /document/{document-id}/related_documents.json`):
    /// the receipts of an invoice's payments and the credit and debit notes that correct it.
    /// Each decodes on its own, as in [`list_documents`](Self::list_documents).
    pub async fn related_documents(&self, document_id: i64) -> Result<Reply<Vec<Tolerant<Document>>>, Error> {
        let call = Box::pin(self.generated().get_related_documents().document_id(document_id).send());
        let reply = Box::pin(
            self.runtime()
                .call::<_, _, types::ErrorResponse>(&GET_RELATED_DOCUMENTS, call),
        )
        .await?;
        Ok(reply.map(|related| related.documents))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(page: u32, documents: usize, pagination: Option<(i64, i64)>, per_page: Option<u32>) -> DocumentPage {
        DocumentPage {
            page,
            documents: (0..documents)
                .map(|id| {
                    Tolerant::Decoded(serde_json::from_value(serde_json::json!({ "id": id })).expect("a document"))
                })
                .collect(),
            pagination: pagination.map(|(current, total)| Pagination {
                current_page: Some(current),
                total_pages: Some(total),
                ..Default::default()
            }),
            per_page,
        }
    }

    #[test]
    fn the_next_page_follows_the_pagination_else_a_full_page() {
        assert_eq!(page(1, 2, Some((1, 3)), None).next_page(), Some(2));
        assert_eq!(page(3, 2, Some((3, 3)), None).next_page(), None);
        assert_eq!(
            page(1, 0, Some((1, 3)), None).next_page(),
            None,
            "never after an empty page"
        );
        assert_eq!(page(1, 30, None, Some(30)).next_page(), Some(2));
        assert_eq!(page(2, 29, None, Some(30)).next_page(), None);
        assert_eq!(page(1, 30, None, None).next_page(), None);
        assert_eq!(page(u32::MAX, 1, Some((1, 9)), None).next_page(), None);
    }

    #[test]
    fn filter_dates_are_day_month_year() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).expect("valid");
        assert_eq!(filter_date(day), "02/03/2026");
    }
}
