//! The invoice search and the change feed built on it: the invoices whose AppZen status changed,
//! walked window by window from a cursor the caller persists.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use futures_core::Stream;
use sdk_runtime::{Reply, Tolerant};
use serde::{Deserialize, Serialize};

use crate::client::{AppZenClient, PROVIDER};
use crate::generated::operations::SEARCH_INVOICES;
use crate::types::{AppzenInvoiceStatus, InvoiceSearchRequest, InvoiceSearchResult};
use crate::{Error, Result};

/// The slack at the seam of two windows: each search starts this much before its window, so that
/// an update stamped exactly on the seam is found whether AppZen's bounds are inclusive or
/// exclusive (the cursor drops the second sighting).
const SEAM: TimeDelta = TimeDelta::seconds(1);
/// A window is split only while both halves stay at least this long.
const MIN_SPLIT_HALF: TimeDelta = TimeDelta::seconds(2);

impl InvoiceSearchRequest {
    /// A search of the invoices AppZen updated between `from` and `to`, without filters; set
    /// the optional fields (`appzen_invoice_status`, `erp_invoice_status`, ...) on the value.
    pub fn window(from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        Self {
            appzen_invoice_status: None,
            erp_invoice_status: None,
            from_last_appzen_update_time: from,
            invoice_id: None,
            invoice_number: None,
            supplier_id: None,
            to_last_appzen_update_time: to,
        }
    }
}

impl InvoiceSearchResult {
    /// When AppZen last updated the invoice (`last-appzen-update-time`), read as RFC 3339
    /// (`2021-06-16T18:53:38.603Z`), with a colon-less offset (`2021-06-16T18:53:38.603+0000`),
    /// or without offset (taken as UTC). `None` when absent or in none of these forms.
    ///
    /// ```
    /// let item: sdk_appzen::types::InvoiceSearchResult =
    ///     serde_json::from_str(r#"{"last-appzen-update-time": "2021-06-16T18:53:38.603+0000"}"#).unwrap();
    /// assert_eq!(item.last_update_time().map(|t| t.to_rfc3339()).as_deref(), Some("2021-06-16T18:53:38.603+00:00"));
    /// ```
    pub fn last_update_time(&self) -> Option<DateTime<Utc>> {
        parse_time(self.last_appzen_update_time.as_deref()?)
    }
}

/// Reads AppZen's times in the forms seen: RFC 3339, a colon-less offset, no offset (UTC).
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .map(|time| time.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|naive| naive.and_utc())
        })
}

/// Why a search or a change feed was refused before sending. It is the
/// [`source`](std::error::Error::source) of the
/// [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest) error returned (recover it
/// with `downcast_ref`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidSearch {
    /// The window's start is not before its end.
    #[error("the search window is empty: `from-last-appzen-update-time` must be before `to-last-appzen-update-time`")]
    EmptyWindow,
    /// A [`ChangeOptions`] setting cannot be used.
    #[error("invalid change feed option `{option}`: {reason}")]
    Option {
        /// The setting, e.g. `overlap`.
        option: &'static str,
        /// Why.
        reason: &'static str,
    },
}

/// Where a [change feed](AppZenClient::changes_since) resumes. Persist it (it is
/// `Serialize`/`Deserialize`, e.g. as JSON) and pass it back on the next run.
///
/// It holds the start of the next window to search and the changes already delivered whose
/// update time the next windows can still cover (the overlap), so a resumed feed neither skips a
/// change nor delivers one twice. [`Change::cursor`] is the cursor right after that change:
/// persisting it after handling each change makes a crash lose nothing and repeat nothing.
/// [`ChangeFeed::cursor`] is the cursor after everything the feed delivered, empty windows
/// included.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use sdk_appzen::ChangeCursor;
///
/// let cursor = ChangeCursor::since(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap());
/// let saved = serde_json::to_string(&cursor).unwrap();
/// assert_eq!(saved, r#"{"next_from":"2026-01-01T00:00:00Z"}"#);
/// assert_eq!(serde_json::from_str::<ChangeCursor>(&saved).unwrap(), cursor);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeCursor {
    next_from: DateTime<Utc>,
    /// Changes already delivered (their identity) and the time each covers, kept while the next
    /// windows can return them again.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    delivered: BTreeMap<String, DateTime<Utc>>,
}

impl ChangeCursor {
    /// A cursor for a first run: changes AppZen made from `since` on.
    pub fn since(since: DateTime<Utc>) -> Self {
        Self {
            next_from: since,
            delivered: BTreeMap::new(),
        }
    }

