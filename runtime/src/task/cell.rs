//! The task cell: one allocation holding a task's header, its future and
//! its output, and the step that polls it.
//!
//! A step follows DESIGN.md's cancellation model: the future is polled with
//! the request "being delivered" (leaf futures refuse to complete and pass
//! the cancellation on to what they await), and if no catch point claimed
//! it the future is dropped. A task cancelled before its first step is
//! dropped without running. Async cleanups released by that drop run to
//! completion in this task before it reports done.

use std::any::Any;
use std::cell::RefCell;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::core::Runnable;
use crate::core::context;
use crate::core::header::{Stage, TaskHeader};
use crate::core::report;
use crate::core::waiters::Waiter;
use crate::error::{CancelledError, Error, PanicError};

pub(crate) struct TaskCell<F: Future> {
    pub(crate) header: TaskHeader,
    /// Pinned in place: never moved out, only dropped in place.
    future: RefCell<Option<F>>,
    output: RefCell<Option<F::Output>>,
}

impl<F: Future> TaskCell<F> {
    pub(crate) fn new(header: TaskHeader, future: F) -> Self {
        TaskCell {
            header,
            future: RefCell::new(Some(future)),
            output: RefCell::new(None),
        }
    }
}

impl<F> Runnable for TaskCell<F>
where
    F: Future + 'static,
    F::Output: 'static,
{
    fn header(&self) -> &TaskHeader {
        &self.header
    }

    fn output(&self) -> &dyn Any {
        &self.output
    }

    fn coro(&self) -> &'static str {
        std::any::type_name::<F>()
    }

    fn run(self: Rc<Self>) {
        let _current = context::enter_task(self.clone());
        if self.header.stage() == Stage::Running {
            self.step();
        }
        if self.header.stage() == Stage::CleaningUp && self.poll_cleanups() {
            finish(self);
        }
    }

    fn close(self: Rc<Self>) {
        if self.header.is_done() {
            return;
        }
        report::warn(&format!(
            "task was destroyed but it is pending: {}",
            self.describe()
        ));
        self.header.mark_retrieved();
        if self.header.stage() == Stage::Running {
            let closed = CancelledError::new(Some("the event loop was closed".into()));
            self.drop_future(Some(Error::Cancelled(closed)));
        }
        let lost = self.header.take_cleanups();
        if !lost.is_empty() {
            report::warn(&format!(
                "{} async cleanup(s) of {} could not run: the event loop is closed",
                lost.len(),
                self.describe()
            ));
        }
        drop(lost);
        finish(self);
    }
}

