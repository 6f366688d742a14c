//! The loop's I/O readiness table: for each registered descriptor, whether
//! it may be ready to read and to write, and whom to wake when the OS
//! poller reports it.
//!
//! Descriptors are registered edge-triggered for both directions once, so
//! waiting costs no system call. A direction counts as ready until an
//! operation on it returns `WouldBlock`; then the operation's waker waits
//! for the next report of that direction. Reports are dispatched on the
//! loop's thread between steps, never during one, so no report falls
//! between an operation's `WouldBlock` and its waker's registration.

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::task::{Context, Waker};

use super::poller::Readiness;

/// A direction of readiness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    Read,
    Write,
}

/// One registered descriptor's readiness and waiters.
pub(crate) struct Waiters {
    readable: bool,
    writable: bool,
    /// Sticky: the read direction was reported closed (see `clear`).
    read_closed: bool,
    reader: Option<Waker>,
    writer: Option<Waker>,
}

impl Default for Waiters {
    /// A new descriptor may be ready: operations try first.
    fn default() -> Self {
        Waiters {
            readable: true,
            writable: true,
            read_closed: false,
            reader: None,
            writer: None,
        }
    }
}

impl Waiters {
    /// Whether `direction` may be ready (an operation should be tried).
    pub(crate) fn is_ready(&self, direction: Direction) -> bool {
        match direction {
            Direction::Read => self.readable,
            Direction::Write => self.writable,
        }
    }

    /// An operation showed `direction` drained without a `WouldBlock` (a
    /// short read or write on an edge-triggered socket: the kernel stops
    /// short only when its buffer runs out, and data arriving after that
    /// is a new report). The next operation waits for that report instead
    /// of spending a system call to hear `WouldBlock`. A read direction
    /// reported closed stays ready: its end of stream has no more reports.
    pub(crate) fn clear(&mut self, direction: Direction) {
        match direction {
            Direction::Read if !self.read_closed => self.readable = false,
            Direction::Read => {}
            Direction::Write => self.writable = false,
        }
    }

    /// An operation found `direction` not ready: wait for its next report
    /// with `cx`'s waker.
    pub(crate) fn wait(&mut self, direction: Direction, cx: &mut Context<'_>) {
        let (ready, slot) = match direction {
            Direction::Read => (&mut self.readable, &mut self.reader),
            Direction::Write => (&mut self.writable, &mut self.writer),
        };
        *ready = false;
        match slot {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            _ => *slot = Some(cx.waker().clone()),
        }
    }
}

/// The readiness table of one loop.
#[derive(Default)]
pub(crate) struct Reactor {
    sources: RefCell<Vec<Option<Weak<RefCell<Waiters>>>>>,
    free: RefCell<Vec<usize>>,
    /// Scratch space for one wait's reports.
    ready: RefCell<Vec<Readiness>>,
}

impl Reactor {
    /// A key for a new source, and its waiters.
    pub(crate) fn insert(&self) -> (usize, Rc<RefCell<Waiters>>) {
        let waiters = Rc::new(RefCell::new(Waiters::default()));
        let weak = Some(Rc::downgrade(&waiters));
        let key = match self.free.borrow_mut().pop() {
            Some(key) => {
                self.sources.borrow_mut()[key] = weak;
                key
            }
            None => {
                let mut sources = self.sources.borrow_mut();
                sources.push(weak);
                sources.len() - 1
            }
        };
        (key, waiters)
    }

    /// Frees `key` (its source was unregistered).
    pub(crate) fn remove(&self, key: usize) {
        if let Some(slot) = self.sources.borrow_mut().get_mut(key) {
            *slot = None;
            self.free.borrow_mut().push(key);
        }
    }

    /// Whether any descriptor is registered: then a busy loop polls the OS
    /// every few iterations, not at most once a millisecond.
    pub(crate) fn has_sources(&self) -> bool {
        self.sources.borrow().len() > self.free.borrow().len()
    }

    /// The buffer a wait reports into.
    pub(crate) fn reports(&self) -> std::cell::RefMut<'_, Vec<Readiness>> {
        self.ready.borrow_mut()
    }

    /// Marks what the last wait reported ready and wakes its waiters. (An
    /// error or hang-up is reported as both directions: the operation that
    /// follows says which.)
    pub(crate) fn dispatch(&self) {
        let reports = std::mem::take(&mut *self.ready.borrow_mut());
        for report in &reports {
            let waiters = self
                .sources
                .borrow()
                .get(report.key)
                .and_then(|slot| slot.as_ref().and_then(Weak::upgrade));
            let Some(waiters) = waiters else { continue };
            let mut w = waiters.borrow_mut();
            let mut wake = [None, None];
            w.read_closed |= report.read_closed;
            if report.readable {
                w.readable = true;
                wake[0] = w.reader.take();
            }
            if report.writable {
                w.writable = true;
                wake[1] = w.writer.take();
            }
            drop(w);
            for waker in wake.into_iter().flatten() {
                waker.wake();
            }
        }
        let mut buffer = self.ready.borrow_mut();
        if buffer.is_empty() {
            let mut reports = reports;
            reports.clear();
            *buffer = reports;
        }
    }
}
