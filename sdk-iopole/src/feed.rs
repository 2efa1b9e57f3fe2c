//! One stream of statuses from push and pull: each status handed to your handler once.
//!
//! Integrators run push (the webhook) for latency and pull (the not-seen drain) as the safety
//! net. A [`StatusFeed`] takes both: [`StatusFeed::push`] with each verified webhook delivery,
//! [`StatusFeed::pull`] on a timer. Each status reaches the handler once, whichever path brought
//! it first; a redelivery, or the same status arriving by the other path, is absorbed through the
//! [`DedupStore`]. A key is recorded only after the handler succeeded, so a failing handler loses
//! nothing: the push answer asks Iopole to deliver again, the pull leaves the status not seen.
//!
//! ```no_run
//! use sdk_iopole::feed::{FeedStatus, StatusFeed};
//! use sdk_iopole::webhook::{IncomingRequest, ReceiverAuth, WebhookVerifier};
//!
//! # async fn run(client: sdk_iopole::IopoleClient, request: IncomingRequest<'_>) -> Result<(), Box<dyn std::error::Error>> {
//! let feed = StatusFeed::new(|status: FeedStatus| async move {
//!     println!("{:?} {:?}", status.status.status_id(), status.status.lifecycle_status());
//!     Ok::<(), std::io::Error>(())
//! });
//! let verifier = WebhookVerifier::new(ReceiverAuth::hmac(std::env::var("IOPOLE_WEBHOOK_SECRET")?)?);
//! // In the webhook handler:
//! let answer = match verifier.verify(&request) {
//!     Ok(delivery) => feed.push(delivery).await.answer(),
//!     Err(_) => sdk_iopole::webhook::Answer::Unauthorized,
//! };
//! // On a timer, the safety net:
//! let report = feed.pull(&client).await?;
//! # Ok(())
//! # }
//! ```

use std::future::Future;

use sdk_runtime::Tolerant;
use uuid::Uuid;

use crate::drain::{NotSeenStatus, UndecodableStatus};
use crate::types::StatusHistoryItem;
use crate::webhook::{
    Answer, Claim, DedupStore, Delivery, InvoiceDelivery, MemoryDedupStore, UnreadableDelivery, VerifiedDelivery,
};
use crate::{DrainReport, IopoleClient, Result};

/// Which path brought a status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// A webhook delivery.
    Push,
    /// The not-seen drain.
    Pull,
}

/// A status as the feed hands it to the handler.
#[derive(Clone, Debug, PartialEq)]
pub struct FeedStatus {
    /// Which path brought it.
    pub source: Source,
    /// The status: decoded, or undecodable with its raw JSON (as the drain gives it).
    pub status: NotSeenStatus,
    /// The delivery's `X-Idempotency-Key` (push only).
    pub idempotency_key: Option<String>,
}

/// The identifiers of a pushed status, for logs and answers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusSummary {
    /// `statusId`, when readable.
    pub status_id: Option<Uuid>,
    /// `invoiceId`, when readable.
    pub invoice_id: Option<Uuid>,
    /// `status.code` as sent (`"APPROVED"`, `"205"`), when readable.
    pub code: Option<String>,
}

impl StatusSummary {
    fn of(status: &NotSeenStatus) -> Self {
        let code = match status {
            NotSeenStatus::Decoded(item) => Some(match &item.status.code {
                crate::types::StatusCode::String(code) => code.clone(),
                crate::types::StatusCode::Int64(code) => code.to_string(),
            }),
            NotSeenStatus::Undecodable(item) => {
                item.item
                    .field::<serde_json::Value>("status")
                    .and_then(|status| match status.get("code")? {
                        serde_json::Value::String(code) => Some(code.clone()),
                        serde_json::Value::Number(code) => Some(code.to_string()),
                        _ => None,
                    })
            }
        };
        Self {
            status_id: status.status_id(),
            invoice_id: status.invoice_id(),
            code,
        }
    }
}

/// What [`StatusFeed::push`] did with a delivery.
#[derive(Debug)]
pub enum PushOutcome<E> {
    /// A new status, handed to the handler, which succeeded.
    Handled(StatusSummary),
    /// A status already handled (a redelivery, or one the pull path brought): not handed again.
    Duplicate(StatusSummary),
    /// The same status is being handled right now (a concurrent redelivery): not handed again;
    /// answered "retry later" in case the first handling fails.
    InFlight(StatusSummary),
    /// The handler failed; nothing was recorded, and the answer asks Iopole to deliver again.
    Failed {
        /// The status.
        summary: StatusSummary,
        /// What the handler returned.
        error: E,
    },
    /// An inbound invoice (not a status): yours to store; answered as received. De-duplicate it
    /// with [`VerifiedDelivery::dedup_key`] if your storage is not idempotent.
    Invoice(InvoiceDelivery),
    /// A verified body that is not JSON: yours to keep; answered as received (a redelivery
    /// would not be readable either).
    Unreadable(UnreadableDelivery),
}

impl<E> PushOutcome<E> {
    /// The answer to send Iopole: [`Answer::Accepted`] or [`Answer::Duplicate`] (2xx) when
    /// the delivery needs no redelivery, [`Answer::RetryLater`] otherwise.
    pub fn answer(&self) -> Answer {
        match self {
            Self::Handled(_) | Self::Invoice(_) | Self::Unreadable(_) => Answer::Accepted,
            Self::Duplicate(_) => Answer::Duplicate,
            Self::InFlight(_) | Self::Failed { .. } => Answer::RetryLater,
        }
    }

    /// The status's identifiers, for a status delivery.
    pub fn summary(&self) -> Option<&StatusSummary> {
        match self {
            Self::Handled(summary)
            | Self::Duplicate(summary)
            | Self::InFlight(summary)
            | Self::Failed { summary, .. } => Some(summary),
            Self::Invoice(_) | Self::Unreadable(_) => None,
        }
    }
}

