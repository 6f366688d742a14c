//! `asyncio.Semaphore` and `asyncio.BoundedSemaphore`.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::error::ValueError;
use super::wait_list::{WaitList, Wakes};

struct State {
    /// Free permits (permits handed to a waiter are not counted).
    value: usize,
    /// A bounded semaphore's initial value.
    bound: Option<usize>,
    waiters: WaitList,
}

impl State {
    /// Whether one more release would exceed the bound.
    fn at_bound(&self) -> bool {
        self.bound
            .is_some_and(|bound| self.value + self.waiters.granted() >= bound)
    }

    /// Hands a permit to the first waiter, or adds it to the free ones;
    /// an error (nothing changes) if the count would pass `usize::MAX`.
    fn release(&mut self, wakes: &mut Wakes) -> Result<(), ValueError> {
        if self.waiters.grant_next((), wakes).is_err() {
            self.value = self.value.checked_add(1).ok_or(ValueError::OVERFLOW)?;
        }
        Ok(())
    }
}

type Shared = Rc<RefCell<State>>;

fn new_state(value: usize, bound: Option<usize>) -> Shared {
    Rc::new(RefCell::new(State {
        value,
        bound,
        waiters: WaitList::new(),
    }))
}

/// A counter of permits for tasks (Python's `asyncio.Semaphore`):
/// [`acquire`](Self::acquire) takes one, waiting while none is free, and
/// returns a guard that gives it back when dropped.
///
/// Fair: a released permit goes straight to the task that has waited
/// longest. A waiter cancelled after a permit was handed to it passes the
/// permit on. Cloning gives another handle to the same semaphore.
///
/// ```
/// use std::{cell::Cell, rc::Rc};
/// asyncio::run(async {
///     let sem = asyncio::Semaphore::new(2);
///     let busy = Rc::new(Cell::new(0));
///     let tasks: Vec<_> = (0..5)
///         .map(|_| {
///             let (sem, busy) = (sem.clone(), busy.clone());
///             asyncio::create_task(async move {
///                 let _permit = sem.acquire().await;
///                 busy.set(busy.get() + 1);
///                 assert!(busy.get() <= 2); // at most two at a time
///                 asyncio::sleep(0.001).await;
///                 busy.set(busy.get() - 1);
///             })
///         })
///         .collect();
///     for task in tasks {
///         task.await.unwrap();
///     }
///     assert_eq!(sem.value(), 2);
/// });
/// ```
#[derive(Clone)]
pub struct Semaphore {
    state: Shared,
}

impl Semaphore {
    /// A semaphore with `value` free permits.
    pub fn new(value: usize) -> Self {
        Semaphore {
            state: new_state(value, None),
        }
    }

    /// Waits for a permit and takes it.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let sem = asyncio::Semaphore::new(1);
    ///     let permit = sem.acquire().await; // `async with sem:`
    ///     assert!(sem.locked());
    ///     drop(permit); // released
    ///     assert_eq!(sem.value(), 1);
    /// });
    /// ```
    pub fn acquire(&self) -> SemaphoreAcquire {
        acquire(&self.state)
    }

    /// Takes a permit if one is free, without waiting.
    ///
    /// ```
    /// let sem = asyncio::Semaphore::new(1);
    /// let permit = sem.try_acquire().unwrap();
    /// assert!(sem.try_acquire().is_none());
    /// drop(permit);
    /// assert!(sem.try_acquire().is_some());
    /// ```
    pub fn try_acquire(&self) -> Option<SemaphoreGuard> {
        try_acquire(&self.state)
    }

    /// Adds a permit (Python's `release()`), handing it to the longest
    /// waiter if there is one. Pairs with [`SemaphoreGuard::forget`].
    ///
    /// ```
    /// let sem = asyncio::Semaphore::new(0);
    /// sem.release().unwrap();
    /// assert_eq!(sem.value(), 1);
    /// let full = asyncio::Semaphore::new(usize::MAX);
    /// assert!(full.release().is_err()); // no wrap to 0
    /// ```
    ///
    /// # Errors
    /// [`ValueError`] if the count of free permits would pass `usize::MAX`.
    pub fn release(&self) -> Result<(), ValueError> {
        let mut wakes = Wakes::new();
        let mut state = self.state.borrow_mut();
        let released = state.release(&mut wakes);
        // The waiter is woken (when `wakes` drops) after the borrow ends.
        drop(state);
        released
    }

    /// Whether no permit is free (an `acquire` would wait).
    pub fn locked(&self) -> bool {
        self.state.borrow().value == 0
    }

    /// How many permits are free.
    pub fn value(&self) -> usize {
        self.state.borrow().value
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.borrow();
        write!(
            f,
            "<Semaphore value={} waiters={}>",
            state.value,
            state.waiters.len()
        )
    }
}

/// A [`Semaphore`] that refuses to be released beyond its initial value
/// (Python's `asyncio.BoundedSemaphore`, which raises `ValueError`).
///
/// [`release`](Self::release) reports the error; a [`SemaphoreGuard`]
/// dropped when the semaphore is already at its bound (because of an extra
/// manual `release`) gives nothing back, so the bound holds either way.
///
/// ```
/// let sem = asyncio::BoundedSemaphore::new(1);
/// let permit = sem.try_acquire().unwrap();
/// permit.forget();
/// assert_eq!(sem.release(), Ok(()));
/// assert!(sem.release().is_err()); // one more than it started with
/// ```
#[derive(Clone)]
pub struct BoundedSemaphore {
    state: Shared,
}