impl<F> TaskCell<F>
where
    F: Future + 'static,
    F::Output: 'static,
{
    /// Polls the future once, delivering a pending cancellation request.
    fn step(&self) {
        let header = &self.header;
        let cancelling = header.cancel_requested();
        if !header.start() && cancelling {
            // Cancelled before its first step: the body never runs (CPython).
            let error = header.claim_cancel();
            self.drop_future(Some(Error::Cancelled(error)));
            return;
        }
        if cancelling {
            context::set_delivering(true);
        }
        let polled = catch_unwind(AssertUnwindSafe(|| {
            let mut slot = self.future.borrow_mut();
            let Some(future) = slot.as_mut() else {
                return Poll::Pending;
            };
            // SAFETY: the future lives inside this task's `Rc` allocation,
            // which never moves, and it is never moved out of its slot: the
            // only way it leaves is `drop_future`, which drops it in place.
            let future = unsafe { Pin::new_unchecked(future) };
            future.poll(&mut Context::from_waker(&header.waker))
        }));
        // `enter_task` cleared the flag, so only a delivery can have set it.
        let unclaimed = cancelling && context::delivering();
        if unclaimed {
            context::set_delivering(false);
        }
        match polled {
            Ok(Poll::Pending) if unclaimed => {
                let error = header.claim_cancel();
                self.drop_future(Some(Error::Cancelled(error)));
            }
            Ok(Poll::Pending) => {}
            Ok(Poll::Ready(output)) if header.cancel_requested() => {
                // CPython: a task that requested its own cancellation and
                // returned without awaiting again ends cancelled.
                drop(output);
                let error = header.claim_cancel();
                self.drop_future(Some(Error::Cancelled(error)));
            }
            Ok(Poll::Ready(output)) => {
                *self.output.borrow_mut() = Some(output);
                self.drop_finished_future();
            }
            Err(payload) => {
                self.drop_future(Some(Error::Panicked(PanicError::new(payload))));
            }
        }
    }

    /// Drops a future that completed normally. It has no cancellation
    /// cleanups to collect: a guard its drop still releases runs as a task.
    fn drop_finished_future(&self) {
        // Assignment drops the old value in place (pinning holds).
        let dropped = catch_unwind(AssertUnwindSafe(|| *self.future.borrow_mut() = None));
        if let Err(payload) = dropped {
            self.report_drop_panic(Some(payload), None);
        }
        self.header.set_stage(Stage::CleaningUp);
    }

    fn report_drop_panic(
        &self,
        panicked: Option<Box<dyn Any + Send>>,
        failure: Option<Error>,
    ) -> Option<Error> {
        let Some(payload) = panicked else {
            return failure;
        };
        let panic = PanicError::new(payload);
        report::error(&format!(
            "dropping the future of {} panicked: {}",
            self.describe(),
            panic.message()
        ));
        let failure = failure.or(Some(Error::Panicked(panic)));
        if let Some(failure) = &failure {
            self.output.borrow_mut().take();
            self.header.set_failure(failure.clone());
        }
        failure
    }

    /// Drops the future in place, collecting the async cleanups its guards
    /// release, and moves the task to the cleanup stage.
    fn drop_future(&self, failure: Option<Error>) {
        let mut panicked = None;
        let cleanups = context::collect_cleanups(|| {
            let dropped = catch_unwind(AssertUnwindSafe(|| {
                // Assignment drops the old value in place (pinning holds).
                *self.future.borrow_mut() = None;
            }));
            panicked = dropped.err();
        });
        if panicked.is_some() {
            self.report_drop_panic(panicked, failure);
        } else if let Some(failure) = failure {
            self.output.borrow_mut().take();
            self.header.set_failure(failure);
        }
        self.header.add_cleanups(cleanups);
        self.header.set_stage(Stage::CleaningUp);
    }

    /// Polls pending async cleanups in order; true once all have finished.
    fn poll_cleanups(&self) -> bool {
        let header = &self.header;
        let mut cx = Context::from_waker(&header.waker);
        while let Some(mut cleanup) = header.next_cleanup() {
            match catch_unwind(AssertUnwindSafe(|| cleanup.as_mut().poll(&mut cx))) {
                Ok(Poll::Ready(())) => {}
                Ok(Poll::Pending) => {
                    header.return_cleanup(cleanup);
                    return false;
                }
                Err(payload) => {
                    report::error(&format!(
                        "an async cleanup of {} panicked: {}",
                        self.describe(),
                        PanicError::new(payload).message()
                    ));
                    let more = context::collect_cleanups(|| drop(cleanup));
                    header.add_cleanups(more);
                }
            }
        }
        true
    }
}

/// Marks the task done, frees its slot and notifies waiters in order.
fn finish(task: Rc<dyn Runnable>) {
    let header = task.header();
    header.set_stage(Stage::Done);
    let core = header.core.upgrade();
    if let Some(core) = &core {
        core.remove_task(header.key);
    }
    // The iterator owns the entries: no borrow is held while waking.
    let waiters = header.waiters.borrow_mut().take();
    waiters.for_each(|waiter| match waiter {
        Waiter::Wake(waker) => waker.wake(),
        Waiter::Callback(_, callback) => match &core {
            Some(core) if !core.is_closed() => {
                let task = task.clone();
                core.call_soon(Box::new(move || callback(&task)));
            }
            _ => callback(&task),
        },
    });
}

impl<F: Future> Drop for TaskCell<F> {
    fn drop(&mut self) {
        if let Some(message) = self.header.unretrieved_panic() {
            report::error(&format!(
                "the panic of {} was never retrieved: {message}",
                self.header.describe(std::any::type_name::<F>())
            ));
        }
    }
}
