//! The calls' timers, reused from one call to the next.
//!
//! A tokio timer made for every call is registered in the runtime's timer wheel and removed again,
//! under the wheel's lock, each time; one moved to a later deadline is not (tokio only records the
//! new deadline). So a finished call's timer is kept, per thread, for the next call made on the
//! same tokio runtime, which moves it to its own deadline.

use std::cell::RefCell;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use tokio::runtime::Id as RuntimeId;
use tokio::time::{Instant, Sleep};

/// Spare timers kept per thread, at most: as many as calls a thread typically runs at once.
const SPARES_PER_THREAD: usize = 32;

thread_local! {
    static SPARES: RefCell<Vec<CallTimer>> = const { RefCell::new(Vec::new()) };
}

/// A tokio timer and the runtime whose timer wheel it is registered in.
pub(crate) struct CallTimer {
    runtime: Option<RuntimeId>,
    sleep: Pin<Box<Sleep>>,
}

impl CallTimer {
    /// A timer for `deadline` on the current tokio runtime: a spare one when this thread has one
    /// for that runtime, else a new one.
    pub(crate) fn take(deadline: Instant) -> Self {
        let runtime = tokio::runtime::Handle::try_current().ok().map(|handle| handle.id());
        let spare = runtime.and_then(|runtime| {
            SPARES
                .try_with(|spares| {
                    let mut spares = spares.try_borrow_mut().ok()?;
                    // Another runtime's spares are dropped: that runtime may be gone, and a timer
                    // is only moved within the runtime it was made in.
                    spares.retain(|spare| spare.runtime == Some(runtime));
                    spares.pop()
                })
                .ok()
                .flatten()
        });
        match spare {
            Some(mut timer) => {
                timer.sleep.as_mut().reset(deadline);
                timer
            }
            None => Self {
                runtime,
                sleep: Box::pin(tokio::time::sleep_until(deadline)),
            },
        }
    }

    /// Polls the timer, first moved to `deadline` if it is set for another one.
    pub(crate) fn poll_until(&mut self, deadline: Instant, cx: &mut Context<'_>) -> Poll<()> {
        if self.sleep.deadline() != deadline {
            self.sleep.as_mut().reset(deadline);
        }
        self.sleep.as_mut().poll(cx)
    }

    /// Keeps the timer for this thread's next call. Called only while the runtime runs the call
    /// (polling a timer of a runtime that has shut down panics): the task's waker is exchanged
    /// for one that does nothing, so a spare timer neither holds on to a finished task nor wakes
    /// it when its old deadline passes.
    pub(crate) fn release(mut self) {
        if self.runtime.is_none() {
            return;
        }
        let mut forget_task = Context::from_waker(Waker::noop());
        // Unconstrained: a task out of its tokio budget would not register the new waker.
        let _ = Pin::new(&mut tokio::task::unconstrained(&mut self.sleep)).poll(&mut forget_task);
        let _ = SPARES.try_with(|spares| {
            if let Ok(mut spares) = spares.try_borrow_mut()
                && spares.len() < SPARES_PER_THREAD
            {
                spares.push(self);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use std::future::poll_fn;
    use std::time::Duration;

    use super::*;

    fn spares_here() -> usize {
        SPARES.with(|spares| spares.borrow().len())
    }

    #[tokio::test(start_paused = true)]
    async fn a_released_timer_is_the_next_call_s_and_fires_at_the_new_deadline() {
        let first = Instant::now() + Duration::from_secs(30);
        let mut timer = CallTimer::take(first);
        assert!(
            poll_fn(|cx| Poll::Ready(timer.poll_until(first, cx)))
                .await
                .is_pending()
        );
        let address = &*timer.sleep as *const Sleep;
        timer.release();
        assert_eq!(spares_here(), 1);

        let second = Instant::now() + Duration::from_secs(2);
        let mut timer = CallTimer::take(second);
        assert_eq!(&*timer.sleep as *const Sleep, address, "the spare is reused");
        assert_eq!(spares_here(), 0);
        let started = Instant::now();
        poll_fn(|cx| timer.poll_until(second, cx)).await;
        assert_eq!(started.elapsed(), Duration::from_secs(2));

        // Moved later again after it fired.
        let third = Instant::now() + Duration::from_secs(5);
        poll_fn(|cx| timer.poll_until(third, cx)).await;
        assert_eq!(started.elapsed(), Duration::from_secs(7));
    }

    #[test]
    fn another_runtime_s_spares_are_dropped_not_reused() {
        let first = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        first.block_on(async {
            let deadline = Instant::now() + Duration::from_secs(30);
            let mut timer = CallTimer::take(deadline);
            let _ = poll_fn(|cx| Poll::Ready(timer.poll_until(deadline, cx))).await;
            timer.release();
        });
        assert_eq!(spares_here(), 1);
        drop(first);

        let second = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        second.block_on(async {
            let deadline = Instant::now() + Duration::from_millis(10);
            let mut timer = CallTimer::take(deadline);
            assert_eq!(spares_here(), 0, "the shut-down runtime's timer was dropped");
            // A timer of the current runtime: polling it does not panic, and it fires.
            poll_fn(|cx| timer.poll_until(deadline, cx)).await;
        });
    }

    #[test]
    fn a_thread_keeps_a_bounded_number_of_spares() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let deadline = Instant::now() + Duration::from_secs(30);
            let timers: Vec<CallTimer> = (0..SPARES_PER_THREAD + 5).map(|_| CallTimer::take(deadline)).collect();
            for timer in timers {
                timer.release();
            }
            assert_eq!(spares_here(), SPARES_PER_THREAD);
        });
    }
}
