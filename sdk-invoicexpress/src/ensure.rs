//! Reaching a target state: [`InvoiceXpressClient::ensure_state`] reads the document's status,
//! plans the shortest legal path through the family's transition table, applies each step, and
//! reads the status again whenever the outcome of a step is unknown, so a change is never applied
//! twice.

use std::fmt;

use sdk_runtime::{Reply, RequestOutcome};

use crate::client::InvoiceXpressClient;
use crate::config;
use crate::error::Error;
use crate::generated::operations::CHANGE_DOCUMENT_STATE;
use crate::state::{CancelReason, DocumentKind, EmptyCancelReason, StateChange};
use crate::transitions::{TRANSITIONS, Transition};
use crate::types::{Document, DocumentStatus};

/// How many times a step whose outcome was unknown, and which the status read afterwards shows
/// was not applied, is sent again before [`InvoiceXpressClient::ensure_state`] gives up with the
/// step's error.
pub const MAX_UNCERTAIN_RETRIES: u32 = 2;

/// The state [`InvoiceXpressClient::ensure_state`] brings a document to. A cancel carries its
/// reason, so a plan through a cancel never lacks one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TargetState {
    /// `final` (finalized).
    Final,
    /// `settled` (paid; the invoice family).
    Settled,
    /// `deleted` (a draft deleted).
    Deleted,
    /// `accepted` (estimates).
    Accepted,
    /// `refused` (estimates).
    Refused,
    /// `canceled`, with the reason the provider requires.
    Canceled {
        /// Why the document is canceled.
        reason: CancelReason,
    },
}

impl TargetState {
    /// `canceled` with `reason`; refused when the reason is empty or whitespace only.
    pub fn canceled(reason: impl Into<String>) -> Result<Self, EmptyCancelReason> {
        Ok(Self::Canceled {
            reason: CancelReason::new(reason)?,
        })
    }

    /// The document status this target is.
    pub fn status(&self) -> DocumentStatus {
        match self {
            Self::Final => DocumentStatus::Final,
            Self::Settled => DocumentStatus::Settled,
            Self::Deleted => DocumentStatus::Deleted,
            Self::Accepted => DocumentStatus::Accepted,
            Self::Refused => DocumentStatus::Refused,
            Self::Canceled { .. } => DocumentStatus::Canceled,
        }
    }

    /// The cancel reason, for [`TargetState::Canceled`].
    pub fn reason(&self) -> Option<&CancelReason> {
        match self {
            Self::Canceled { reason } => Some(reason),
            _ => None,
        }
    }
}

/// Shows the target status (`canceled`), never the reason.
impl fmt::Display for TargetState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.status().as_str())
    }
}

/// One state change [`InvoiceXpressClient::ensure_state`] applied.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AppliedStep {
    /// The table row: from which status, the state sent, and the status it leads to.
    pub transition: &'static Transition,
    /// Whether the outcome of the request was unknown (a timeout, a connection lost after
    /// sending) and the status read afterwards showed the change had been applied.
    pub confirmed_by_read: bool,
}

/// What [`InvoiceXpressClient::ensure_state`] achieved: the document is in `status`, the target.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct StateEnsured {
    /// The document's status now: the target.
    pub status: DocumentStatus,
    /// The latest document the provider sent (from the last change's answer, or the last read);
    /// `None` when the last answer had no document.
    pub document: Option<Document>,
    /// The changes applied, in order; empty when the document was already in the target state.
    pub steps: Vec<AppliedStep>,
    /// How many times the document was read (at least once, before planning).
    pub reads: u32,
}

impl StateEnsured {
    /// Whether the document was already in the target state (nothing was changed).
    pub fn was_already_there(&self) -> bool {
        self.steps.is_empty()
    }
}

/// The target state cannot be reached from the document's current status through the family's
/// transition table. Nothing was changed by the call that reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TargetUnreachable {
    /// The document type.
    pub document_type: DocumentKind,
    /// The document.
    pub document_id: i64,
    /// The document's current status (normalised), `None` when the document had none.
    pub current: Option<DocumentStatus>,
    /// The status looked for.
    pub target: DocumentStatus,
}

impl fmt::Display for TargetUnreachable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ", self.document_type, self.document_id)?;
        match &self.current {
            Some(status) => write!(f, "in status `{status}`")?,
            None => f.write_str("with no status")?,
        }
        write!(
            f,
            " cannot reach `{}` through the {} transition table",
            self.target,
            self.document_type.family()
        )
    }
}

impl std::error::Error for TargetUnreachable {}

/// Whether an error leaves it unknown whether the request was applied.
fn outcome_unknown(error: &Error) -> bool {
    matches!(error.outcome(), RequestOutcome::Unknown | RequestOutcome::Processed)
}

