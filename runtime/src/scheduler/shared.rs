//! The part of a loop other threads may touch: a queue of remote requests
//! and the OS poller that the loop blocks in while idle.
//!
//! A push from another thread wakes the poller (`Poller::notify`), so a loop
//! blocked in the OS notices cross-thread wakes and callbacks at once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;
use std::time::Duration;

use std::rc::Rc;

use super::Core;
use super::poller::{OsPoller, Readiness};
use super::slab::Key;
use super::waker;

/// A request from another thread (or from outside the running loop).
pub(crate) enum Remote {
    /// A waker fired: schedule this task.
    Wake(Key),
    /// `call_soon_threadsafe`.
    Callback(Box<dyn FnOnce() + Send>),
    /// `LoopHandle::stop`.
    Stop,
    /// A pool thread finished work the loop counts as outstanding.
    Completed(Arc<dyn Completion>),
}

/// Work another thread did for the loop (a `to_thread` job), as the loop
/// sees it when the thread reports back.
pub(crate) trait Completion: Send + Sync {
    /// On the loop's thread: the work leaves the loop's outstanding count
    /// (see `Offload`) and its awaiter is woken.
    fn complete(&self, core: &Rc<Core>);
}

pub(crate) struct Shared {
    poller: OsPoller,
    queue: Mutex<Vec<Remote>>,
    /// Set when `queue` may be non-empty; lets the loop skip the lock.
    pending: AtomicBool,
    /// Set while the loop is (about to be) blocked in the poller: only then
    /// does a push need the poller's notify (a system call).
    sleeping: AtomicBool,
    closed: AtomicBool,
    /// The thread that made (and alone can run) the loop.
    owner: ThreadId,
    /// The loop's id in task wakers (see `waker`).
    id: u16,
}

impl Shared {
    /// A loop's shared part, registered so that its tasks' wakers can
    /// find it from other threads.
    pub(crate) fn new() -> std::io::Result<Arc<Self>> {
        let poller = OsPoller::new()?;
        let make = |id| Shared {
            poller,
            queue: Mutex::new(Vec::new()),
            pending: AtomicBool::new(false),
            sleeping: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            owner: std::thread::current().id(),
            id,
        };
        waker::register_loop(make).ok_or_else(|| {
            std::io::Error::other("too many event loops are alive at once in this process")
        })
    }

    /// The loop's id in task wakers.
    pub(crate) fn id(&self) -> u16 {
        self.id
    }

    /// Queues a request and wakes the loop; returns false once the loop closed.
    pub(crate) fn push(&self, remote: Remote) -> bool {
        {
            let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
            if self.closed.load(Ordering::Acquire) {
                return false;
            }
            queue.push(remote);
        }
        // Only the first push since the last drain can find the loop asleep.
        // SeqCst pairs with `wait`: either the loop sees `pending` before it
        // blocks, or this sees `sleeping` and notifies.
        if !self.pending.swap(true, Ordering::SeqCst) && self.sleeping.load(Ordering::SeqCst) {
            self.poller.notify();
        }
        true
    }

    /// Whether requests may be queued (a cheap check before `take`).
    pub(crate) fn has_pending(&self) -> bool {
        self.pending.load(Ordering::Acquire)
    }

    /// Takes every queued request (in push order).
    pub(crate) fn take(&self) -> Vec<Remote> {
        self.pending.store(false, Ordering::Release);
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::take(&mut *queue)
    }

    /// Blocks until an OS event, a notify, or the timeout (`None`: forever).
    ///
    /// With `spin`, first watches the queue for up to that long: work sent
    /// to another thread often comes back within microseconds, and catching
    /// it here saves the poller's system calls on both sides.
    /// The OS poller, for the I/O sources registered with it.
    pub(crate) fn poller(&self) -> &OsPoller {
        &self.poller
    }

    pub(crate) fn wait(
        &self,
        timeout: Option<Duration>,
        spin: Duration,
        ready: &mut Vec<Readiness>,
    ) -> std::io::Result<()> {
        if timeout == Some(Duration::ZERO) {
            return self.poller.wait(timeout, ready);
        }
        if !spin.is_zero() && self.spin_for_pending(timeout.map_or(spin, |t| t.min(spin))) {
            return Ok(());
        }
        self.sleeping.store(true, Ordering::SeqCst);
        let waited = if self.pending.load(Ordering::SeqCst) {
            Ok(())
        } else {
            self.poller.wait(timeout, ready)
        };
        self.sleeping.store(false, Ordering::SeqCst);
        waited
    }

    /// Busy-waits up to `limit` for a request; true if one arrived.
    fn spin_for_pending(&self, limit: Duration) -> bool {
        let start = std::time::Instant::now();
        loop {
            for _ in 0..64 {
                if self.pending.load(Ordering::Acquire) {
                    return true;
                }
                std::hint::spin_loop();
            }
            if start.elapsed() >= limit {
                return false;
            }
        }
    }

    /// Refuses further requests and drops the queued ones.
    pub(crate) fn close(&self) -> Vec<Remote> {
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        self.closed.store(true, Ordering::Release);
        std::mem::take(&mut *queue)
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// The thread the loop belongs to (an `EventLoop` is not `Send`).
    pub(crate) fn owner(&self) -> ThreadId {
        self.owner
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        waker::unregister_loop(self.id);
    }
}