    /// The start of the next window the feed searches.
    pub fn next_from(&self) -> DateTime<Utc> {
        self.next_from
    }

    /// How many delivered changes the cursor remembers (those the next windows may return again).
    pub fn remembered(&self) -> usize {
        self.delivered.len()
    }

    /// True when the change `key` was delivered already.
    fn delivered(&self, key: &str) -> bool {
        self.delivered.contains_key(key)
    }
}

/// How a [change feed](AppZenClient::changes_since) walks AppZen's history. Start from
/// [`ChangeOptions::default`] and change what you need.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChangeOptions {
    /// How far back each run searches again before the previous run's end, to catch updates
    /// AppZen made visible late (stamped before the run ended, searchable only after). Default
    /// 5 minutes.
    pub overlap: Duration,
    /// The longest window one search covers (plus a one-second seam). Default 1 day; at most
    /// 7 days (AppZen's documented limit for its search windows).
    pub max_window: Duration,
    /// A window that returns this many results or more may have been cut short by AppZen: it is
    /// split in two and searched again. Default 1,000 (AppZen's documented result limit).
    pub max_results: usize,
    /// Only invoices AppZen gave this status (`appzen-invoice-status`). Default: all.
    pub status: Option<AppzenInvoiceStatus>,
    /// Only invoices with this ERP status (`erp-invoice-status`). Default: all.
    pub erp_status: Option<String>,
    /// Where the walk stops. Default: the time the feed is created.
    pub until: Option<DateTime<Utc>>,
}

impl Default for ChangeOptions {
    fn default() -> Self {
        Self {
            overlap: Duration::from_secs(5 * 60),
            max_window: Duration::from_secs(24 * 60 * 60),
            max_results: 1000,
            status: None,
            erp_status: None,
            until: None,
        }
    }
}

impl ChangeOptions {
    /// Sets [`ChangeOptions::overlap`].
    #[must_use]
    pub fn overlap(mut self, overlap: Duration) -> Self {
        self.overlap = overlap;
        self
    }

    /// Sets [`ChangeOptions::max_window`].
    #[must_use]
    pub fn max_window(mut self, max_window: Duration) -> Self {
        self.max_window = max_window;
        self
    }

    /// Sets [`ChangeOptions::max_results`].
    #[must_use]
    pub fn max_results(mut self, max_results: usize) -> Self {
        self.max_results = max_results;
        self
    }

    /// Sets [`ChangeOptions::status`].
    #[must_use]
    pub fn status(mut self, status: AppzenInvoiceStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Sets [`ChangeOptions::erp_status`].
    #[must_use]
    pub fn erp_status(mut self, erp_status: impl Into<String>) -> Self {
        self.erp_status = Some(erp_status.into());
        self
    }

    /// Sets [`ChangeOptions::until`].
    #[must_use]
    pub fn until(mut self, until: DateTime<Utc>) -> Self {
        self.until = Some(until);
        self
    }

    /// The overlap and the longest window as chrono durations, checked.
    fn checked(&self) -> Result<(TimeDelta, TimeDelta), InvalidSearch> {
        let option = |option, reason| InvalidSearch::Option { option, reason };
        let overlap = TimeDelta::from_std(self.overlap).map_err(|_| option("overlap", "too long"))?;
        let max_window = TimeDelta::from_std(self.max_window).map_err(|_| option("max_window", "too long"))?;
        if max_window < TimeDelta::minutes(1) || max_window > TimeDelta::days(7) {
            return Err(option("max_window", "must be between 1 minute and 7 days"));
        }
        if overlap >= max_window {
            return Err(option("overlap", "must be shorter than max_window"));
        }
        if self.max_results == 0 {
            return Err(option("max_results", "must be at least 1"));
        }
        Ok((overlap, max_window))
    }
}

/// One invoice whose AppZen status changed, from a [`ChangeFeed`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Change {
    /// The search result: ERP id and status, AppZen's uuid, status and update time. An item the
    /// SDK cannot decode is [`Tolerant::Undecodable`] (its raw JSON and the error), delivered like
    /// any other so that nothing is skipped silently.
    pub invoice: Tolerant<InvoiceSearchResult>,
    /// The cursor right after this change: persist it once the change is handled, and a feed
    /// resumed from it starts with the next change.
    pub cursor: ChangeCursor,
}

