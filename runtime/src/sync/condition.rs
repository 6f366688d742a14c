//! `asyncio.Condition`: wait for a notification while holding a lock.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::lock::{Lock, LockAcquire, LockGuard};
use super::wait_list::{WaitList, Wakes};

/// A condition variable for tasks (Python's `asyncio.Condition`): tasks
/// holding its lock [`wait`](Self::wait) for another task to
/// [`notify`](Self::notify) them.
///
/// Waiters are notified in the order they began waiting. A waiter
/// cancelled after it was notified passes the notification on to the next
/// waiter, so no wake-up is lost. Cloning gives another handle to the same
/// condition.
///
/// ```
/// use std::{cell::RefCell, rc::Rc};
/// asyncio::run(async {
///     let cond = asyncio::Condition::new();
///     let items = Rc::new(RefCell::new(Vec::new()));
///     let consumer = {
///         let (cond, items) = (cond.clone(), items.clone());
///         asyncio::create_task(async move {
///             let guard = cond.lock().await;
///             let _guard = cond.wait_for(guard, || !items.borrow().is_empty()).await;
///             items.borrow_mut().pop()
///         })
///     };
///     asyncio::sleep(0.01).await;
///     {
///         let _guard = cond.lock().await;
///         items.borrow_mut().push("job");
///         cond.notify(1);
///     }
///     assert_eq!(consumer.await.unwrap(), Some("job"));
/// });
/// ```
#[derive(Clone)]
pub struct Condition {
    lock: Lock,
    waiters: Rc<RefCell<WaitList>>,
}

impl Condition {
    /// A condition with a lock of its own.
    pub fn new() -> Self {
        Self::with_lock(Lock::new())
    }

    /// A condition over `lock` (which other conditions or code may share).
    pub fn with_lock(lock: Lock) -> Self {
        Condition {
            lock,
            waiters: Rc::new(RefCell::new(WaitList::new())),
        }
    }

    /// Waits for the underlying lock and takes it (`async with cond`).
    pub fn lock(&self) -> LockAcquire {
        self.lock.lock()
    }

    /// The same as [`lock`](Self::lock), under Python's name.
    pub fn acquire(&self) -> LockAcquire {
        self.lock.lock()
    }

    /// Whether the underlying lock is held.
    pub fn locked(&self) -> bool {
        self.lock.locked()
    }

    /// Releases the lock held by `guard`, waits to be notified, then takes
    /// the lock again and returns the new guard.
    ///
    /// If the wait is cancelled the lock is not re-taken: the guard was
    /// consumed, so the code that catches the cancellation knows it does
    /// not hold the lock (Python re-acquires it before raising).
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc};
    /// asyncio::run(async {
    ///     let cond = asyncio::Condition::new();
    ///     let ready = Rc::new(Cell::new(false));
    ///     let (c, r) = (cond.clone(), ready.clone());
    ///     let waiter = asyncio::create_task(async move {
    ///         let mut guard = c.lock().await;
    ///         while !r.get() {
    ///             guard = c.wait(guard).await; // releases the lock while waiting
    ///         }
    ///         "saw it"
    ///     });
    ///     asyncio::sleep(0).await;
    ///     let _guard = cond.lock().await;
    ///     ready.set(true);
    ///     cond.notify(1);
    ///     drop(_guard);
    ///     assert_eq!(waiter.await.unwrap(), "saw it");
    /// });
    /// ```
    ///
    /// # Panics
    /// If `guard` holds a different lock than this condition's (Python
    /// raises `RuntimeError` for waiting on an un-acquired lock).
    pub fn wait(&self, guard: LockGuard) -> ConditionWait {
        assert!(
            self.lock.owns(&guard),
            "Condition::wait() needs a guard of the condition's own lock"
        );
        ConditionWait {
            cond: self.clone(),
            state: WaitState::Start { _guard: guard },
        }
    }

    /// Waits until `predicate` is true, re-checking it after every
    /// notification; returns the guard, with the lock held and the
    /// predicate true.
    pub async fn wait_for(
        &self,
        mut guard: LockGuard,
        mut predicate: impl FnMut() -> bool,
    ) -> LockGuard {
        while !predicate() {
            guard = self.wait(guard).await;
        }
        guard
    }

    /// Wakes up to `n` waiting tasks, longest-waiting first.
    ///
    /// Python requires the lock to be held for this; here it is not
    /// checked, but a notification sent without the lock can race with a
    /// task that checked its predicate and is about to wait.
    pub fn notify(&self, n: usize) {
        let mut wakes = Wakes::new();
        let mut waiters = self.waiters.borrow_mut();
        for _ in 0..n {
            if waiters.grant_next((), &mut wakes).is_err() {
                break;
            }
        }
    }

    /// Wakes every waiting task.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let cond = asyncio::Condition::new();
    ///     let waiters: Vec<_> = (0..3)
    ///         .map(|_| {
    ///             let c = cond.clone();
    ///             asyncio::create_task(async move {
    ///                 let guard = c.lock().await;
    ///                 drop(c.wait(guard).await);
    ///             })
    ///         })
    ///         .collect();
    ///     asyncio::sleep(0).await;
    ///     let guard = cond.lock().await;
    ///     cond.notify_all();
    ///     drop(guard);
    ///     for w in waiters {
    ///         w.await.unwrap();
    ///     }
    /// });
    /// ```
    pub fn notify_all(&self) {
        let mut wakes = Wakes::new();
        self.waiters.borrow_mut().grant_all(|| (), &mut wakes);
    }
}

