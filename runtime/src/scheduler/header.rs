//! The type-erased part of a task: identity, cancellation request and
//! catch points, completion state and waiters.
//!
//! The scheduler and every handle reach a task through this header; only
//! the future and its typed output live in the generic task cell.

use std::cell::{Cell, OnceCell, RefCell, RefMut};
use std::panic::Location;
use std::rc::{Rc, Weak};
use std::task::Waker;

use super::context::Cleanup;
use super::slab::Key;
use super::waiters::{WaiterSlot, Waiters};
use super::waker;
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
}

/// Fields most tasks never use, boxed on first use to keep tasks small.
#[derive(Default)]
struct Cold {
    name: Option<String>,
    cancel_message: Option<String>,
    /// Async cleanups to run before the task reports done.
    cleanups: Vec<Cleanup>,
    /// The error of a failed task.
    failure: Option<Error>,
    /// The cancellation the `Task` handle's awaiter passed on to this task
    /// (see `task::handle`).
    owner_delegated: Option<CancelledError>,
}

/// A request waits to be delivered at the next step.
const CANCEL_REQUESTED: u8 = 1 << 0;

/// The pending request was raised to the top by a point that passed
/// it on: the future is dropped without delivering it further.
const CANCEL_RAISED: u8 = 1 << 1;

/// A request was made since the current step began (kept up to date
/// only for steps that began with a request pending).
const REQUESTED_IN_STEP: u8 = 1 << 2;

/// Whether a cancellation point was left pending in the task's future
/// at its last step (see `delivery`).
const ARMED: u8 = 1 << 3;

/// Whether the future was polled at least once.
const STARTED: u8 = 1 << 4;

/// Whether anyone looked at the outcome (await, result, exception).
const RETRIEVED: u8 = 1 << 5;

/// An async cleanup released by a drop (a `finally` guard, a dropped
/// generator): shutdown awaits it rather than cancelling it.
const CLEANUP: u8 = 1 << 6;

/// The `Task` handle's awaiter passed a cancellation on, got it back
/// and raised it: that await never completes.
const OWNER_PASSED_ON: u8 = 1 << 7;

/// A task's yes/no facts packed in one byte: eight `Cell<bool>`s would
/// take a byte each, and the header is allocated once per task.
struct Flags(Cell<u8>);

impl Flags {
    #[inline]
    fn get(&self, flag: u8) -> bool {
        self.0.get() & flag != 0
    }

    #[inline]
    fn set(&self, flag: u8, on: bool) {
        let bits = self.0.get();
        self.0.set(if on { bits | flag } else { bits & !flag });
    }

    /// Sets `flag` to `on`, returning what it was.
    #[inline]
    fn replace(&self, flag: u8, on: bool) -> bool {
        let was = self.get(flag);
        self.set(flag, on);
        was
    }
}

pub(crate) struct TaskHeader {
    pub(crate) number: u64,
    pub(crate) location: &'static Location<'static>,
    /// Schedules the task; for a loop task it also names the task's place
    /// in the loop's task table (see [`TaskHeader::key`]).
    pub(crate) waker: Waker,
    pub(crate) core: Weak<Core>,
    stage: Cell<Stage>,
    /// Requests made and not taken back with `uncancel` (Python's `cancelling()`).
    cancel_count: Cell<u32>,
    /// The yes/no facts, one bit each (`CANCEL_REQUESTED` and the rest).
    flags: Flags,
    /// The `Task` handle's place among the waiters (the one handle that
    /// owns the output keeps its awaiter state here, so it stays small).
    pub(crate) owner_slot: WaiterSlot,
    cold: OnceCell<Box<RefCell<Cold>>>,
    pub(crate) waiters: RefCell<Waiters<Rc<dyn Runnable>>>,
}

impl TaskHeader {
    pub(crate) fn new(spec: TaskSpec, number: u64, waker: Waker, core: Weak<Core>) -> Self {
        let header = TaskHeader {
            number,
            location: spec.location,
            waker,
            core,
            stage: Cell::new(Stage::Running),
            cancel_count: Cell::new(0),
            flags: Flags(Cell::new(0)),
            owner_slot: WaiterSlot::new(),
            cold: OnceCell::new(),
            waiters: RefCell::new(Waiters::new()),
        };
        if let Some(name) = spec.name {
            header.cold().name = Some(name);
        }
        header
    }

