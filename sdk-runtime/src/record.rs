//! What one call saw, shared between the call wrappers and the hooks: the explicit per-call
//! context the hooks fill in and the wrappers read when the call ends. The record lives in the
//! call's future ([`Scoped`]), and is lent to the hooks, through a scoped thread-local, while that
//! future is polled.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use tokio::time::Instant;

use crate::body::BodyProblem;
use crate::credentials::AuthError;
use crate::operation::OperationSpec;
use crate::timer::CallTimer;

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
    /// What went wrong, when something did: boxed, since most calls fill none of it in and the
    /// record is moved several times per call.
    pub failure: Option<Box<CallFailure>>,
    /// The 2xx body the hooks read whole: the generated code (`response_value`) or a call
    /// wrapper takes it from here (the response handed on has been read to its end).
    pub success_body: Option<Bytes>,
    pub deadline_reached: bool,
    /// When the attempt under way must end (the send loop sets it as it sends, and clears it when
    /// the attempt's response is read): the call's timer ends the attempt then.
    pub attempt_deadline: Option<Instant>,
    /// The call's timer ended the attempt under way: the send loop sees it at its next poll
    /// (see [`within_attempt`]).
    pub attempt_timed_out: bool,
    /// The call ended because its last attempt timed out (the send loop did not retry).
    pub timed_out: bool,
}

/// The parts of a [`CallRecord`] only a call that went wrong fills in.
#[derive(Default)]
pub(crate) struct CallFailure {
    /// The body of a final non-2xx response (the hooks buffer it so the raw text is never lost).
    pub error_body: Option<Bytes>,
    /// Why `error_body` is incomplete, when it is.
    pub error_body_problem: Option<BodyProblem>,
    /// A 2xx response whose body could not be read whole: what arrived, and why it stopped.
    pub success_body_failure: Option<(Bytes, BodyProblem)>,
    pub auth_error: Option<AuthError>,
    /// The first attempt got no rate budget before the deadline: how long it would have waited.
    pub no_budget: Option<Duration>,
}

impl CallRecord {
    /// The failure part, made when first written to.
    pub fn failure_mut(&mut self) -> &mut CallFailure {
        self.failure.get_or_insert_with(Default::default)
    }