/// One window of the walk; its search starts [`SEAM`] earlier.
#[derive(Clone, Copy, Debug)]
struct Window {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

type SearchFuture = Pin<Box<dyn Future<Output = Result<Reply<Vec<Tolerant<InvoiceSearchResult>>>, Error>> + Send>>;

/// The invoices whose AppZen status changed, as an async [`Stream`] of `Result<Change, Error>`
/// (see [`AppZenClient::changes_since`]); without a stream library, call
/// [`ChangeFeed::next_change`].
///
/// The feed searches window after window from the cursor up to [`ChangeOptions::until`] (the
/// time the feed was created, by default), then ends. Each search starts one second before its
/// window (so an update on the seam of two windows is found whatever AppZen's bounds are), and
/// the next run searches the last [overlap](ChangeOptions::overlap) again. A change already delivered (same AppZen uuid, status and update time, or the
/// same raw JSON for an item that does not decode) is not delivered again. A window that returns
/// [`ChangeOptions::max_results`] or more is split in two and searched again.
///
/// An error ends the feed after it is yielded; [`ChangeFeed::cursor`] (or the last
/// [`Change::cursor`]) is where to resume.
pub struct ChangeFeed {
    client: AppZenClient,
    options: ChangeOptions,
    overlap: TimeDelta,
    max_window: TimeDelta,
    until: DateTime<Utc>,
    cursor: ChangeCursor,
    window: Option<Window>,
    pending: Option<SearchFuture>,
    /// The current window's new changes: identity, the time they cover, the item.
    buffer: VecDeque<(String, DateTime<Utc>, Tolerant<InvoiceSearchResult>)>,
    refused: Option<Error>,
    done: bool,
    searches: u32,
}

impl std::fmt::Debug for ChangeFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeFeed")
            .field("options", &self.options)
            .field("until", &self.until)
            .field("cursor", &self.cursor)
            .field("buffered", &self.buffer.len())
            .field("searching", &self.pending.is_some())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl ChangeFeed {
    /// The cursor after everything delivered so far (and every window searched, empty ones
    /// included): persist it when the feed ends, or after an error, to resume there.
    pub fn cursor(&self) -> &ChangeCursor {
        &self.cursor
    }

    /// Where this walk stops.
    pub fn until(&self) -> DateTime<Utc> {
        self.until
    }

    /// How many searches the feed has sent so far (split windows included).
    pub fn searches(&self) -> u32 {
        self.searches
    }

    /// The next change, `None` once the walk reached its end (or after an error): the
    /// [`Stream`] without a stream library.
    pub async fn next_change(&mut self) -> Option<Result<Change, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    fn start_search(&mut self, window: Window) {
        self.window = Some(window);
        self.searches = self.searches.saturating_add(1);
        let mut request = InvoiceSearchRequest::window(window.from - SEAM, window.to);
        request.appzen_invoice_status = self.options.status.clone();
        request.erp_invoice_status = self.options.erp_status.clone();
        let client = self.client.clone();
        self.pending = Some(Box::pin(async move { client.search_invoices(request).await }));
    }

    /// The window is delivered: move the cursor past it and forget what the next windows cannot
    /// return again.
    fn complete(&mut self, window: Window) {
        self.window = None;
        let next_from = if window.to >= self.until {
            // The end of the walk: the next run searches the overlap again.
            self.done = true;
            (window.to - self.overlap).max(window.from)
        } else {
            window.to
        };
        self.cursor.next_from = next_from.max(self.cursor.next_from);
        let keep_from = self.cursor.next_from - SEAM;
        self.cursor.delivered.retain(|_, at| *at >= keep_from);
    }

    /// Takes a window's results: split the window when it may have been cut short, else queue
    /// the changes not yet delivered.
    fn receive(&mut self, window: Window, items: Vec<Tolerant<InvoiceSearchResult>>) {
        let half = (window.to - window.from) / 2;
        if items.len() >= self.options.max_results {
            if half >= MIN_SPLIT_HALF {
                self.start_search(Window {
                    from: window.from,
                    to: window.from + half,
                });
                return;
            }
            tracing::warn!(
                provider = PROVIDER,
                operation_id = SEARCH_INVOICES.operation_id,
                results = items.len(),
                from = %window.from,
                to = %window.to,
                "a search window returned the result limit and is too short to split; later results of it may be missing"
            );
        }
        let mut queued = HashSet::new();
        for item in items {
            let (key, at) = identity(&item, window.to);
            if !self.cursor.delivered(&key) && queued.insert(key.clone()) {
                self.buffer.push_back((key, at, item));
            }
        }
        if self.buffer.is_empty() {
            self.complete(window);
        }
    }
}

/// What makes a change the same change when a later window returns it again, and the update time
/// it covers (the window's end when the item has none the SDK can read).
fn identity(item: &Tolerant<InvoiceSearchResult>, window_end: DateTime<Utc>) -> (String, DateTime<Utc>) {
    match item {
        Tolerant::Decoded(result) => {
            let id = match (&result.appzen_uuid, &result.erp_invoice_id) {
                (Some(uuid), _) => uuid.to_string(),
                (None, Some(erp)) => format!("erp:{erp}"),
                (None, None) => String::new(),
            };
            let status = result.appzen_invoice_status.as_ref().map_or("", |s| s.as_str());
            let time = result.last_appzen_update_time.as_deref().unwrap_or_default();
            let at = result.last_update_time().unwrap_or(window_end);
            (format!("{id}|{status}|{time}"), at)
        }
        Tolerant::Undecodable(raw) => {
            let at = raw
                .field::<String>("last-appzen-update-time")
                .as_deref()
                .and_then(parse_time)
                .unwrap_or(window_end);
            (format!("raw:{}", raw.raw_json()), at)
        }
    }
}

impl Stream for ChangeFeed {
    type Item = Result<Change, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(error) = this.refused.take() {
                this.done = true;
                return Poll::Ready(Some(Err(error)));
            }
            if let Some((key, at, invoice)) = this.buffer.pop_front() {
                this.cursor.delivered.insert(key, at);
                if this.buffer.is_empty()
                    && let Some(window) = this.window
                {
                    this.complete(window);
                }
                return Poll::Ready(Some(Ok(Change {
                    invoice,
                    cursor: this.cursor.clone(),
                })));
            }
            if let Some(pending) = this.pending.as_mut() {
                let outcome = match pending.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(outcome) => outcome,
                };
                this.pending = None;
                match (outcome, this.window) {
                    (Ok(reply), Some(window)) => this.receive(window, reply.value),
                    (Ok(_), None) => this.done = true,
                    (Err(error), _) => {
                        this.window = None;
                        this.done = true;
                        return Poll::Ready(Some(Err(error)));
                    }
                }
                continue;
            }
            if this.done {
                return Poll::Ready(None);
            }
            let from = this.cursor.next_from;
            if from >= this.until {
                this.done = true;
                continue;
            }
            let to = (from + this.max_window).min(this.until);
            this.start_search(Window { from, to });
        }
    }
}

