//! What the loop's ready queue and timer heap hold.
//!
//! Like CPython's `_ready` deque of `Handle`s, one FIFO holds task steps and
//! plain callbacks, so their relative order is the order they were scheduled.

use std::cell::{Cell, RefCell};
use std::panic::Location;
use std::rc::Rc;
use std::task::Waker;

use super::slab::Key;

/// One unit of work for the loop.
pub(crate) enum Ready {
    /// Poll the task in this slot.
    Task(Key),
    /// Run a callback (from `call_soon`, `call_later`, done callbacks).
    Callback(Rc<CallbackCell>),
    /// A timer for a sleeping future fired: wake it.
    Wake(Rc<TimerWake>),
}

impl Ready {
    /// Whether running this item would do nothing (cancelled or already run).
    pub(crate) fn is_cancelled(&self) -> bool {
        match self {
            Ready::Task(_) => false,
            Ready::Callback(cell) => cell.is_cancelled(),
            Ready::Wake(wake) => wake.is_cancelled(),
        }
    }
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

/// The shared state of one sleep's timer.
pub(crate) struct TimerWake {
    fired: Cell<bool>,
    cancelled: Cell<bool>,
    waker: RefCell<Option<Waker>>,
}

impl TimerWake {
    pub(crate) fn new() -> Rc<Self> {
        Rc::new(TimerWake {
            fired: Cell::new(false),
            cancelled: Cell::new(false),
            waker: RefCell::new(None),
        })
    }

    pub(crate) fn fired(&self) -> bool {
        self.fired.get()
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.cancelled.get()
    }

    /// Marks the timer dead; returns whether it was still waiting to fire.
    pub(crate) fn cancel(&self) -> bool {
        let live = !self.fired.get() && !self.cancelled.get();
        self.cancelled.set(true);
        self.waker.borrow_mut().take();
        live
    }

    pub(crate) fn set_waker(&self, waker: &Waker) {
        let mut slot = self.waker.borrow_mut();
        match &*slot {
            Some(old) if old.will_wake(waker) => {}
            _ => *slot = Some(waker.clone()),
        }
    }

    pub(crate) fn fire(&self) {
        if self.cancelled.get() {
            return;
        }
        self.fired.set(true);
        let waker = self.waker.borrow_mut().take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}