impl BoundedSemaphore {
    /// A bounded semaphore with `value` free permits, at most `value` ever.
    pub fn new(value: usize) -> Self {
        BoundedSemaphore {
            state: new_state(value, Some(value)),
        }
    }

    /// Waits for a permit and takes it.
    pub fn acquire(&self) -> SemaphoreAcquire {
        acquire(&self.state)
    }

    /// Takes a permit if one is free, without waiting.
    pub fn try_acquire(&self) -> Option<SemaphoreGuard> {
        try_acquire(&self.state)
    }

    /// Adds a permit back; an error if that would exceed the initial value.
    ///
    /// ```
    /// let sem = asyncio::BoundedSemaphore::new(1);
    /// let permit = sem.try_acquire().unwrap();
    /// permit.forget(); // keep the permit taken
    /// sem.release().unwrap(); // back to 1
    /// assert!(sem.release().is_err()); // past the initial value: ValueError
    /// ```
    ///
    /// # Errors
    /// [`ValueError`] if the release would raise the value above its initial
    /// one (a `BoundedSemaphore`) or past `usize::MAX`.
    pub fn release(&self) -> Result<(), ValueError> {
        let mut wakes = Wakes::new();
        let mut state = self.state.borrow_mut();
        if state.at_bound() {
            return Err(ValueError::OVER_RELEASE);
        }
        let released = state.release(&mut wakes);
        drop(state);
        released
    }

    /// Whether no permit is free (an `acquire` would wait).
    pub fn locked(&self) -> bool {
        self.state.borrow().value == 0
    }

    /// How many permits are free.
    pub fn value(&self) -> usize {
        self.state.borrow().value
    }
}

impl fmt::Debug for BoundedSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.borrow();
        write!(
            f,
            "<BoundedSemaphore value={}/{} waiters={}>",
            state.value,
            state.bound.unwrap_or(0),
            state.waiters.len()
        )
    }
}

fn acquire(state: &Shared) -> SemaphoreAcquire {
    SemaphoreAcquire {
        state: state.clone(),
        id: None,
    }
}

fn try_acquire(shared: &Shared) -> Option<SemaphoreGuard> {
    let mut state = shared.borrow_mut();
    if state.value == 0 {
        return None;
    }
    state.value -= 1;
    Some(SemaphoreGuard {
        state: Some(shared.clone()),
    })
}

/// A permit of a [`Semaphore`] or [`BoundedSemaphore`]; gives it back when
/// dropped.
#[must_use = "the permit is given back as soon as the guard is dropped"]
pub struct SemaphoreGuard {
    state: Option<Shared>,
}

impl SemaphoreGuard {
    /// Keeps the permit taken: dropping the guard will not give it back.
    /// (Python's bare `acquire()` without a matching `release()`.)
    ///
    /// ```
    /// let sem = asyncio::Semaphore::new(2);
    /// sem.try_acquire().unwrap().forget();
    /// assert_eq!(sem.value(), 1); // not given back on drop
    /// sem.release().unwrap();
    /// assert_eq!(sem.value(), 2);
    /// ```
    pub fn forget(mut self) {
        self.state = None;
    }
}

impl Drop for SemaphoreGuard {
    fn drop(&mut self) {
        if let Some(shared) = self.state.take() {
            let mut wakes = Wakes::new();
            let mut state = shared.borrow_mut();
            // A bounded semaphore already released by hand stays at its
            // bound; a count already at `usize::MAX` (released by hand that
            // far) stays there: a drop has nobody to report an error to.
            if !state.at_bound() {
                let _ = state.release(&mut wakes);
            }
        }
    }
}

impl fmt::Debug for SemaphoreGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SemaphoreGuard")
    }
}

/// The future returned by [`Semaphore::acquire`] and [`BoundedSemaphore::acquire`].
#[must_use = "futures do nothing unless awaited"]
pub struct SemaphoreAcquire {
    state: Shared,
    id: Option<u64>,
}

impl Future for SemaphoreAcquire {
    type Output = SemaphoreGuard;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<SemaphoreGuard> {
        let this = &mut *self;
        let mut state = this.state.borrow_mut();
        let acquired = match this.id {
            // A permit handed to us by a release.
            Some(id) => state.waiters.take_grant(id).is_some(),
            None if state.value > 0 => {
                state.value -= 1;
                true
            }
            None => false,
        };
        if acquired {
            state.waiters.leave(&mut this.id);
            return Poll::Ready(SemaphoreGuard {
                state: Some(this.state.clone()),
            });
        }
        state.waiters.wait(&mut this.id, cx.waker());
        Poll::Pending
    }
}

impl Drop for SemaphoreAcquire {
    fn drop(&mut self) {
        if let Some(id) = self.id
            && let Ok(mut state) = self.state.try_borrow_mut()
        {
            let mut wakes = Wakes::new();
            if state.waiters.remove(id).is_some() {
                // A permit was handed to us and we will not use it (it was
                // taken from the count, so giving it back cannot overflow).
                let _ = state.release(&mut wakes);
            }
            drop(state);
        }
    }
}

impl fmt::Debug for SemaphoreAcquire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SemaphoreAcquire")
    }
}