    /// The failure part (`None` when nothing went wrong).
    pub fn failed(&self) -> Option<&CallFailure> {
        self.failure.as_deref()
    }

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

scoped_tls::scoped_thread_local! {
    // A `RefCell`: the call's future owns the record; the hooks borrow it only between awaits.
    static CALL: RefCell<CallRecord>
}

/// Updates the current call's record (nothing happens outside a call).
pub(crate) fn with_record(update: impl FnOnce(&mut CallRecord)) {
    if CALL.is_set() {
        CALL.with(|record| {
            if let Ok(mut record) = record.try_borrow_mut() {
                update(&mut record);
            }
        });
    }
}

/// Records a successful response's status and headers. Inside a call the record keeps the
/// headers (the call wrapper hands them to the caller) and an empty map comes back for the
/// response handed on, so they are not copied; outside a call they come back unchanged, for the
/// rebuilt response.
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

/// Takes the 2xx body the hooks kept in the current call's record, if a call is running and has
/// one.
pub(crate) fn take_success_body() -> Option<Bytes> {
    let mut body = None;
    with_record(|record| body = record.success_body.take());
    body
}

/// Reads from the current call's record, if a call is running.
pub(crate) fn read_record<R>(read: impl FnOnce(&CallRecord) -> R) -> Option<R> {
    if !CALL.is_set() {
        return None;
    }
    CALL.with(|record| record.try_borrow().ok().map(|record| read(&record)))
}

/// When the current call must end, if a call is running.
pub(crate) fn call_deadline() -> Option<Instant> {
    read_record(|record| record.deadline).flatten()
}

/// How long a deadline too far away to be represented is, for a timer: thirty years.
const FAR_FUTURE: Duration = Duration::from_secs(30 * 365 * 86_400);

/// Slack past the call's deadline before its own timer ends the call: the hooks already bound
/// each attempt by the deadline, so this timer is only a backstop.
const DEADLINE_SLACK: Duration = Duration::from_millis(250);

/// Polls `attempt` (a step of the attempt under way: the exchange, a body read) until it is ready
/// or the call's timer has ended the attempt (`Err`). What is ready wins over a timeout seen at the
/// same poll. Outside a call nothing ends it here (the request carries its own timeout then).
pub(crate) async fn within_attempt<F: Future>(attempt: F) -> Result<F::Output, AttemptTimedOut> {
    let mut attempt = std::pin::pin!(attempt);
    std::future::poll_fn(|cx| match attempt.as_mut().poll(cx) {
        Poll::Ready(output) => Poll::Ready(Ok(output)),
        Poll::Pending if read_record(|record| record.attempt_timed_out) == Some(true) => {
            Poll::Ready(Err(AttemptTimedOut))
        }
        Poll::Pending => Poll::Pending,
    })
    .await
}

/// The call's timer ended the attempt under way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AttemptTimedOut;

pin_project_lite::pin_project! {
    /// A call run with a fresh record, under the whole-call deadline (plus [`DEADLINE_SLACK`])
    /// and the send loop's per-attempt deadlines. Gives back what the call returned (`None` when
    /// a deadline ended it first: the record says which) and the record.
    ///
    /// One future holds the call, its record and its timer, so that the call's (large) future is
    /// stored and moved once, not once per layer of `async fn`s around it. The record counts the
    /// deadline from the first poll. One timer bounds the whole call: while an attempt is under
    /// way it is set for the attempt's end (which the send loop puts in the record, never past
    /// the call's deadline), else for the call's deadline. When an attempt's end comes first, the
    /// record says so and the call is polled again, for the send loop to retry or give up. The
    /// timer is made when the call first waits, from this thread's spares (see [`CallTimer`]), and
    /// goes back to them when the call ends.
    pub(crate) struct Scoped<F> {
        #[pin]
        call: F,
        record: RefCell<CallRecord>,
        deadline: Duration,
        // When the call's deadline ends it: set at the first poll.
        limit: Option<Instant>,
        timer: Option<CallTimer>,
    }
}

/// Runs `call` with a fresh record for `operation` under the whole-call `deadline`: see
/// [`Scoped`].
pub(crate) fn scoped<F: Future>(operation: &'static OperationSpec, deadline: Duration, call: F) -> Scoped<F> {
    Scoped {
        call,
        record: RefCell::new(CallRecord {
            operation: Some(operation),
            ..CallRecord::default()
        }),
        deadline,
        limit: None,
        timer: None,
    }
}

impl<F: Future> Future for Scoped<F> {
    type Output = (Option<F::Output>, CallRecord);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let limit = *this.limit.get_or_insert_with(|| {
            let started = Instant::now();
            this.record.get_mut().deadline = started.checked_add(*this.deadline);
            started
                .checked_add(this.deadline.saturating_add(DEADLINE_SLACK))
                .unwrap_or_else(|| started + FAR_FUTURE)
        });
        loop {
            let call = this.call.as_mut();
            let polled = CALL.set(this.record, || call.poll(cx));
            let record = this.record.get_mut();
            let ended = match polled {
                Poll::Ready(outcome) => Some(Some(outcome)),
                // The send loop gave up after its last attempt timed out.
                Poll::Pending if record.timed_out => Some(None),
                Poll::Pending => None,
            };
            if let Some(outcome) = ended {
                // The runtime is running this call, so its timer can be kept for the next one.
                if let Some(timer) = this.timer.take() {
                    timer.release();
                }
                return Poll::Ready((outcome, std::mem::take(record)));
            }
            let attempt_end = record.attempt_deadline.filter(|end| *end < limit);
            let until = attempt_end.unwrap_or(limit);
            let timer = this.timer.get_or_insert_with(|| CallTimer::take(until));
            match timer.poll_until(until, cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(()) if attempt_end.is_some() => {
                    // The attempt's end: the send loop sees it when polled again.
                    record.attempt_timed_out = true;
                    record.attempt_deadline = None;
                }
                Poll::Ready(()) => {
                    if let Some(timer) = this.timer.take() {
                        timer.release();
                    }
                    return Poll::Ready((None, std::mem::take(record)));
                }
            }
        }
    }
}