    /// The task's place in the loop's task table; `None` for a task group
    /// child, which its group polls instead of the loop.
    pub(crate) fn key(&self) -> Option<Key> {
        waker::key_of(&self.waker)
    }

    fn cold(&self) -> RefMut<'_, Cold> {
        self.cold.get_or_init(Default::default).borrow_mut()
    }

    fn peek_cold<R>(&self, f: impl FnOnce(&Cold) -> Option<R>) -> Option<R> {
        self.cold.get().and_then(|cold| f(&cold.borrow()))
    }

    pub(crate) fn name(&self) -> String {
        self.peek_cold(|c| c.name.clone())
            .unwrap_or_else(|| format!("Task-{}", self.number))
    }

    pub(crate) fn set_name(&self, name: String) {
        self.cold().name = Some(name);
    }

    /// Marks the task as a released async cleanup (see `cleanup`).
    pub(crate) fn mark_cleanup(&self) {
        self.flags.set(CLEANUP, true);
    }

    pub(crate) fn is_cleanup(&self) -> bool {
        self.flags.get(CLEANUP)
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
        self.add_cancel_count();
        self.rearm_cancel(message, false);
        true
    }

    /// Counts a request that a scope inside the task delivers itself (a
    /// timeout's deadline, a task group's abort): `cancelling()` sees it,
    /// the task's top does not.
    pub(crate) fn add_cancel_count(&self) {
        self.cancel_count
            .set(self.cancel_count.get().saturating_add(1));
    }

    /// Makes a cancellation pending again without counting a new request:
    /// a point that caught a cancellation that was not its own passes it
    /// on. `raised`: it comes from inside and ends the future at once.
    pub(crate) fn rearm_cancel(&self, message: Option<String>, raised: bool) {
        self.flags.set(CANCEL_REQUESTED, true);
        if raised {
            self.flags.set(CANCEL_RAISED, true);
        }
        self.flags.set(REQUESTED_IN_STEP, true);
        if message.is_some() || self.cold.get().is_some() {
            self.cold().cancel_message = message;
        }
        self.waker.wake_by_ref();
    }

    /// A step begins: requests from now on are made during it.
    pub(crate) fn begin_step(&self) {
        self.flags.set(REQUESTED_IN_STEP, false);
    }

    /// Whether a request was made since the current step began.
    pub(crate) fn requested_in_step(&self) -> bool {
        self.flags.get(REQUESTED_IN_STEP)
    }

    /// Whether the pending request was raised from inside (see `cancel_raised`).
    pub(crate) fn cancel_raised(&self) -> bool {
        self.flags.get(CANCEL_RAISED)
    }

    /// Whether a cancellation point waits in the task's future.
    pub(crate) fn armed(&self) -> bool {
        self.flags.get(ARMED)
    }

    pub(crate) fn set_armed(&self, armed: bool) {
        self.flags.set(ARMED, armed);
    }

    /// Python's `cancelling()`: requests not taken back by `uncancel`.
    pub(crate) fn cancel_count(&self) -> u32 {
        self.cancel_count.get()
    }

    /// Python's `uncancel()`: takes one request back; at zero a request not
    /// yet delivered is dropped. Returns the remaining count.
    pub(crate) fn uncancel(&self) -> u32 {
        let count = self.cancel_count.get().saturating_sub(1);
        self.cancel_count.set(count);
        if count == 0 {
            self.flags.set(CANCEL_REQUESTED, false);
            self.flags.set(CANCEL_RAISED, false);
        }
        count
    }

    pub(crate) fn cancel_requested(&self) -> bool {
        self.flags.get(CANCEL_REQUESTED)
    }

    /// The message of the pending request, if any.
    pub(crate) fn cancel_message(&self) -> Option<String> {
        self.peek_cold(|c| c.cancel_message.clone())
    }

    /// Turns the pending request into an error value (a catch point took it).
    pub(crate) fn claim_cancel(&self) -> CancelledError {
        self.flags.set(CANCEL_REQUESTED, false);
        self.flags.set(CANCEL_RAISED, false);
        let message = self
            .cold
            .get()
            .and_then(|c| c.borrow_mut().cancel_message.take());
        CancelledError::new(message)
    }

    /// Records the first poll; returns whether the task had started before.
    pub(crate) fn start(&self) -> bool {
        self.flags.replace(STARTED, true)
    }

    pub(crate) fn set_failure(&self, error: Error) {
        self.cold().failure = Some(error);
    }

    /// The failure, if the task failed (marks the outcome as retrieved).
    pub(crate) fn failure(&self) -> Option<Error> {
        self.flags.set(RETRIEVED, true);
        self.peek_cold(|c| c.failure.clone())
    }

    /// Done with a failure other than cancellation (Python: `exception()`
    /// is not None); does not mark the outcome retrieved.
    pub(crate) fn raised(&self) -> bool {
        self.is_done()
            && self
                .peek_cold(|c| c.failure.as_ref().map(|e| !e.is_cancelled()))
                .unwrap_or(false)
    }

    /// The failure, without marking the outcome retrieved (for reports).
    pub(crate) fn peek_failure(&self) -> Option<Error> {
        self.peek_cold(|c| c.failure.clone())
    }

    /// Done with any failure, cancellation included; marks nothing retrieved.
    pub(crate) fn raised_or_cancelled(&self) -> bool {
        self.is_done()
            && self
                .peek_cold(|c| c.failure.as_ref().map(|_| true))
                .unwrap_or(false)
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.is_done()
            && self
                .peek_cold(|c| c.failure.as_ref().map(Error::is_cancelled))
                .unwrap_or(false)
    }

    pub(crate) fn mark_retrieved(&self) {
        self.flags.set(RETRIEVED, true);
    }

    /// A panic that no one retrieved, for the report when the task is freed.
    pub(crate) fn unretrieved_panic(&self) -> Option<String> {
        if self.flags.get(RETRIEVED) {
            return None;
        }
        self.peek_cold(|c| match &c.failure {
            Some(Error::Panicked(p)) => Some(p.message().to_owned()),
            _ => None,
        })
    }

    /// Queues async cleanups to run before the task reports done.
    pub(crate) fn add_cleanups(&self, cleanups: Vec<Cleanup>) {
        if !cleanups.is_empty() {
            self.cold().cleanups.extend(cleanups);
        }
    }

    /// The next queued cleanup, in order.
    pub(crate) fn next_cleanup(&self) -> Option<Cleanup> {
        let mut cold = self.cold.get()?.borrow_mut();
        (!cold.cleanups.is_empty()).then(|| cold.cleanups.remove(0))
    }

    /// Puts back a cleanup that is not finished yet, ahead of the others.
    pub(crate) fn return_cleanup(&self, cleanup: Cleanup) {
        self.cold().cleanups.insert(0, cleanup);
    }

    /// Forgets an awaiter that stopped waiting (no borrow if it never
    /// registered).
    pub(crate) fn forget_waiter(&self, slot: &WaiterSlot) {
        if slot.is_set() {
            self.waiters.borrow_mut().unregister(slot);
        }
    }

    /// Whether the `Task` handle's await passed its cancellation on and
    /// raised it (it never completes).
    pub(crate) fn owner_passed_on(&self) -> bool {
        self.flags.get(OWNER_PASSED_ON)
    }

    pub(crate) fn set_owner_passed_on(&self) {
        self.flags.set(OWNER_PASSED_ON, true);
    }

    /// Records the cancellation the `Task` handle's awaiter passed on.
    pub(crate) fn set_owner_delegated(&self, cancel: CancelledError) {
        self.cold().owner_delegated = Some(cancel);
    }

    /// Takes back the cancellation the `Task` handle's awaiter passed on.
    pub(crate) fn take_owner_delegated(&self) -> Option<CancelledError> {
        self.cold.get()?.borrow_mut().owner_delegated.take()
    }

    /// Takes every queued cleanup (the loop is closing).
    pub(crate) fn take_cleanups(&self) -> Vec<Cleanup> {
        match self.cold.get() {
            Some(cold) => std::mem::take(&mut cold.borrow_mut().cleanups),
            None => Vec::new(),
        }
    }
}