/// Why the feed did not mark a pulled status seen.
#[derive(Debug, thiserror::Error)]
pub enum FeedError<E> {
    /// The handler failed.
    #[error("the handler failed: {0}")]
    Handler(E),
    /// The same status is being handled right now (it arrived by push meanwhile).
    #[error("the status is being handled by another delivery")]
    InFlight,
}

/// Hands each status to the handler once, from webhook deliveries and from the not-seen drain.
/// See the [module documentation](self).
#[derive(Debug)]
pub struct StatusFeed<H, S = MemoryDedupStore> {
    handler: H,
    store: S,
}

impl<H> StatusFeed<H, MemoryDedupStore> {
    /// A feed with the in-memory store ([`MemoryDedupStore::default`]).
    pub fn new(handler: H) -> Self {
        Self {
            handler,
            store: MemoryDedupStore::default(),
        }
    }
}

/// The keys a status is known by: its idempotency key and its `statusId` (either may be absent).
fn keys(idempotency_key: Option<&str>, status_id: Option<Uuid>) -> Vec<String> {
    idempotency_key
        .map(|key| format!("idempotency:{key}"))
        .into_iter()
        .chain(status_id.map(|id| format!("status:{id}")))
        .collect()
}

impl<H, S, Fut, E> StatusFeed<H, S>
where
    H: Fn(FeedStatus) -> Fut,
    Fut: Future<Output = std::result::Result<(), E>>,
    S: DedupStore,
{
    /// A feed with your store.
    pub fn with_store(handler: H, store: S) -> Self {
        Self { handler, store }
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Handles a verified webhook delivery: a status not handled before goes to the handler
    /// (recorded once it succeeded); answer Iopole with [`PushOutcome::answer`].
    pub async fn push(&self, delivery: VerifiedDelivery) -> PushOutcome<E> {
        let VerifiedDelivery {
            delivery,
            idempotency_key,
            ..
        } = delivery;
        let status = match delivery {
            Delivery::Status(Tolerant::Decoded(item)) => NotSeenStatus::Decoded(item),
            Delivery::Status(Tolerant::Undecodable(item)) => {
                NotSeenStatus::Undecodable(UndecodableStatus::new(item, None))
            }
            Delivery::Invoice(invoice) => return PushOutcome::Invoice(invoice),
            Delivery::Unreadable(unreadable) => {
                tracing::warn!(error = %unreadable.error, "verified webhook delivery that is not JSON");
                return PushOutcome::Unreadable(unreadable);
            }
        };
        let summary = StatusSummary::of(&status);
        let keys = keys(idempotency_key.as_deref(), status.status_id());
        match self.claim_all(&keys) {
            Claim::Done => return PushOutcome::Duplicate(summary),
            Claim::InFlight => return PushOutcome::InFlight(summary),
            Claim::New => {}
        }
        let item = FeedStatus {
            source: Source::Push,
            status,
            idempotency_key,
        };
        match (self.handler)(item).await {
            Ok(()) => {
                keys.iter().for_each(|key| self.store.complete(key));
                PushOutcome::Handled(summary)
            }
            Err(error) => {
                keys.iter().for_each(|key| self.store.release(key));
                PushOutcome::Failed { summary, error }
            }
        }
    }

    /// One pass of the pull path ([`IopoleClient::drain_not_seen`]): each not-seen status not
    /// handled before goes to the handler; one already handled (it came by push) is only marked
    /// seen. A status is marked seen after its handler succeeded; a failure leaves it for the
    /// next pass (reported in [`DrainReport::failed`]).
    pub async fn pull(&self, client: &IopoleClient) -> Result<DrainReport<FeedError<E>>> {
        client
            .drain_not_seen(|status| async move {
                let keys = keys(None, status.status_id());
                match self.claim_all(&keys) {
                    Claim::Done => return Ok(()),
                    Claim::InFlight => return Err(FeedError::InFlight),
                    Claim::New => {}
                }
                let item = FeedStatus {
                    source: Source::Pull,
                    status,
                    idempotency_key: None,
                };
                match (self.handler)(item).await {
                    Ok(()) => {
                        keys.iter().for_each(|key| self.store.complete(key));
                        Ok(())
                    }
                    Err(error) => {
                        keys.iter().for_each(|key| self.store.release(key));
                        Err(FeedError::Handler(error))
                    }
                }
            })
            .await
    }

    /// Claims every key: `New` only when all were new (then all are claimed). When one is done,
    /// the status was handled: the other keys are recorded done too (so a later delivery under
    /// either key is a duplicate). When one is in flight, the claims taken are released.
    fn claim_all(&self, keys: &[String]) -> Claim {
        let mut claimed = Vec::new();
        let mut outcome = Claim::New;
        for key in keys {
            match self.store.claim(key) {
                Claim::New => claimed.push(key),
                Claim::Done => outcome = Claim::Done,
                Claim::InFlight if outcome == Claim::New => outcome = Claim::InFlight,
                Claim::InFlight => {}
            }
        }
        match outcome {
            Claim::New => {}
            Claim::Done => claimed.iter().for_each(|key| self.store.complete(key)),
            Claim::InFlight => claimed.iter().for_each(|key| self.store.release(key)),
        }
        outcome
    }
}

/// A pushed status as the feed hands it on, from a history item (for tests and replays).
impl From<StatusHistoryItem> for FeedStatus {
    fn from(item: StatusHistoryItem) -> Self {
        Self {
            source: Source::Push,
            status: NotSeenStatus::Decoded(item),
            idempotency_key: None,
        }
    }
}
