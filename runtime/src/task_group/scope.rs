//! The future of [`task_group`](super::task_group): one pass polls the
//! body (a cancellation point: what reaches the group goes into the body
//! first), then the children woken since the last pass.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::{Group, Phase, TaskGroupError};
use crate::error::{CancelledError, Error, PanicError};
use crate::scheduler::context::{self, Cleanup};
use crate::scheduler::delivery::{self, Pending, ScopePoll};

pin_project! {
    /// The future of [`task_group`]: polls the body and the children.
    #[must_use = "futures do nothing unless awaited"]
    pub(super) struct TaskGroupScope<'env, B: Future> {
        pub(super) group: Rc<Group<'env>>,
        #[pin]
        pub(super) body: Option<B>,
        pub(super) output: Option<B::Output>,
        // Async cleanups released when the body was cancelled.
        pub(super) cleanups: Vec<Cleanup>,
        // A cancellation left the group and was raised in its task; this
        // only waits to be dropped.
        pub(super) passing_on: bool,
    }

    impl<'env, B: Future> PinnedDrop for TaskGroupScope<'env, B> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            this.group.shut_down();
        }
    }
}

impl<'env, B: Future> Future for TaskGroupScope<'env, B> {
    type Output = Result<B::Output, TaskGroupError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let group = this.group.clone();
        group.ready.set_parent(cx.waker());
        if *this.passing_on {
            return Poll::Pending;
        }
        group.enter();
        // The body first: a cancellation reaching the group goes down into
        // it, where a catch point may take it.
        if let Some(mut body) = this.body.as_mut().as_pin_mut() {
            let node = group.node.clone();
            let polled = catch_unwind(AssertUnwindSafe(|| {
                node.poll(cx, |cx| body.as_mut().poll(cx))
            }));
            match polled {
                Ok(ScopePoll::Ready(output)) => {
                    *this.output = Some(output);
                    this.body.set(None);
                    if let Some(error) = node.take_late() {
                        // It reached the group itself.
                        group.cancelled(error);
                    }
                }
                Ok(ScopePoll::Pending) => {}
                Ok(ScopePoll::Cancelled(error)) => {
                    group.cancelled(error);
                    *this.cleanups = drop_body(this.body.as_mut());
                }
                Err(payload) => {
                    group.fail(Error::Panicked(PanicError::new(payload)));
                    *this.cleanups = drop_body(this.body.as_mut());
                }
            }
        }
        if context::delivering() {
            // The body is done (or panicked): the cancellation reaches the
            // group itself, waiting for its children.
            group.cancelled(context::claim());
        }
        while let Some(first) = this.cleanups.first_mut() {
            match first.as_mut().poll(cx) {
                Poll::Ready(()) => drop(this.cleanups.remove(0)),
                Poll::Pending => break,
            }
        }
        group.run_children();
        if group.phase.get() == Phase::Aborting
            && this.body.is_some()
            && !group.body_cancelled.replace(true)
        {
            // A child failed: cancel the body, at its current await.
            group.node.cancel(Pending::Own(CancelledError::new(None)));
            cx.waker().wake_by_ref();
        }
        if this.body.is_some() || !this.cleanups.is_empty() || group.unfinished.get() > 0 {
            // Waiting for children, the group itself takes cancellations.
            delivery::note_point();
            return Poll::Pending;
        }
        match group.close(this.output.take()) {
            Some(outcome) => Poll::Ready(outcome),
            None => {
                *this.passing_on = true;
                Poll::Pending
            }
        }
    }
}

/// Drops a cancelled body, returning the async cleanups it released.
fn drop_body<B: Future>(mut body: Pin<&mut Option<B>>) -> Vec<Cleanup> {
    let mut panicked = None;
    let cleanups = context::collect_cleanups(|| {
        panicked = catch_unwind(AssertUnwindSafe(|| body.set(None))).err();
    });
    if let Some(payload) = panicked {
        std::panic::resume_unwind(payload);
    }
    cleanups
}
