//! The runtime's own managers: `async with lock:`, a semaphore, a
//! condition's lock, and `async with asyncio.timeout(d):`.
//!
//! The sync primitives hand the body their guard (`as guard`), which
//! releases when the body ends, whichever way it ends; so their exits have
//! nothing left to do. Their manager is a reference (`&lock`): the lock
//! outlives the `async with`, as in Python.

use super::{AsyncContextManager, Outcome};
use crate::error::TimeoutError;
use crate::scheduler::delivery;
use crate::sync::{BoundedSemaphore, Condition, Lock, LockGuard, Semaphore, SemaphoreGuard};
use crate::timeout::Timeout;

/// `async with lock:` — the body runs holding the lock; the guard is the
/// value (`as guard`), released when the body ends.
///
/// ```
/// use asyncio::async_with;
///
/// asyncio::run(async {
///     let lock = asyncio::Lock::new();
///     async_with!(&lock => {
///         assert!(lock.locked());
///     });
///     assert!(!lock.locked());
/// });
/// ```
impl<R> AsyncContextManager<R> for &Lock {
    type Value = LockGuard;

    async fn aenter(&mut self) -> LockGuard {
        self.acquire().await
    }

    async fn aexit(self, _outcome: &mut Outcome<R>) {}
}

/// `async with semaphore:` — the body runs holding a permit.
impl<R> AsyncContextManager<R> for &Semaphore {
    type Value = SemaphoreGuard;

    async fn aenter(&mut self) -> SemaphoreGuard {
        self.acquire().await
    }

    async fn aexit(self, _outcome: &mut Outcome<R>) {}
}

/// `async with bounded_semaphore:` — the body runs holding a permit.
impl<R> AsyncContextManager<R> for &BoundedSemaphore {
    type Value = SemaphoreGuard;

    async fn aenter(&mut self) -> SemaphoreGuard {
        self.acquire().await
    }

    async fn aexit(self, _outcome: &mut Outcome<R>) {}
}

/// `async with condition:` — the body runs holding the condition's lock;
/// its guard is what [`Condition::wait`] takes.
///
/// ```
/// use asyncio::async_with;
///
/// asyncio::run(async {
///     let cond = asyncio::Condition::new();
///     let waiter = {
///         let cond = cond.clone();
///         asyncio::create_task(async move {
///             async_with!(&cond as guard => {
///                 let _guard = cond.wait(guard).await; // releases, then holds again
///                 "notified"
///             })
///         })
///     };
///     asyncio::sleep(0).await;
///     async_with!(&cond => cond.notify(1));
///     assert_eq!(waiter.await.unwrap(), "notified");
/// });
/// ```
impl<R> AsyncContextManager<R> for &Condition {
    type Value = LockGuard;

    async fn aenter(&mut self) -> LockGuard {
        self.acquire().await
    }

    async fn aexit(self, _outcome: &mut Outcome<R>) {}
}

/// `async with asyncio.timeout(d) as t:` — the body runs under the
/// deadline; when it passes, the body is cancelled and the `async with`
/// returns `Err(TimeoutError.into())`. The value is the [`Timeout`], to
/// reschedule from the body. For bodies that return a `Result` whose error
/// comes from `TimeoutError` (such as `asyncio::Error`).
///
/// ```
/// use asyncio::{TimeoutError, async_with};
///
/// asyncio::Runner::new().virtual_time(true).run(async {
///     let late: Result<&str, TimeoutError> = async_with!(asyncio::timeout(1) => {
///         asyncio::sleep(3600).await;
///         Ok("never")
///     });
///     assert_eq!(late, Err(TimeoutError));
///
///     let quick: Result<&str, TimeoutError> = async_with!(asyncio::timeout(1) as t => {
///         t.reschedule(None).unwrap(); // no deadline after all
///         asyncio::sleep(5).await;
///         Ok("in time")
///     });
///     assert_eq!(quick, Ok("in time"));
/// });
/// ```
///
/// # Panics
/// When entered outside a task, or a second time.
impl<T, E: From<TimeoutError>> AsyncContextManager<Result<T, E>> for Timeout {
    type Value = Timeout;

    async fn aenter(&mut self) -> Timeout {
        let scope = delivery::current_scope()
            .expect("an asyncio timeout must be entered by `async_with!` inside a task");
        self.enter(&scope);
        self.clone()
    }

    async fn aexit(self, outcome: &mut Outcome<Result<T, E>>) {
        // Its own cancellation (the deadline) becomes `TimeoutError`; a
        // value the body returned after catching it stands.
        if self.exit() && outcome.is_cancelled() {
            *outcome = Outcome::Returned(Err(TimeoutError.into()));
        }
    }
}
