//! The pull workflow: fetch the statuses not yet seen, process each, mark it seen once processed.

use std::collections::HashSet;
use std::future::Future;

use sdk_runtime::{Tolerant, Undecodable};
use uuid::Uuid;

use crate::LifecycleStatus;
use crate::types::{NotSeenInvoiceStatuses, StatusHistoryItem};
use crate::{Error, IopoleClient, Result};

/// A status the SDK could not decode, with the identifiers that could still be read from it.
#[derive(Clone, Debug, PartialEq)]
pub struct UndecodableStatus {
    /// Its `statusId`, when present and a UUID: the status can still be marked seen.
    pub status_id: Option<Uuid>,
    /// Its `invoiceId` (or, in a not-seen group, the group's), when present and a UUID.
    pub invoice_id: Option<Uuid>,
    /// Its raw JSON and the decode error.
    pub item: Undecodable,
}

impl UndecodableStatus {
    /// Reads the identifiers of an undecodable status item; `invoice_id` is the fallback for an
    /// item without a readable `invoiceId` (for example its not-seen group's).
    pub fn new(item: Undecodable, invoice_id: Option<Uuid>) -> Self {
        Self {
            status_id: item.field("statusId"),
            invoice_id: item.field("invoiceId").or(invoice_id),
            item,
        }
    }

    /// The raw JSON of the status, exactly as received.
    pub fn raw_json(&self) -> &str {
        self.item.raw_json()
    }

    /// Why it did not decode.
    pub fn error(&self) -> &str {
        self.item.error()
    }
}

/// Identifiers and status of a history or not-seen item, whether it decoded or not.
///
/// ```
/// use sdk_iopole::types::StatusHistoryItem;
/// use sdk_iopole::{Tolerant, TolerantStatus};
///
/// let items: Vec<Tolerant<StatusHistoryItem>> = serde_json::from_str(
///     r#"[{"statusId": "00000000-0000-4000-8000-000000000001", "date": "2025-03-01T10:00:00Z",
///          "invoiceId": "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "status": "APPROVED"}]"#,
/// )
/// .unwrap();
/// assert!(!items[0].is_decoded());
/// assert_eq!(items[0].status_id().map(|id| id.to_string()).as_deref(), Some("00000000-0000-4000-8000-000000000001"));
/// assert!(items[0].lifecycle_status().is_none());
/// ```
pub trait TolerantStatus {
    /// The `statusId`: the decoded one, or the one read from the raw JSON when it is a UUID.
    fn status_id(&self) -> Option<Uuid>;
    /// The `invoiceId`: the decoded one, or the one read from the raw JSON when it is a UUID.
    fn invoice_id(&self) -> Option<Uuid>;
    /// The lifecycle status of a decoded item (see [`StatusHistoryItem::lifecycle_status`]).
    fn lifecycle_status(&self) -> Option<LifecycleStatus>;
}

impl TolerantStatus for Tolerant<StatusHistoryItem> {
    fn status_id(&self) -> Option<Uuid> {
        match self {
            Tolerant::Decoded(item) => Some(item.status_id),
            Tolerant::Undecodable(item) => item.field("statusId"),
        }
    }

    fn invoice_id(&self) -> Option<Uuid> {
        match self {
            Tolerant::Decoded(item) => Some(item.invoice_id),
            Tolerant::Undecodable(item) => item.field("invoiceId"),
        }
    }

    fn lifecycle_status(&self) -> Option<LifecycleStatus> {
        self.decoded().and_then(StatusHistoryItem::lifecycle_status)
    }
}

/// One not-seen status as [`IopoleClient::drain_not_seen`] hands it to the handler.
// The decoded variant is the usual one: boxing it would cost an allocation per status.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum NotSeenStatus {
    /// A status the SDK decoded.
    Decoded(StatusHistoryItem),
    /// A status the SDK could not decode. The handler decides: `Ok` marks it seen (when its
    /// `statusId` could be read), `Err` leaves it for the next pass.
    Undecodable(UndecodableStatus),
}

impl NotSeenStatus {
    /// The status identifier, when known (always for a decoded status).
    pub fn status_id(&self) -> Option<Uuid> {
        match self {
            Self::Decoded(item) => Some(item.status_id),
            Self::Undecodable(item) => item.status_id,
        }
    }

