//! The task cell: one allocation holding a task's header, its future and
//! its output, and the step that polls it.
//!
//! A step delivers a pending cancellation request (see `scheduler::delivery`):
//! with no cancellation point armed on the task's await path the future is
//! dropped without being polled; otherwise it is polled with the request
//! on its way down, and if no point claimed it the future is dropped. A
//! task cancelled before its first step is dropped without running. Async
//! cleanups released by that drop run to completion in this task before it
//! reports done.

#![allow(unsafe_code)] // audited: see ARCHITECTURE.md, "unsafe"

use std::any::Any;
use std::cell::RefCell;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::error::{CancelledError, Error, PanicError};
use crate::scheduler::Runnable;
use crate::scheduler::context::{self, Delivery};
use crate::scheduler::delivery;
use crate::scheduler::header::{Stage, TaskHeader};
use crate::scheduler::report;
use crate::scheduler::waiters::Waiter;

pub(crate) struct TaskCell<F: Future> {
    pub(crate) header: TaskHeader,
    /// The future, then its output, in the same place.
    slot: RefCell<Slot<F>>,
}

/// What a task cell holds: the future until it finishes (pinned in place:
/// never moved out, only dropped in place), then its output until taken.
enum Slot<F: Future> {
    Future(F),
    Output(Option<F::Output>),
}

impl<F: Future> TaskCell<F> {
    pub(crate) fn new(header: TaskHeader, future: F) -> Self {
        TaskCell {
            header,
            slot: RefCell::new(Slot::Future(future)),
        }
    }
}

