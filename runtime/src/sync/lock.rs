//! `asyncio.Lock`: a mutual-exclusion lock for tasks.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::wait_list::{WaitList, Wakes};

pub(crate) struct State {
    locked: bool,
    waiters: WaitList,
}

impl State {
    /// Hands the lock to the first waiter, or unlocks it if none waits.
    fn release(&mut self, wakes: &mut Wakes) {
        if self.waiters.grant_next((), wakes).is_err() {
            self.locked = false;
        }
    }
}

/// A lock for tasks (Python's `asyncio.Lock`): [`lock`](Self::lock) waits
/// until the lock is free and returns a guard that releases it when dropped.
///
/// Fair: on release the lock passes straight to the task that has waited
/// longest, and no later caller can take it first. A waiter cancelled
/// after the lock was handed to it passes it on to the next. Cloning gives
/// another handle to the same lock.
///
/// ```
/// use std::{cell::Cell, rc::Rc};
/// asyncio::run(async {
///     let lock = asyncio::Lock::new();
///     let inside = Rc::new(Cell::new(0));
///     let tasks: Vec<_> = (0..3)
///         .map(|_| {
///             let (lock, inside) = (lock.clone(), inside.clone());
///             asyncio::create_task(async move {
///                 let _guard = lock.lock().await;
///                 inside.set(inside.get() + 1);
///                 assert_eq!(inside.get(), 1); // alone in here
///                 asyncio::sleep(0.001).await;
///                 inside.set(inside.get() - 1);
///             })
///         })
///         .collect();
///     for task in tasks {
///         task.await.unwrap();
///     }
///     assert!(!lock.locked());
/// });
/// ```
#[derive(Clone)]
pub struct Lock {
    state: Rc<RefCell<State>>,
}

impl Lock {
    /// An unlocked lock.
    pub fn new() -> Self {
        Lock {
            state: Rc::new(RefCell::new(State {
                locked: false,
                waiters: WaitList::new(),
            })),
        }
    }

    /// Waits for the lock and takes it (Python's `acquire()`, or `async with lock`).
    ///
    /// ```
    /// asyncio::run(async {
    ///     let lock = asyncio::Lock::new();
    ///     let guard = lock.lock().await; // `async with lock:`
    ///     assert!(lock.locked());
    ///     drop(guard); // released
    ///     assert!(!lock.locked());
    /// });
    /// ```
    pub fn lock(&self) -> LockAcquire {
        LockAcquire {
            state: self.state.clone(),
            id: None,
        }
    }

    /// The same as [`lock`](Self::lock), under Python's name.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let lock = asyncio::Lock::new();
    ///     let guard = lock.acquire().await;
    ///     assert!(lock.locked());
    ///     drop(guard);
    /// });
    /// ```
    pub fn acquire(&self) -> LockAcquire {
        self.lock()
    }

    /// Takes the lock if it is free, without waiting.
    ///
    /// ```
    /// let lock = asyncio::Lock::new();
    /// let guard = lock.try_lock().unwrap();
    /// assert!(lock.try_lock().is_none());
    /// drop(guard);
    /// assert!(lock.try_lock().is_some());
    /// ```
    pub fn try_lock(&self) -> Option<LockGuard> {
        let mut state = self.state.borrow_mut();
        if state.locked {
            return None;
        }
        state.locked = true;
        Some(LockGuard {
            state: self.state.clone(),
        })
    }

    /// Whether the lock is held (or being handed to a waiter).
    ///
    /// ```
    /// asyncio::run(async {
    ///     let lock = asyncio::Lock::new();
    ///     assert!(!lock.locked());
    ///     let _guard = lock.lock().await;
    ///     assert!(lock.locked());
    /// });
    /// ```
    pub fn locked(&self) -> bool {
        self.state.borrow().locked
    }

    pub(crate) fn owns(&self, guard: &LockGuard) -> bool {
        Rc::ptr_eq(&self.state, &guard.state)
    }
}

impl Default for Lock {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Lock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.borrow();
        let locked = if state.locked { "locked" } else { "unlocked" };
        write!(f, "<Lock {locked} waiters={}>", state.waiters.len())
    }
}

/// Holds a [`Lock`]; releases it when dropped (to the longest waiter, if any).
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct LockGuard {
    state: Rc<RefCell<State>>,
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        let mut wakes = Wakes::new();
        self.state.borrow_mut().release(&mut wakes);
    }
}

impl fmt::Debug for LockGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LockGuard")
    }
}

/// The future returned by [`Lock::lock`].
#[must_use = "futures do nothing unless awaited"]
pub struct LockAcquire {
    state: Rc<RefCell<State>>,
    id: Option<u64>,
}

impl Future for LockAcquire {
    type Output = LockGuard;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<LockGuard> {
        let this = &mut *self;
        let mut state = this.state.borrow_mut();
        let acquired = match this.id {
            // Released to us: the lock stayed locked on our behalf.
            Some(id) => state.waiters.take_grant(id).is_some(),
            None if !state.locked => {
                state.locked = true;
                true
            }
            None => false,
        };
        if acquired {
            state.waiters.leave(&mut this.id);
            return Poll::Ready(LockGuard {
                state: this.state.clone(),
            });
        }
        state.waiters.wait(&mut this.id, cx.waker());
        Poll::Pending
    }
}

impl Drop for LockAcquire {
    fn drop(&mut self) {
        if let Some(id) = self.id
            && let Ok(mut state) = self.state.try_borrow_mut()
        {
            let mut wakes = Wakes::new();
            if state.waiters.remove(id).is_some() {
                // The lock was handed to us and we will not take it.
                state.release(&mut wakes);
            }
            drop(state);
        }
    }
}

impl fmt::Debug for LockAcquire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LockAcquire")
    }
}