    /// The invoice identifier, when known (always for a decoded status).
    pub fn invoice_id(&self) -> Option<Uuid> {
        match self {
            Self::Decoded(item) => Some(item.invoice_id),
            Self::Undecodable(item) => item.invoice_id,
        }
    }

    /// The decoded status, if it decoded.
    pub fn decoded(&self) -> Option<&StatusHistoryItem> {
        match self {
            Self::Decoded(item) => Some(item),
            Self::Undecodable(_) => None,
        }
    }

    /// The lifecycle status of a decoded status.
    pub fn lifecycle_status(&self) -> Option<LifecycleStatus> {
        self.decoded().and_then(StatusHistoryItem::lifecycle_status)
    }
}

/// A status whose handler failed. It was not marked seen, so Iopole returns it again.
#[derive(Debug)]
pub struct HandlerFailure<E> {
    /// The status.
    pub status_id: Uuid,
    /// Its invoice, when known (an undecodable status may not say).
    pub invoice_id: Option<Uuid>,
    /// What the handler returned.
    pub error: E,
}

/// A status handled successfully that could not be marked seen: Iopole will return it again, so
/// the handler must tolerate seeing it twice.
#[derive(Debug)]
pub struct MarkSeenFailure {
    /// The status.
    pub status_id: Uuid,
    /// Its invoice, when known (an undecodable status may not say).
    pub invoice_id: Option<Uuid>,
    /// Why `markAsSeen` failed.
    pub error: Error,
}

/// An undecodable status without a readable `statusId`: it was handed to the handler, but it
/// cannot be marked seen, so Iopole returns it on every pass until the SDK can read it.
#[derive(Debug)]
pub struct UnmarkableStatus<E> {
    /// The status (or, when a whole not-seen group could not be read, the group).
    pub status: UndecodableStatus,
    /// What the handler returned, when it failed.
    pub handler_error: Option<E>,
}

/// What [`IopoleClient::drain_not_seen`] did.
#[derive(Debug)]
pub struct DrainReport<E> {
    /// Statuses handled and marked seen, in processing order.
    pub handled: Vec<Uuid>,
    /// Statuses whose handler failed (not marked seen).
    pub failed: Vec<HandlerFailure<E>>,
    /// Statuses handled but not marked seen because `markAsSeen` failed.
    pub mark_seen_failed: Vec<MarkSeenFailure>,
    /// Undecodable statuses without a readable `statusId` (handed to the handler, never marked
    /// seen).
    pub unmarkable: Vec<UnmarkableStatus<E>>,
    /// How many of the statuses handed to the handler were undecodable.
    pub undecodable: usize,
    /// Statuses not handed to the handler because an earlier status of the same invoice failed:
    /// they stay not-seen and come back, in order, on the next pass.
    pub deferred: Vec<NotSeenStatus>,
}

impl<E> Default for DrainReport<E> {
    fn default() -> Self {
        Self {
            handled: Vec::new(),
            failed: Vec::new(),
            mark_seen_failed: Vec::new(),
            unmarkable: Vec::new(),
            undecodable: 0,
            deferred: Vec::new(),
        }
    }
}

impl<E> DrainReport<E> {
    /// True when every status was handled and marked seen.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty()
            && self.mark_seen_failed.is_empty()
            && self.unmarkable.is_empty()
            && self.deferred.is_empty()
    }

    /// How many statuses the pass saw (handled, failed, not marked seen, unmarkable or deferred).
    pub fn total(&self) -> usize {
        self.handled.len()
            + self.failed.len()
            + self.mark_seen_failed.len()
            + self.unmarkable.len()
            + self.deferred.len()
    }
}

