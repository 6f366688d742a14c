//! Handles to scheduled callbacks (Python's `asyncio.Handle` and `TimerHandle`).

use std::fmt;
use std::rc::{Rc, Weak};

use crate::scheduler::Core;
use crate::scheduler::clock::nanos_to_secs;
use crate::scheduler::ready::CallbackCell;

/// A callback scheduled with `call_soon`; `cancel()` stops it from running.
pub struct Handle {
    cell: Rc<CallbackCell>,
}

impl Handle {
    pub(crate) fn new(cell: Rc<CallbackCell>) -> Self {
        Handle { cell }
    }

    /// Stops the callback from running (no effect if it already ran).
    pub fn cancel(&self) {
        self.cell.cancel();
    }

    /// Whether `cancel()` stopped the callback before it ran.
    pub fn cancelled(&self) -> bool {
        self.cell.was_cancelled()
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.cancelled() { "cancelled " } else { "" };
        write!(f, "<Handle {state}scheduled at {}>", self.cell.location)
    }
}

/// A callback scheduled with `call_later`/`call_at`.
pub struct TimerHandle {
    cell: Rc<CallbackCell>,
    when: u64,
    core: Weak<Core>,
}

impl TimerHandle {
    pub(crate) fn new(cell: Rc<CallbackCell>, when: u64, core: Weak<Core>) -> Self {
        TimerHandle { cell, when, core }
    }

    /// Stops the callback from running (no effect if it already ran).
    pub fn cancel(&self) {
        if self.cell.cancel()
            && let Some(core) = self.core.upgrade()
        {
            core.timer_cancelled();
        }
    }

    /// Whether `cancel()` stopped the callback before it ran.
    pub fn cancelled(&self) -> bool {
        self.cell.was_cancelled()
    }

    /// When the callback is due, on the loop's clock (`EventLoop::time`).
    pub fn when(&self) -> f64 {
        nanos_to_secs(self.when)
    }
}

impl fmt::Debug for TimerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.cancelled() { "cancelled " } else { "" };
        write!(
            f,
            "<TimerHandle {state}when={:.3} scheduled at {}>",
            self.when(),
            self.cell.location
        )
    }
}