impl AppZenClient {
    /// The invoices AppZen updated in a time window, with optional filters:
    /// `POST /dictionary-data-services/invoice/search`.
    ///
    /// Each result decodes on its own: one the SDK cannot read is [`Tolerant::Undecodable`] (raw
    /// JSON and error) instead of failing the list. An empty 2xx body is an empty list.
    ///
    /// The search is a read sent as `POST` (the criteria travel in the body): it changes nothing
    /// on AppZen's side, so the client retries it like a `GET` (timeouts, 408, 502, 504 too, not
    /// only 429 and 503), as far as its [`RetryPolicy`](crate::RetryPolicy) allows.
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest), nothing sent: the
    ///   window's start is not before its end ([`InvalidSearch::EmptyWindow`]).
    /// - Otherwise as [`AppZenClient::audit_results`].
    pub async fn search_invoices(
        &self,
        request: InvoiceSearchRequest,
    ) -> Result<Reply<Vec<Tolerant<InvoiceSearchResult>>>, Error> {
        if request.from_last_appzen_update_time >= request.to_last_appzen_update_time {
            return Err(Error::invalid_request(
                PROVIDER,
                SEARCH_INVOICES.operation_id,
                InvalidSearch::EmptyWindow,
            ));
        }
        let call = self.client.search_invoices().body(request).send();
        let reply = self.runtime.call_optional(&SEARCH_INVOICES, call).await?;
        Ok(reply.map(Option::unwrap_or_default))
    }

    /// The invoices whose AppZen status changed since `cursor`, as a [`ChangeFeed`] (an async
    /// [`Stream`] of `Result<Change, Error>`) with the [default options](ChangeOptions::default):
    /// windows of up to a day, five minutes of overlap, up to now.
    ///
    /// ```no_run
    /// use sdk_appzen::{AppZenClient, ChangeCursor, Tolerant};
    /// # async fn load() -> Option<ChangeCursor> { None }
    /// # async fn save(_: &ChangeCursor) {}
    /// # async fn run(client: AppZenClient) -> Result<(), sdk_appzen::Error> {
    ///
    /// let cursor = load().await.unwrap_or_else(|| ChangeCursor::since(chrono::Utc::now() - chrono::Duration::days(1)));
    /// let mut feed = client.changes_since(cursor);
    /// while let Some(change) = feed.next_change().await {
    ///     let change = change?;
    ///     if let Tolerant::Decoded(invoice) = &change.invoice {
    ///         println!("{:?} is now {:?}", invoice.erp_invoice_id, invoice.appzen_invoice_status);
    ///     }
    ///     save(&change.cursor).await; // after handling it: a restart resumes with the next one
    /// }
    /// save(feed.cursor()).await; // the windows searched without changes too
    /// # Ok(())
    /// # }
    /// ```
    pub fn changes_since(&self, cursor: ChangeCursor) -> ChangeFeed {
        self.changes_since_with(cursor, ChangeOptions::default())
    }

    /// Like [`AppZenClient::changes_since`], with options (the overlap, the window length, the
    /// result limit, status filters, where to stop). Options that cannot be used make the feed's
    /// first item an [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest) error
    /// ([`InvalidSearch::Option`]), with nothing sent.
    pub fn changes_since_with(&self, cursor: ChangeCursor, options: ChangeOptions) -> ChangeFeed {
        let until = options.until.unwrap_or_else(Utc::now);
        let (overlap, max_window, refused) = match options.checked() {
            Ok((overlap, max_window)) => (overlap, max_window, None),
            Err(reason) => (
                TimeDelta::zero(),
                TimeDelta::zero(),
                Some(Error::invalid_request(PROVIDER, SEARCH_INVOICES.operation_id, reason)),
            ),
        };
        ChangeFeed {
            client: self.clone(),
            options,
            overlap,
            max_window,
            until,
            cursor,
            window: None,
            pending: None,
            buffer: VecDeque::new(),
            refused,
            done: false,
            searches: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appzen_times_parse_in_every_form_seen() {
        let expected = "2021-06-16T18:53:38.603Z".parse::<DateTime<Utc>>().ok();
        for text in [
            "2021-06-16T18:53:38.603Z",
            "2021-06-16T18:53:38.603+00:00",
            "2021-06-16T18:53:38.603+0000",
            "2021-06-16T20:53:38.603+0200",
            "2021-06-16T18:53:38.603",
        ] {
            assert_eq!(parse_time(text), expected, "{text}");
        }
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn options_are_checked() {
        let check = |options: ChangeOptions| options.checked().err();
        assert_eq!(check(ChangeOptions::default()), None);
        assert!(matches!(
            check(ChangeOptions::default().max_window(Duration::from_secs(8 * 24 * 3600))),
            Some(InvalidSearch::Option {
                option: "max_window",
                ..
            })
        ));
        assert!(matches!(
            check(ChangeOptions::default().overlap(Duration::from_secs(24 * 3600))),
            Some(InvalidSearch::Option { option: "overlap", .. })
        ));
        assert!(matches!(
            check(ChangeOptions::default().max_results(0)),
            Some(InvalidSearch::Option {
                option: "max_results",
                ..
            })
        ));
    }

    #[test]
    fn identity_ignores_the_erp_status_and_keeps_undecodable_items_apart() {
        let end = Utc::now();
        let item = |erp_status: &str| {
            Tolerant::Decoded(InvoiceSearchResult {
                appzen_uuid: "57187384-2f9d-4f82-acac-555a264ba968".parse().ok(),
                appzen_invoice_status: Some(AppzenInvoiceStatus::Rejected),
                erp_invoice_id: Some("11069-Visit".into()),
                erp_invoice_status: Some(erp_status.into()),
                last_appzen_update_time: Some("2021-06-16T18:53:38.603Z".into()),
            })
        };
        let (a, at) = identity(&item("Ready for Review"), end);
        let (b, _) = identity(&item("Paid"), end);
        assert_eq!(a, b);
        assert_eq!(at, parse_time("2021-06-16T18:53:38.603Z").unwrap_or(end));

        let raw: Vec<Tolerant<InvoiceSearchResult>> =
            serde_json::from_str(r#"[{"appzen-uuid": 7, "last-appzen-update-time": "2021-06-16T18:00:00Z"}]"#)
                .unwrap_or_default();
        let (key, at) = identity(&raw[0], end);
        assert!(key.starts_with("raw:"), "{key}");
        assert_eq!(at, parse_time("2021-06-16T18:00:00Z").unwrap_or(end));
    }
}
