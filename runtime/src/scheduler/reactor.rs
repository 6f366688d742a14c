//! The loop's I/O readiness table: which registered descriptor waits for
//! what, and whom to wake when the OS poller reports it.
//!
//! Interest is oneshot: a source is armed (one system call) when a reader
//! or writer starts waiting and it is not armed already, and disarmed by
//! the report. A report wakes the source's waiters; one whose direction is
//! not ready yet arms again when it retries. An I/O operation
//! tries first and waits only on `WouldBlock`, and arming a descriptor that
//! is already ready is reported at once, so no readiness is missed.

use std::cell::RefCell;
use std::os::fd::BorrowedFd;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};

use super::poller::{OsPoller, Readiness};

/// A direction of readiness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    Read,
    Write,
}

/// One registered descriptor's waiters.
#[derive(Default)]
pub(crate) struct Waiters {
    reader: Option<Waker>,
    writer: Option<Waker>,
    /// What the poller is armed for now.
    armed: (bool, bool),
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

    /// Waits for `direction` on the source `key`: remembers `cx`'s waker
    /// and arms the poller if it is not armed for that already.
    pub(crate) fn poll_ready(
        &self,
        poller: &OsPoller,
        fd: BorrowedFd<'_>,
        key: usize,
        waiters: &RefCell<Waiters>,
        direction: Direction,
        cx: &mut Context<'_>,
    ) -> Poll<std::io::Result<()>> {
        let mut w = waiters.borrow_mut();
        let slot = match direction {
            Direction::Read => &mut w.reader,
            Direction::Write => &mut w.writer,
        };
        match slot {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            _ => *slot = Some(cx.waker().clone()),
        }
        let want = (w.reader.is_some(), w.writer.is_some());
        if w.armed != want {
            if let Err(error) = poller.arm(fd, key, want.0, want.1) {
                return Poll::Ready(Err(error));
            }
            w.armed = want;
        }
        Poll::Pending
    }

    /// The buffer a wait reports into.
    pub(crate) fn reports(&self) -> std::cell::RefMut<'_, Vec<Readiness>> {
        self.ready.borrow_mut()
    }

    /// Wakes the waiters of what the last wait reported ready.
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
            // Oneshot: the report disarmed the source, so both waiters are
            // woken: the one whose direction is not ready retries, finds
            // `WouldBlock` and arms again. (An error or hang-up is reported
            // as both anyway: the I/O call that follows says which.)
            w.armed = (false, false);
            let reader = w.reader.take();
            let writer = w.writer.take();
            drop(w);
            if let Some(waker) = reader {
                waker.wake();
            }
            if let Some(waker) = writer {
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
