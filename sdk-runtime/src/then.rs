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
        let output = ready!(this.future.poll(cx));
        match this.finish.take() {
            Some(finish) => Poll::Ready(finish(output)),
            // Polled again after it finished: it has nothing more to give.
            None => Poll::Pending,
        }
    }
}