/// The statuses of the not-seen groups, in order, undecodable ones included: a group that did
/// not decode is opened as far as its JSON allows, so its readable statuses still come out.
fn flatten_groups(groups: Vec<Tolerant<NotSeenInvoiceStatuses>>) -> Vec<NotSeenStatus> {
    let mut statuses = Vec::new();
    for group in groups {
        match group {
            Tolerant::Decoded(group) => {
                for item in group.new_status {
                    statuses.push(match item {
                        Tolerant::Decoded(item) => NotSeenStatus::Decoded(item),
                        Tolerant::Undecodable(item) => {
                            NotSeenStatus::Undecodable(UndecodableStatus::new(item, group.invoice_id))
                        }
                    });
                }
            }
            Tolerant::Undecodable(group) => {
                let invoice_id = group.field::<Uuid>("invoiceId");
                match group.field::<Vec<Box<serde_json::value::RawValue>>>("newStatus") {
                    Some(items) => {
                        for raw in items {
                            statuses.push(match Tolerant::<StatusHistoryItem>::from_raw(raw) {
                                Tolerant::Decoded(item) => NotSeenStatus::Decoded(item),
                                Tolerant::Undecodable(item) => {
                                    NotSeenStatus::Undecodable(UndecodableStatus::new(item, invoice_id))
                                }
                            });
                        }
                    }
                    // Not even a list of statuses: the whole group goes to the handler.
                    None => statuses.push(NotSeenStatus::Undecodable(UndecodableStatus {
                        status_id: None,
                        invoice_id,
                        item: group,
                    })),
                }
            }
        }
    }
    statuses
}

/// How [`IopoleClient::drain_not_seen_with`] works through a pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DrainOptions {
    /// How many invoices are worked on at once (each invoice's statuses one after the other, in
    /// order). At least 1; default 8. The client's rate budget paces the requests whatever this is.
    pub concurrency: usize,
}

impl Default for DrainOptions {
    fn default() -> Self {
        Self { concurrency: 8 }
    }
}

impl DrainOptions {
    /// Options with `concurrency` invoices at once (0 counts as 1).
    pub fn concurrency(concurrency: usize) -> Self {
        Self {
            concurrency: concurrency.max(1),
        }
    }
}

/// The statuses of one invoice, in the order Iopole returned them. A status without a readable
/// invoice id is a lane of its own.
fn lanes(statuses: Vec<NotSeenStatus>) -> Vec<Vec<NotSeenStatus>> {
    let mut lanes: Vec<Vec<NotSeenStatus>> = Vec::new();
    let mut lane_of: std::collections::HashMap<Uuid, usize> = std::collections::HashMap::new();
    for status in statuses {
        match status.invoice_id() {
            Some(invoice) => match lane_of.get(&invoice) {
                Some(&lane) => lanes[lane].push(status),
                None => {
                    lane_of.insert(invoice, lanes.len());
                    lanes.push(vec![status]);
                }
            },
            None => lanes.push(vec![status]),
        }
    }
    lanes
}

impl<E> DrainReport<E> {
    fn merge(&mut self, lane: DrainReport<E>) {
        self.handled.extend(lane.handled);
        self.failed.extend(lane.failed);
        self.mark_seen_failed.extend(lane.mark_seen_failed);
        self.unmarkable.extend(lane.unmarkable);
        self.deferred.extend(lane.deferred);
        self.undecodable += lane.undecodable;
    }
}

impl IopoleClient {
    /// One pass of the pull workflow: fetches the statuses not yet seen, hands each to `handler`
    /// and marks it seen only after its handler returned `Ok`. Up to 8 invoices are worked on at
    /// once (see [`IopoleClient::drain_not_seen_with`]); the statuses of one invoice go to the
    /// handler one after the other, in the order Iopole returned them.
    ///
    /// A failing handler loses nothing: its status stays not-seen and comes back on the next pass,
    /// and the later statuses of the same invoice wait for it ([`DrainReport::deferred`]) so that
    /// an invoice's statuses are never applied out of order. A status listed twice in one answer
    /// is handled once. A status the SDK cannot decode does not stop the drain: it reaches the
    /// handler as [`NotSeenStatus::Undecodable`] (raw JSON, decode error, and the
    /// `statusId`/`invoiceId` when readable), and the handler decides whether it is marked seen
    /// (`Ok`) or kept (`Err`); one without a readable `statusId` cannot be marked seen and is
    /// reported in [`DrainReport::unmarkable`]. Only the initial fetch fails the whole call;
    /// everything after it is recorded in the [`DrainReport`], grouped by invoice. Every request
    /// spends from the client's rate budget. Call it again (for example on a timer) to pick up
    /// statuses that arrived meanwhile.
    ///
    /// ```no_run
    /// use sdk_iopole::NotSeenStatus;
    ///
    /// # async fn run(client: sdk_iopole::IopoleClient) -> Result<(), sdk_iopole::Error> {
    /// let report = client
    ///     .drain_not_seen(|status| async move {
    ///         match status {
    ///             NotSeenStatus::Decoded(status) => {
    ///                 println!("{} is now {:?}", status.invoice_id, status.lifecycle_status());
    ///                 Ok(())
    ///             }
    ///             // Keep it not-seen until a newer SDK can read it.
    ///             NotSeenStatus::Undecodable(status) => Err(format!("unreadable: {}", status.error())),
    ///         }
    ///     })
    ///     .await?;
    /// println!("{} handled, {} to retry", report.handled.len(), report.failed.len());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn drain_not_seen<F, Fut, E>(&self, handler: F) -> Result<DrainReport<E>>
    where
        F: Fn(NotSeenStatus) -> Fut,
        Fut: Future<Output = std::result::Result<(), E>>,
    {
        self.drain_not_seen_with(DrainOptions::default(), handler).await
    }