impl Default for Condition {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let locked = if self.locked() { "locked" } else { "unlocked" };
        write!(
            f,
            "<Condition {locked} waiters={}>",
            self.waiters.borrow().len()
        )
    }
}

enum WaitState {
    /// Not polled yet: still holding the lock.
    Start {
        _guard: LockGuard,
    },
    /// Lock released, waiting in the condition's list.
    Waiting(u64),
    /// Notified, taking the lock again.
    Reacquire(LockAcquire),
    Done,
}

/// The future returned by [`Condition::wait`].
#[must_use = "futures do nothing unless awaited"]
pub struct ConditionWait {
    cond: Condition,
    state: WaitState,
}

impl Future for ConditionWait {
    type Output = LockGuard;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<LockGuard> {
        let this = &mut *self;
        loop {
            match &mut this.state {
                WaitState::Start { .. } => {
                    let id = this.cond.waiters.borrow_mut().push(cx.waker());
                    // Dropping the guard releases the lock.
                    this.state = WaitState::Waiting(id);
                    return Poll::Pending;
                }
                WaitState::Waiting(id) => {
                    let mut waiters = this.cond.waiters.borrow_mut();
                    if waiters.take_grant(*id).is_none() {
                        waiters.update(*id, cx.waker());
                        return Poll::Pending;
                    }
                    waiters.remove(*id);
                    drop(waiters);
                    this.state = WaitState::Reacquire(this.cond.lock.lock());
                }
                WaitState::Reacquire(acquire) => match Pin::new(acquire).poll(cx) {
                    Poll::Ready(guard) => {
                        this.state = WaitState::Done;
                        return Poll::Ready(guard);
                    }
                    Poll::Pending => return Poll::Pending,
                },
                WaitState::Done => panic!("ConditionWait polled after completion"),
            }
        }
    }
}

impl Drop for ConditionWait {
    fn drop(&mut self) {
        let pass_on = match &self.state {
            WaitState::Waiting(id) => match self.cond.waiters.try_borrow_mut() {
                Ok(mut waiters) => waiters.remove(*id).is_some(),
                Err(_) => false,
            },
            // Notified but never returned: the wake-up must not be lost.
            WaitState::Reacquire(_) => true,
            WaitState::Start { .. } | WaitState::Done => false,
        };
        if pass_on && let Ok(mut waiters) = self.cond.waiters.try_borrow_mut() {
            let mut wakes = Wakes::new();
            let _ = waiters.grant_next((), &mut wakes);
            drop(waiters);
        }
    }
}

impl fmt::Debug for ConditionWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ConditionWait")
    }
}
