//! Non-blocking descriptors on the loop's OS poller: [`Async`] registers
//! one and turns `WouldBlock` into waiting for readiness. Everything in
//! `net/` wraps it; connected streams through [`ByteStream`], which also
//! saves the system calls that would only report `WouldBlock`.

use std::cell::RefCell;
use std::io;
use std::os::fd::{AsFd, AsRawFd};
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::scheduler::Core;
use crate::scheduler::context;
use crate::scheduler::reactor::{Direction, Waiters};
use crate::scheduler::shared::Shared;

mod byte_stream;

pub(crate) use byte_stream::ByteStream;

/// A non-blocking descriptor registered with the running loop's poller
/// (async-io's `Async<T>`). Dropping it unregisters the descriptor, then
/// closes it.
pub(crate) struct Async<T: AsFd> {
    io: Option<T>,
    key: usize,
    waiters: Rc<RefCell<Waiters>>,
    shared: Arc<Shared>,
    core: Weak<Core>,
}

/// The error for I/O set up outside a running loop.
pub(crate) fn no_running_loop() -> io::Error {
    io::Error::other("no running event loop: sockets are made inside a task")
}

impl<T: AsFd> Async<T> {
    /// Registers `io`, which must already be in non-blocking mode, with
    /// the running loop.
    ///
    /// # Errors
    /// No running loop, or the poller refused the descriptor.
    pub(crate) fn new(io: T) -> io::Result<Self> {
        let core = context::running_core().ok_or_else(no_running_loop)?;
        let (key, waiters) = core.reactor.insert();
        let fd = io.as_fd().as_raw_fd();
        // `fd` belongs to `io`, which this value owns and closes only in
        // `drop`, after removing it from the poller.
        if let Err(error) = core.shared.poller().insert(fd, key) {
            core.reactor.remove(key);
            return Err(error);
        }
        Ok(Async {
            io: Some(io),
            key,
            waiters,
            shared: core.shared.clone(),
            core: Rc::downgrade(&core),
        })
    }

    /// The wrapped descriptor.
    pub(crate) fn get_ref(&self) -> &T {
        self.io
            .as_ref()
            .expect("an Async holds its descriptor until dropped")
    }

    /// Marks `direction` drained without a `WouldBlock` (see
    /// `Waiters::clear`): its next operation waits for a report.
    pub(crate) fn clear(&self, direction: Direction) {
        self.waiters.borrow_mut().clear(direction);
    }

    /// Runs `op` while `direction` may be ready; on `WouldBlock` waits
    /// for the poller's next report of it and returns `Pending`.
    pub(crate) fn poll_io<R>(
        &self,
        direction: Direction,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        loop {
            if !self.waiters.borrow().is_ready(direction) {
                // Not reported ready since the last `WouldBlock`: keep the
                // newest waker and wait.
                self.waiters.borrow_mut().wait(direction, cx);
                return Poll::Pending;
            }
            match op(self.get_ref()) {
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                    self.waiters.borrow_mut().wait(direction, cx);
                    return Poll::Pending;
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                done => return Poll::Ready(done),
            }
        }
    }
}

impl<T: AsFd> Drop for Async<T> {
    fn drop(&mut self) {
        if let Some(io) = self.io.take() {
            // Unregistered first, closed after: a closed descriptor's number
            // may be reused by the next socket.
            let _ = self.shared.poller().remove(io.as_fd());
            if let Some(core) = self.core.upgrade() {
                core.reactor.remove(self.key);
            }
            drop(io);
        }
    }
}

impl<T: AsFd> std::fmt::Debug for Async<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Async")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}
