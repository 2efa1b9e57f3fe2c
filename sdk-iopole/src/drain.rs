//! The pull workflow: fetch the statuses not yet seen, process each, mark it seen once processed.

use std::collections::HashSet;
use std::future::Future;

use uuid::Uuid;

use crate::types::StatusHistoryItem;
use crate::{Error, IopoleClient, Result};

/// A status whose handler failed. It was not marked seen, so Iopole returns it again.
#[derive(Debug)]
pub struct HandlerFailure<E> {
    /// The status.
    pub status_id: Uuid,
    /// Its invoice.
    pub invoice_id: Uuid,
    /// What the handler returned.
    pub error: E,
}

/// A status handled successfully that could not be marked seen: Iopole will return it again, so
/// the handler must tolerate seeing it twice.
#[derive(Debug)]
pub struct MarkSeenFailure {
    /// The status.
    pub status_id: Uuid,
    /// Its invoice.
    pub invoice_id: Uuid,
    /// Why `markAsSeen` failed.
    pub error: Error,
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
}

impl<E> Default for DrainReport<E> {
    fn default() -> Self {
        Self {
            handled: Vec::new(),
            failed: Vec::new(),
            mark_seen_failed: Vec::new(),
        }
    }
}

impl<E> DrainReport<E> {
    /// True when every status was handled and marked seen.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty() && self.mark_seen_failed.is_empty()
    }

    /// How many statuses were processed (handled, failed or not marked seen).
    pub fn total(&self) -> usize {
        self.handled.len() + self.failed.len() + self.mark_seen_failed.len()
    }
}

impl IopoleClient {
    /// One pass of the pull workflow: fetches the statuses not yet seen, hands each to `handler`
    /// (in the order Iopole returned them, one at a time) and marks it seen only after its handler
    /// returned `Ok`.
    ///
    /// A failing handler loses nothing: its status stays not-seen and comes back on the next pass.
    /// A status listed twice in one answer is handled once. Only the initial fetch fails the
    /// whole call; everything after it is recorded in the [`DrainReport`]. Call it again (for
    /// example on a timer) to pick up statuses that arrived meanwhile.
    ///
    /// ```no_run
    /// # async fn run(client: sdk_iopole::IopoleClient) -> Result<(), sdk_iopole::Error> {
    /// let report = client
    ///     .drain_not_seen(|status| async move {
    ///         println!("{} is now {:?}", status.invoice_id, status.lifecycle_status());
    ///         Ok::<(), std::io::Error>(())
    ///     })
    ///     .await?;
    /// println!("{} handled, {} to retry", report.handled.len(), report.failed.len());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn drain_not_seen<F, Fut, E>(&self, mut handler: F) -> Result<DrainReport<E>>
    where
        F: FnMut(StatusHistoryItem) -> Fut,
        Fut: Future<Output = std::result::Result<(), E>>,
    {
        let groups = self.not_seen().await?;
        let mut report = DrainReport::default();
        let mut processed = HashSet::new();
        for item in groups.into_iter().flat_map(|group| group.new_status) {
            let (status_id, invoice_id) = (item.status_id, item.invoice_id);
            if !processed.insert(status_id) {
                continue;
            }
            if let Err(error) = handler(item).await {
                tracing::debug!(%status_id, "handler failed; status left not seen");
                report.failed.push(HandlerFailure {
                    status_id,
                    invoice_id,
                    error,
                });
                continue;
            }
            match self.mark_as_seen(status_id).await {
                Ok(()) => report.handled.push(status_id),
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
        Ok(report)
    }
}
