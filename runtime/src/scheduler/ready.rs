//! What the loop's ready queue and timer heap hold.
//!
//! Like CPython's `_ready` deque of `Handle`s, one FIFO holds task steps and
//! plain callbacks, so their relative order is the order they were scheduled.

use std::cell::{Cell, RefCell};
use std::panic::Location;
use std::rc::Rc;

use super::slab::Key;

/// One unit of work for the loop.
pub(crate) enum Ready {
    /// Poll the task in this slot.
    Task(Key),
    /// Run a callback (from `call_soon`, `call_later`, done callbacks).
    Callback(Rc<CallbackCell>),
    /// A sleep's timer (a key in the timer table) fired: wake its task.
    Wake(Key),
}

/// A scheduled callback; taking the closure out runs it (once).
pub(crate) struct CallbackCell {
    callback: RefCell<Option<Box<dyn FnOnce()>>>,
    cancelled: Cell<bool>,
    /// Where it was scheduled, for debug-mode reports.
    pub(crate) location: &'static Location<'static>,
}

impl CallbackCell {
    pub(crate) fn new(
        callback: Box<dyn FnOnce()>,
        location: &'static Location<'static>,
    ) -> Rc<Self> {
        Rc::new(CallbackCell {
            callback: RefCell::new(Some(callback)),
            cancelled: Cell::new(false),
            location,
        })
    }

    pub(crate) fn take(&self) -> Option<Box<dyn FnOnce()>> {
        self.callback.borrow_mut().take()
    }

    /// Cancels the callback; returns whether it had not run yet.
    pub(crate) fn cancel(&self) -> bool {
        let callback = self.take();
        if callback.is_some() {
            self.cancelled.set(true);
        }
        callback.is_some()
    }

    /// Whether `cancel` stopped it from running.
    pub(crate) fn was_cancelled(&self) -> bool {
        self.cancelled.get()
    }

    /// Whether running it now would do nothing (cancelled or already run).
    pub(crate) fn is_cancelled(&self) -> bool {
        self.callback.borrow().is_none()
    }
}
