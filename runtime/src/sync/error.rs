//! The errors of the synchronisation primitives: Python's `QueueFull`,
//! `QueueEmpty`, `BrokenBarrierError` and the `ValueError`s that
//! `task_done()` and `BoundedSemaphore.release()` raise.

use std::fmt;

/// [`put_nowait`](crate::Queue::put_nowait) on a full queue (Python's
/// `asyncio.QueueFull`). Carries the item back to the caller.
///
/// ```
/// let queue = asyncio::Queue::new(1);
/// queue.put_nowait("a").unwrap();
/// let full = queue.put_nowait("b").unwrap_err();
/// assert_eq!(full.into_inner(), "b");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct QueueFull<T>(pub T);

impl<T> QueueFull<T> {
    /// The item that did not fit.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for QueueFull<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("QueueFull(..)")
    }
}

impl<T> fmt::Display for QueueFull<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the queue is full")
    }
}

impl<T> std::error::Error for QueueFull<T> {}

/// [`get_nowait`](crate::Queue::get_nowait) on an empty queue (Python's
/// `asyncio.QueueEmpty`).
///
/// ```
/// let queue = asyncio::Queue::<u8>::new(0);
/// assert_eq!(queue.get_nowait(), Err(asyncio::QueueEmpty));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueEmpty;

impl fmt::Display for QueueEmpty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the queue is empty")
    }
}

impl std::error::Error for QueueEmpty {}

/// A call with a value the object cannot accept (Python raises `ValueError`):
/// [`task_done`](crate::Queue::task_done) called more times than there were
/// items, or [`BoundedSemaphore::release`](crate::BoundedSemaphore::release)
/// beyond the initial value.
///
/// ```
/// let queue = asyncio::Queue::<u8>::new(0);
/// let err = queue.task_done().unwrap_err();
/// assert_eq!(err.to_string(), "task_done() called too many times");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValueError {
    reason: &'static str,
}

impl ValueError {
    pub(crate) const TASK_DONE: ValueError = ValueError {
        reason: "task_done() called too many times",
    };
    pub(crate) const OVER_RELEASE: ValueError = ValueError {
        reason: "BoundedSemaphore released too many times",
    };
    pub(crate) const OVERFLOW: ValueError = ValueError {
        reason: "Semaphore released too many times: its count would pass usize::MAX",
    };

    /// Why the value was rejected.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason)
    }
}

impl std::error::Error for ValueError {}

/// The barrier was aborted or reset while the task waited, or is broken
/// (Python's `asyncio.BrokenBarrierError`).
///
/// ```
/// let barrier = asyncio::Barrier::new(2);
/// barrier.abort();
/// asyncio::run(async move {
///     assert_eq!(barrier.wait().await, Err(asyncio::BrokenBarrierError));
/// });
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BrokenBarrierError;

impl fmt::Display for BrokenBarrierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the barrier is broken")
    }
}

impl std::error::Error for BrokenBarrierError {}
