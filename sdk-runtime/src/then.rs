//! A future followed by a synchronous step on its output, in one value: the call wrappers return
//! it, so the generated call's (large) future is stored once and not again as an `async fn`'s
//! argument.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

pin_project_lite::pin_project! {
    /// `future`, then `finish` applied to its output.
    pub(crate) struct Then<Fut, Finish> {
        #[pin]
        future: Fut,
        finish: Option<Finish>,
    }
}

impl<Fut, Finish> Then<Fut, Finish> {
    pub(crate) fn new(future: Fut, finish: Finish) -> Self {
        Self {
            future,
            finish: Some(finish),
        }
    }
}

impl<Fut, Finish, Output> Future for Then<Fut, Finish>
where
    Fut: Future,
    Finish: FnOnce(Fut::Output) -> Output,
{
    type Output = Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Output> {
        let this = self.project();
        // Polled again after it finished: it has nothing more to give (and the inner future,
        // finished too, is not polled again).
        if this.finish.is_none() {
            return Poll::Pending;
        }
        let output = ready!(this.future.poll(cx));
        match this.finish.take() {
            Some(finish) => Poll::Ready(finish(output)),
            None => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;

    #[test]
    fn polled_again_after_it_finished_it_stays_pending_without_polling_the_inner_future() {
        // An `async` block panics when polled after it finished.
        let mut then = std::pin::pin!(Then::new(async { 20 }, |n: i32| n + 1));
        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(then.as_mut().poll(&mut cx), Poll::Ready(21));
        assert_eq!(then.as_mut().poll(&mut cx), Poll::Pending);
    }
}