/// The future half of a task, as the stepping functions below see it: a
/// loop task's [`TaskCell`], or a task group child whose future the group
/// owns.
pub(crate) trait Body {
    /// Polls the future once; on `Ready` its output has been stored.
    fn poll_body(&self, cx: &mut Context<'_>) -> Poll<()>;
    /// Drops the future in place.
    fn drop_body(&self);
}

impl<F> Body for TaskCell<F>
where
    F: Future + 'static,
    F::Output: 'static,
{
    fn poll_body(&self, cx: &mut Context<'_>) -> Poll<()> {
        let mut slot = self.slot.borrow_mut();
        let Slot::Future(future) = &mut *slot else {
            return Poll::Pending;
        };
        // SAFETY: the future lives inside this task's `Rc` allocation,
        // which never moves, and it is never moved out of its slot: the
        // only way it leaves is being overwritten (here or in
        // `drop_body`), which drops it in place.
        let future = unsafe { Pin::new_unchecked(future) };
        let output = std::task::ready!(future.poll(cx));
        // The output takes the finished future's place: assignment drops
        // the future in place (pinning holds). A panic in that drop is
        // reported and fails the task, as for any future's drop.
        let dropped = catch_unwind(AssertUnwindSafe(|| *slot = Slot::Output(Some(output))));
        drop(slot);
        if let Err(payload) = dropped {
            report_drop_panic(self, Some(payload), None);
        }
        Poll::Ready(())
    }

    fn drop_body(&self) {
        let mut slot = self.slot.borrow_mut();
        if let Slot::Future(_) = &*slot {
            // Assignment drops the future in place (pinning holds).
            *slot = Slot::Output(None);
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

    fn with_output(&self, f: &mut dyn FnMut(&mut dyn Any)) {
        match &mut *self.slot.borrow_mut() {
            Slot::Output(output) => f(output),
            Slot::Future(_) => f(&mut None::<F::Output>),
        }
    }

    fn discard_output(&self) {
        if let Slot::Output(output) = &mut *self.slot.borrow_mut() {
            output.take();
        }
    }

    fn coro(&self) -> &'static str {
        std::any::type_name::<F>()
    }

    fn describe(&self) -> String {
        super::describe(&self.header, self.coro())
    }

    fn run(self: Rc<Self>) {
        let _current = context::enter_task(self.clone());
        if run_step(&*self, &*self) {
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
            drop_future(&*self, &*self, Some(Error::Cancelled(closed)));
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

/// One step of a task whose context is entered: polls the future (or its
/// async cleanups); true once the task is ready to [`finish`].
pub(crate) fn run_step(task: &dyn Runnable, body: &dyn Body) -> bool {
    if task.header().stage() == Stage::Running {
        step(task, body);
    }
    task.header().stage() == Stage::CleaningUp && poll_cleanups(task)
}

/// Polls the future once, delivering a pending cancellation request.
fn step(task: &dyn Runnable, body: &dyn Body) {
    let header = task.header();
    let cancelling = header.cancel_requested();
    if cancelling {
        // Tells the request being delivered from one made during the step.
        header.begin_step();
    }
    let started = header.start();
    if cancelling && (!started || !header.armed() || header.cancel_raised()) {
        // Cancelled before its first step (the body never runs, as in
        // CPython), or nothing on its await path takes cancellations, or
        // one was raised to the top: drop the future without polling it.
        let error = header.claim_cancel();
        drop_future(task, body, Some(Error::Cancelled(error)));
        return;
    }
    if cancelling {
        context::set_delivery(Some(Delivery::Task));
    }
    let (polled, armed) = delivery::watch_points(|| {
        catch_unwind(AssertUnwindSafe(|| {
            body.poll_body(&mut Context::from_waker(&header.waker))
        }))
    });
    header.set_armed(armed);
    // `enter_task` cleared the delivery, so only ours can be left.
    let unclaimed = cancelling && context::delivering();
    if cancelling {
        context::set_delivery(None);
    }
    match polled {
        Ok(Poll::Pending) if unclaimed => {
            let error = header.claim_cancel();
            drop_future(task, body, Some(Error::Cancelled(error)));
        }
        Ok(Poll::Pending) => {}
        Ok(Poll::Ready(()))
            if header.cancel_requested() && (!cancelling || header.requested_in_step()) =>
        {
            // CPython: a task that requested its own cancellation and
            // returned without awaiting again ends cancelled.
            task.discard_output();
            let error = header.claim_cancel();
            drop_future(task, body, Some(Error::Cancelled(error)));
        }
        Ok(Poll::Ready(())) => {
            if unclaimed {
                // The request reached no catch point before the future
                // finished: its output stands (what it received is not
                // thrown away), the request is spent.
                let _ = header.claim_cancel();
            }
            drop_finished_future(task, body)
        }
        Err(payload) => {
            drop_future(task, body, Some(Error::Panicked(PanicError::new(payload))));
        }
    }
}

/// Drops a future that completed normally (a loop task's cell already did,
/// when the output took its place). It has no cancellation cleanups to
/// collect: a guard its drop still releases runs as a task.
fn drop_finished_future(task: &dyn Runnable, body: &dyn Body) {
    let dropped = catch_unwind(AssertUnwindSafe(|| body.drop_body()));
    if let Err(payload) = dropped {
        report_drop_panic(task, Some(payload), None);
    }
    task.header().set_stage(Stage::CleaningUp);
}

fn report_drop_panic(
    task: &dyn Runnable,
    panicked: Option<Box<dyn Any + Send>>,
    failure: Option<Error>,
) -> Option<Error> {
    let Some(payload) = panicked else {
        return failure;
    };
    let panic = PanicError::new(payload);
    report::error(&format!(
        "dropping the future of {} panicked: {}",
        task.describe(),
        panic.message()
    ));
    let failure = failure.or(Some(Error::Panicked(panic)));
    if let Some(failure) = &failure {
        task.discard_output();
        task.header().set_failure(failure.clone());
    }
    failure
}

/// Drops the future in place, collecting the async cleanups its guards
/// release, and moves the task to the cleanup stage.
pub(crate) fn drop_future(task: &dyn Runnable, body: &dyn Body, failure: Option<Error>) {
    let mut panicked = None;
    let cleanups = context::collect_cleanups(|| {
        panicked = catch_unwind(AssertUnwindSafe(|| body.drop_body())).err();
    });
    let header = task.header();
    if panicked.is_some() {
        report_drop_panic(task, panicked, failure);
    } else if let Some(failure) = failure {
        task.discard_output();
        header.set_failure(failure);
    }
    header.add_cleanups(cleanups);
    header.set_stage(Stage::CleaningUp);
}

/// Polls pending async cleanups in order; true once all have finished.
fn poll_cleanups(task: &dyn Runnable) -> bool {
    let header = task.header();
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
                    task.describe(),
                    PanicError::new(payload).message()
                ));
                let more = context::collect_cleanups(|| drop(cleanup));
                header.add_cleanups(more);
            }
        }
    }
    true
}

/// Marks the task done, frees its slot and notifies waiters in order.
pub(crate) fn finish(task: Rc<dyn Runnable>) {
    let header = task.header();
    header.set_stage(Stage::Done);
    let core = header.core.upgrade();
    if let (Some(core), Some(key)) = (&core, header.key()) {
        core.remove_task(key);
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
                super::describe(&self.header, std::any::type_name::<F>())
            ));
        }
    }
}
