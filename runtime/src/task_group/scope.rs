//! The future of [`task_group`](super::task_group): one pass polls the
//! body (delivering cancellations to it first), then the children woken
//! since the last pass.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::{Group, Phase, TaskGroupError};
use crate::core::context::{self, Cleanup};
use crate::error::{CancelledError, Error, PanicError};

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
        // A cancellation of the task running the group, claimed here.
        pub(super) outside: Option<CancelledError>,
        // Everything finished after an outside cancellation; it was handed
        // back to the task, and this only waits to be dropped.
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
        // A cancellation delivered to this task reaches the body first: it
        // is on the await path, and a catch point inside it may claim it.
        let delivered = context::delivering();
        let synthetic = !delivered && group.cancel_body.replace(false) && this.body.is_some();
        if synthetic {
            context::set_delivering(true);
        }
        if let Some(body) = this.body.as_mut().as_pin_mut() {
            let polled = catch_unwind(AssertUnwindSafe(|| body.poll(cx)));
            let unclaimed = (delivered || synthetic) && context::delivering();
            match polled {
                Ok(Poll::Ready(output)) => {
                    *this.output = Some(output);
                    this.body.set(None);
                }
                Ok(Poll::Pending) if unclaimed => {
                    *this.cleanups = drop_body(this.body.as_mut());
                }
                Ok(Poll::Pending) => {}
                Err(payload) => {
                    group.fail(Error::Panicked(PanicError::new(payload)));
                    *this.cleanups = drop_body(this.body.as_mut());
                }
            }
            if synthetic {
                // Our own request to the body: claimed, or the body is gone.
                context::set_delivering(false);
            }
        }
        if context::delivering() {
            // Nobody below claimed it: the group's task is being cancelled.
            let task =
                context::current_task().expect("a cancellation is only delivered inside a task");
            context::set_delivering(false);
            *this.outside = Some(task.header().claim_cancel());
            group.abort();
            group.cancel_body.set(false);
        }
        while let Some(first) = this.cleanups.first_mut() {
            match first.as_mut().poll(cx) {
                Poll::Ready(()) => drop(this.cleanups.remove(0)),
                Poll::Pending => break,
            }
        }
        group.run_children();
        if group.cancel_body.get() && this.body.is_some() {
            // A child failed during this pass: cancel the body next pass.
            cx.waker().wake_by_ref();
        }
        if this.body.is_some() || !this.cleanups.is_empty() || group.unfinished.get() > 0 {
            return Poll::Pending;
        }
        group.phase.set(Phase::Closed);
        if let Some(cancel) = this.outside.take() {
            // Everything is done: the cancellation goes back to the task.
            if let Some(task) = context::current_task() {
                task.header()
                    .rearm_cancel(cancel.message().map(str::to_owned));
            }
            *this.passing_on = true;
            return Poll::Pending;
        }
        let errors = std::mem::take(&mut *group.errors.borrow_mut());
        if !errors.is_empty() {
            return Poll::Ready(Err(TaskGroupError { errors }));
        }
        let output = this
            .output
            .take()
            .expect("a task group without failures has its body's output");
        Poll::Ready(Ok(output))
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
