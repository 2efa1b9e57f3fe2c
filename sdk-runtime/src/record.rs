//! What one call saw, shared between the call wrappers and the hooks through a task-local: the
//! explicit per-call context the hooks fill in and the wrappers read when the call ends.

use std::cell::RefCell;
use std::future::Future;
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use tokio::time::Instant;

use crate::body::BodyProblem;
use crate::credentials::AuthError;
use crate::operation::OperationSpec;

/// What one call saw.
#[derive(Default)]
pub(crate) struct CallRecord {
    /// The operation the call runs, when run through a call wrapper.
    pub operation: Option<&'static OperationSpec>,
    /// When the whole call must end: the configured deadline after the call started (before
    /// credentials were fetched, so fetching a token counts).
    pub deadline: Option<Instant>,
    pub attempts: u32,
    /// Whether the request's method makes a second send harmless.
    pub idempotent: bool,
    pub status: Option<StatusCode>,
    pub headers: HeaderMap,
    /// The body of a final non-2xx response (the hooks buffer it so the raw text is never lost).
    pub error_body: Option<Bytes>,
    /// Why `error_body` is incomplete, when it is.
    pub error_body_problem: Option<BodyProblem>,
    /// A 2xx response whose body could not be read whole: what arrived, and why it stopped.
    pub success_body_failure: Option<(Bytes, BodyProblem)>,
    pub auth_error: Option<AuthError>,
    pub deadline_reached: bool,
    /// An attempt is under way, bounded by its own timeout, which ends before the call's
    /// deadline: the call's own deadline timer need not be armed meanwhile.
    pub attempt_bounded: bool,
    /// The first attempt got no rate budget before the deadline: how long it would have waited.
    pub no_budget: Option<Duration>,
}

impl CallRecord {
    /// The final response's headers: the ones the hooks kept when they saw the response (moved
    /// there on a success, so a successful call never copies them), or a copy of `headers` when
    /// no hook ran.
    pub fn take_headers(&mut self, headers: &HeaderMap) -> HeaderMap {
        if self.status.is_some() {
            std::mem::take(&mut self.headers)
        } else {
            headers.clone()
        }
    }
}

/// What the error of a finished call needs to know of its record.
#[derive(Clone, Copy)]
pub(crate) struct CallFacts {
    pub attempts: u32,
    pub idempotent: bool,
}

impl CallFacts {
    pub fn of(record: &CallRecord) -> Self {
        Self {
            attempts: record.attempts,
            idempotent: record.idempotent,
        }
    }
}

tokio::task_local! {
    // A `RefCell`: the call's task owns the record; the hooks borrow it only between awaits.
    static CALL: RefCell<CallRecord>;
}

/// Updates the current call's record (nothing happens outside a call).
pub(crate) fn with_record(update: impl FnOnce(&mut CallRecord)) {
    let _ = CALL.try_with(|record| {
        if let Ok(mut record) = record.try_borrow_mut() {
            update(&mut record);
        }
    });
}

/// Records a successful response's status and headers. Inside a call the record keeps the
/// headers (the call wrapper hands them to the caller) and an empty map comes back for the
/// rebuilt response, so they are not copied; outside a call they come back unchanged.
pub(crate) fn record_success(status: StatusCode, headers: HeaderMap) -> HeaderMap {
    let mut headers = Some(headers);
    with_record(|record| {
        record.status = Some(status);
        if let Some(headers) = headers.take() {
            record.headers = headers;
        }
    });
    headers.unwrap_or_default()
}

/// Reads from the current call's record, if a call is running.
pub(crate) fn read_record<R>(read: impl FnOnce(&CallRecord) -> R) -> Option<R> {
    CALL.try_with(|record| record.try_borrow().ok().map(|record| read(&record)))
        .ok()
        .flatten()
}

/// When the current call must end, if a call is running.
pub(crate) fn call_deadline() -> Option<Instant> {
    read_record(|record| record.deadline).flatten()
}

/// Whether the current call has an attempt under way that its own timeout bounds.
fn attempt_bounded() -> bool {
    read_record(|record| record.attempt_bounded).unwrap_or(false)
}

/// Runs `call` with a fresh record for `operation`, under the whole-call `deadline` (plus a little
/// slack, since the hooks already bound each attempt by the deadline). `None` when it ran out.
///
/// The deadline's timer is armed only when `call` waits on something no attempt timeout bounds
/// (a backoff, a rate budget, a future that is not the SDK's): while an attempt is under way its
/// own timeout, which ends before the deadline, bounds the call, and a call that succeeds at its
/// first attempt never arms a second timer.
pub(crate) async fn scoped<R>(
    operation: &'static OperationSpec,
    deadline: Duration,
    call: impl Future<Output = R>,
) -> (Option<R>, CallRecord) {
    let started = Instant::now();
    let record = RefCell::new(CallRecord {
        operation: Some(operation),
        deadline: started.checked_add(deadline),
        ..CallRecord::default()
    });
    // A deadline too far away to be represented is, for a timer, thirty years away.
    let limit = started
        .checked_add(deadline.saturating_add(Duration::from_millis(250)))
        .unwrap_or_else(|| started + Duration::from_secs(30 * 365 * 86_400));
    let bounded = async move {
        let mut call = std::pin::pin!(call);
        let mut timer = std::pin::pin!(tokio::time::sleep_until(limit));
        std::future::poll_fn(move |cx| {
            if let Poll::Ready(outcome) = call.as_mut().poll(cx) {
                return Poll::Ready(Some(outcome));
            }
            if attempt_bounded() {
                return Poll::Pending;
            }
            timer.as_mut().poll(cx).map(|()| None)
        })
        .await
    };
    // Not boxed: the send loop (the large part) is boxed in the `exec` hook, and what is left
    // costs less to move than a large allocation (measured with callgrind, issue 20).
    let mut scope = std::pin::pin!(CALL.scope(record, bounded));
    let outcome = scope.as_mut().await;
    // The scope gives its value back once the call is done.
    let record = scope.as_mut().take_value().map(RefCell::into_inner).unwrap_or_default();
    (outcome, record)
}
