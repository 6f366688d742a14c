//! The type-erased part of a task: identity, cancellation request and
//! catch points, completion state and waiters.
//!
//! The scheduler and every handle reach a task through this header; only
//! the future and its typed output live in the generic task cell.

use std::cell::{Cell, RefCell};
use std::panic::Location;
use std::rc::{Rc, Weak};
use std::task::Waker;

use super::context::Cleanup;
use super::slab::Key;
use super::waiters::Waiters;
use super::{Core, Runnable};
use crate::error::{CancelledError, Error};

/// Where a task is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Its future is still being polled.
    Running,
    /// Its future was dropped; async cleanups are running.
    CleaningUp,
    /// Finished: the outcome is set.
    Done,
}

/// What a task is, as given at creation.
pub(crate) struct TaskSpec {
    pub(crate) name: Option<String>,
    pub(crate) location: &'static Location<'static>,
    pub(crate) coro: &'static str,
}

pub(crate) struct TaskHeader {
    pub(crate) key: Key,
    pub(crate) number: u64,
    name: RefCell<Option<String>>,
    pub(crate) location: &'static Location<'static>,
    pub(crate) coro: &'static str,
    pub(crate) waker: Waker,
    pub(crate) core: Weak<Core>,
    stage: Cell<Stage>,
    cancel_requested: Cell<bool>,
    cancel_message: RefCell<Option<String>>,
    /// Whether the future was polled at least once.
    started: Cell<bool>,
    /// Async cleanups to run before the task reports done.
    pub(crate) cleanups: RefCell<Vec<Cleanup>>,
    /// `None` while pending or on success; the error for a failed task.
    failure: RefCell<Option<Error>>,
    /// Whether anyone looked at the outcome (await, result, exception).
    retrieved: Cell<bool>,
    pub(crate) waiters: RefCell<Waiters<Rc<dyn Runnable>>>,
}

impl TaskHeader {
    pub(crate) fn new(
        spec: TaskSpec,
        key: Key,
        number: u64,
        waker: Waker,
        core: Weak<Core>,
    ) -> Self {
        TaskHeader {
            key,
            number,
            name: RefCell::new(spec.name),
            location: spec.location,
            coro: spec.coro,
            waker,
            core,
            stage: Cell::new(Stage::Running),
            cancel_requested: Cell::new(false),
            cancel_message: RefCell::new(None),
            started: Cell::new(false),
            cleanups: RefCell::new(Vec::new()),
            failure: RefCell::new(None),
            retrieved: Cell::new(false),
            waiters: RefCell::new(Waiters::new()),
        }
    }

    pub(crate) fn name(&self) -> String {
        match &*self.name.borrow() {
            Some(name) => name.clone(),
            None => format!("Task-{}", self.number),
        }
    }

    pub(crate) fn set_name(&self, name: String) {
        *self.name.borrow_mut() = Some(name);
    }

    pub(crate) fn stage(&self) -> Stage {
        self.stage.get()
    }

    pub(crate) fn set_stage(&self, stage: Stage) {
        self.stage.set(stage);
    }

    pub(crate) fn is_done(&self) -> bool {
        self.stage.get() == Stage::Done
    }

    /// Records a cancellation request and wakes the task to deliver it.
    pub(crate) fn request_cancel(&self, message: Option<String>) -> bool {
        if self.stage.get() != Stage::Running {
            return false;
        }
        self.cancel_requested.set(true);
        *self.cancel_message.borrow_mut() = message;
        self.waker.wake_by_ref();
        true
    }

    pub(crate) fn cancel_requested(&self) -> bool {
        self.cancel_requested.get()
    }

    /// The message of the pending request, if any.
    pub(crate) fn cancel_message(&self) -> Option<String> {
        self.cancel_message.borrow().clone()
    }

    /// Turns the pending request into an error value (a catch point took it).
    pub(crate) fn claim_cancel(&self) -> CancelledError {
        self.cancel_requested.set(false);
        CancelledError::new(self.cancel_message.borrow_mut().take())
    }

    /// Records the first poll; returns whether the task had started before.
    pub(crate) fn start(&self) -> bool {
        self.started.replace(true)
    }

    pub(crate) fn set_failure(&self, error: Error) {
        *self.failure.borrow_mut() = Some(error);
    }

    /// The failure, if the task failed (marks the outcome as retrieved).
    pub(crate) fn failure(&self) -> Option<Error> {
        self.retrieved.set(true);
        self.failure.borrow().clone()
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.is_done() && matches!(&*self.failure.borrow(), Some(Error::Cancelled(_)))
    }

    pub(crate) fn mark_retrieved(&self) {
        self.retrieved.set(true);
    }

    /// A panic that no one retrieved, for the report when the task is freed.
    pub(crate) fn unretrieved_panic(&self) -> Option<String> {
        match &*self.failure.borrow() {
            Some(Error::Panicked(p)) if !self.retrieved.get() => Some(p.message().to_owned()),
            _ => None,
        }
    }

    /// `<Task pending name='Task-2' coro=... created at src/main.rs:4:5>`.
    pub(crate) fn describe(&self) -> String {
        let state = match (self.stage.get(), &*self.failure.borrow()) {
            (Stage::Running, _) if self.cancel_requested.get() => "cancelling",
            (Stage::Running, _) => "pending",
            (Stage::CleaningUp, _) => "cleaning up",
            (Stage::Done, None) => "finished",
            (Stage::Done, Some(Error::Cancelled(_))) => "cancelled",
            (Stage::Done, Some(_)) => "failed",
        };
        format!(
            "<Task {state} name='{}' coro=<{}> created at {}>",
            self.name(),
            coro_display(self.coro),
            self.location
        )
    }
}

/// `my_crate::lap_timer::{{closure}}` as `lap_timer()`, the way Python
/// shows a coroutine; a named future type keeps its last path segment.
fn coro_display(type_name: &str) -> String {
    let mut name = type_name;
    let mut is_async_fn = false;
    while let Some(outer) = name.strip_suffix("::{{closure}}") {
        name = outer;
        is_async_fn = true;
    }
    let name = name.split('<').next().unwrap_or(name);
    let last = name.rsplit("::").next().unwrap_or(name);
    if is_async_fn {
        format!("{last}()")
    } else {
        last.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::coro_display;

    #[test]
    fn coroutine_names_read_like_python() {
        assert_eq!(coro_display("tour::lap_timer::{{closure}}"), "lap_timer()");
        assert_eq!(
            coro_display("app::main::{{closure}}::{{closure}}"),
            "main()"
        );
        assert_eq!(coro_display("asyncio_runtime::sleep::Sleep"), "Sleep");
        assert_eq!(
            coro_display("futures::future::Ready<alloc::string::String>"),
            "Ready"
        );
    }
}