impl InvoiceXpressClient {
    /// Brings a document to `target`: reads its current status ([`get_document`](Self::get_document)),
    /// plans the shortest legal path through its family's table ([`TRANSITIONS`],
    /// [`TransitionTable::path`](crate::TransitionTable::path)), e.g. draft → final → settled,
    /// and applies each step with [`change_state`](Self::change_state) (giving the current
    /// status, so the guard checks it). Succeeds at once, without a change, when the document is
    /// already there.
    ///
    /// A step whose outcome is unknown (an error whose
    /// [`outcome`](sdk_runtime::Error::outcome) is `Unknown` or `Processed`: a timeout, a
    /// connection lost after sending, a 5xx a gateway may have passed on) is never simply sent
    /// again: the status is read first. Applied, the plan goes on from there; not applied, the
    /// step is sent again (at most [`MAX_UNCERTAIN_RETRIES`] times); another status (someone
    /// else changed the document), the plan is made again from it. Statuses are compared
    /// normalised ([`DocumentStatus::normalized`], so `accept` counts as `accepted`).
    ///
    /// # Errors
    ///
    /// - A target the table cannot reach from the current status: an
    ///   [`ErrorKind::InvalidRequest`](sdk_runtime::ErrorKind::InvalidRequest) error whose
    ///   [`target_unreachable`](crate::ErrorExt::target_unreachable) names the current status and
    ///   the target; nothing more is sent.
    /// - Any error of a read or of a step whose outcome is known (a 422 when someone else changed
    ///   the document meanwhile, a 401...), as it came.
    pub async fn ensure_state(
        &self,
        document_type: DocumentKind,
        document_id: i64,
        target: &TargetState,
    ) -> Result<Reply<StateEnsured>, Error> {
        let wanted = target.status();
        let read = Box::pin(self.get_document(document_type, document_id)).await?;
        let mut reads = 1;
        let mut status = read.value.normalized_status();
        let mut last = read.map(Some);
        let mut steps: Vec<AppliedStep> = Vec::new();
        let mut uncertain_retries = 0;
        // Every plan is at most as long as the table; the bound stops a server that keeps
        // moving the document from keeping this loop going.
        let max_steps = TRANSITIONS.rows().len() * 2 + 2;
        loop {
            if status.as_ref() == Some(&wanted) {
                return Ok(last.map(|document| StateEnsured {
                    status: wanted,
                    document,
                    steps,
                    reads,
                }));
            }
            let unreachable = |current: Option<DocumentStatus>| {
                let refused = TargetUnreachable {
                    document_type,
                    document_id,
                    current,
                    target: wanted.clone(),
                };
                tracing::debug!(provider = config::PROVIDER.name, %refused, "target state unreachable");
                self.runtime().invalid_request(&CHANGE_DOCUMENT_STATE, refused)
            };
            let Some(current) = status.clone() else {
                return Err(unreachable(None));
            };
            let step = match TRANSITIONS.path(document_type, &current, &wanted, target.reason().is_some()) {
                Some(path) if steps.len() < max_steps => path.into_iter().next(),
                _ => None,
            };
            let Some((row, change)) =
                step.and_then(|row| Some((row, StateChange::from_kind(&row.state, target.reason())?)))
            else {
                return Err(unreachable(Some(current)));
            };
            match Box::pin(self.change_state(document_type, document_id, &change, Some(&current))).await {
                Ok(reply) => {
                    steps.push(AppliedStep {
                        transition: row,
                        confirmed_by_read: false,
                    });
                    let answered = reply.value.document.as_ref().and_then(Document::normalized_status);
                    // The answer's status when it has one the table knows, else the row's `to`.
                    status = Some(match answered {
                        Some(answered) if answered.is_known() => answered,
                        _ => row.to.clone(),
                    });
                    last = reply.map(|changed| changed.document);
                }
                Err(error) if outcome_unknown(&error) => {
                    tracing::debug!(provider = config::PROVIDER.name, %error, "state change outcome unknown; reading the status");
                    let read = Box::pin(self.get_document(document_type, document_id)).await?;
                    reads += 1;
                    let seen = read.value.normalized_status();
                    if seen.as_ref() == Some(&row.to) {
                        steps.push(AppliedStep {
                            transition: row,
                            confirmed_by_read: true,
                        });
                    } else if seen.as_ref() == Some(&current) {
                        if uncertain_retries >= MAX_UNCERTAIN_RETRIES {
                            return Err(error);
                        }
                        uncertain_retries += 1;
                    }
                    status = seen;
                    last = read.map(Some);
                }
                Err(error) => return Err(error),
            }
        }
    }
}