    /// [`IopoleClient::drain_not_seen`] with `options` (how many invoices at once; 1 handles every
    /// status one after the other).
    pub async fn drain_not_seen_with<F, Fut, E>(&self, options: DrainOptions, handler: F) -> Result<DrainReport<E>>
    where
        F: Fn(NotSeenStatus) -> Fut,
        Fut: Future<Output = std::result::Result<(), E>>,
    {
        use futures_util::StreamExt;

        let groups = self.not_seen().await?.value;
        let mut processed = HashSet::new();
        let statuses: Vec<NotSeenStatus> = flatten_groups(groups)
            .into_iter()
            .filter(|status| status.status_id().is_none_or(|id| processed.insert(id)))
            .collect();
        let handler = &handler;
        // `buffered` runs up to `concurrency` invoices at once and yields their reports in the
        // invoices' order, so the merged report does not depend on timing.
        let mut lanes = futures_util::stream::iter(lanes(statuses))
            .map(|lane| self.drain_lane(lane, handler))
            .buffered(options.concurrency.max(1));
        let mut report = DrainReport::default();
        while let Some(lane) = lanes.next().await {
            report.merge(lane);
        }
        Ok(report)
    }

    /// One invoice's statuses, in order; after a failure the rest wait for the next pass.
    async fn drain_lane<F, Fut, E>(&self, lane: Vec<NotSeenStatus>, handler: &F) -> DrainReport<E>
    where
        F: Fn(NotSeenStatus) -> Fut,
        Fut: Future<Output = std::result::Result<(), E>>,
    {
        let mut report = DrainReport::default();
        let mut statuses = lane.into_iter();
        while let Some(status) = statuses.next() {
            let (status_id, invoice_id) = (status.status_id(), status.invoice_id());
            if let NotSeenStatus::Undecodable(item) = &status {
                report.undecodable += 1;
                tracing::warn!(
                    status_id = ?status_id,
                    error = item.error(),
                    "not-seen status the SDK cannot decode; handed to the handler as raw JSON"
                );
            }
            // Only an undecodable status without an id is reported whole: keep a copy of it.
            let unmarkable = match (&status, status_id) {
                (NotSeenStatus::Undecodable(item), None) => Some(item.clone()),
                _ => None,
            };
            let outcome = handler(status).await;
            let Some(status_id) = status_id else {
                if let Some(status) = unmarkable {
                    report.unmarkable.push(UnmarkableStatus {
                        status,
                        handler_error: outcome.err(),
                    });
                }
                continue;
            };
            if let Err(error) = outcome {
                tracing::debug!(%status_id, "handler failed; status left not seen");
                report.failed.push(HandlerFailure {
                    status_id,
                    invoice_id,
                    error,
                });
                report.deferred.extend(statuses.by_ref());
                break;
            }
            match self.mark_as_seen(status_id).await {
                Ok(_) => report.handled.push(status_id),
                Err(error) => {
                    tracing::warn!(%status_id, error = %error, "status handled but not marked seen");
                    report.mark_seen_failed.push(MarkSeenFailure {
                        status_id,
                        invoice_id,
                        error,
                    });
                }
            }
        }
        report
    }
}
