//! `asyncio.Barrier`: wait until a number of tasks have arrived.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::error::BrokenBarrierError;
use super::wait_list::{WaitList, Wakes};

struct State {
    parties: usize,
    /// Tasks waiting in the current cycle.
    count: usize,
    broken: bool,
    /// Granted `true` when their cycle completes, `false` when it breaks.
    waiters: WaitList<bool>,
}

/// A meeting point for a fixed number of tasks (Python's `asyncio.Barrier`):
/// each [`wait`](Self::wait) blocks until `parties` tasks are waiting, then
/// all of them go on and the barrier is ready for the next round.
///
/// Each task gets its arrival index (0 for the first, `parties - 1` for
/// the one that released the others). A waiter cancelled before the round
/// completes leaves it: the barrier then needs another task to arrive.
/// Cloning gives another handle to the same barrier.
///
/// ```
/// asyncio::run(async {
///     let barrier = asyncio::Barrier::new(3);
///     let tasks: Vec<_> = (0..3)
///         .map(|_| {
///             let barrier = barrier.clone();
///             asyncio::create_task(async move { barrier.wait().await.unwrap() })
///         })
///         .collect();
///     let mut indices = Vec::new();
///     for task in tasks {
///         indices.push(task.await.unwrap());
///     }
///     assert_eq!(indices, [0, 1, 2]);
/// });
/// ```
#[derive(Clone)]
pub struct Barrier {
    state: Rc<RefCell<State>>,
}

impl Barrier {
    /// A barrier for `parties` tasks.
    ///
    /// # Panics
    /// If `parties` is 0 (Python raises `ValueError`).
    pub fn new(parties: usize) -> Self {
        assert!(parties > 0, "a Barrier needs at least one party");
        Barrier {
            state: Rc::new(RefCell::new(State {
                parties,
                count: 0,
                broken: false,
                waiters: WaitList::new(),
            })),
        }
    }

    /// Waits until `parties` tasks wait; returns this task's arrival index,
    /// or [`BrokenBarrierError`] if the barrier is broken or is aborted or
    /// reset while the task waits.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let barrier = asyncio::Barrier::new(2);
    ///     let b = barrier.clone();
    ///     let other = asyncio::create_task(async move { b.wait().await.unwrap() });
    ///     let mine = barrier.wait().await.unwrap();
    ///     let theirs = other.await.unwrap();
    ///     assert_eq!(mine + theirs, 1); // arrival indexes 0 and 1
    /// });
    /// ```
    pub fn wait(&self) -> BarrierWait {
        BarrierWait {
            state: self.state.clone(),
            waiting: None,
        }
    }

    /// Puts the barrier in the broken state: current and future waiters
    /// get [`BrokenBarrierError`] until [`reset`](Self::reset).
    ///
    /// ```
    /// asyncio::run(async {
    ///     let barrier = asyncio::Barrier::new(2);
    ///     let b = barrier.clone();
    ///     let waiter = asyncio::create_task(async move { b.wait().await });
    ///     asyncio::sleep(0).await;
    ///     barrier.abort();
    ///     assert!(waiter.await.unwrap().is_err()); // BrokenBarrierError
    ///     assert!(barrier.broken());
    /// });
    /// ```
    pub fn abort(&self) {
        let mut wakes = Wakes::new();
        let mut state = self.state.borrow_mut();
        state.broken = true;
        state.count = 0;
        state.waiters.grant_all(|| false, &mut wakes);
    }

    /// Returns the barrier to its empty, unbroken state; tasks waiting on
    /// it get [`BrokenBarrierError`].
    ///
    /// ```
    /// let barrier = asyncio::Barrier::new(2);
    /// barrier.abort();
    /// barrier.reset();
    /// assert!(!barrier.broken());
    /// ```
    pub fn reset(&self) {
        let mut wakes = Wakes::new();
        let mut state = self.state.borrow_mut();
        state.broken = false;
        state.count = 0;
        state.waiters.grant_all(|| false, &mut wakes);
    }

    /// How many tasks must wait for the barrier to open.
    pub fn parties(&self) -> usize {
        self.state.borrow().parties
    }

    /// How many tasks are waiting in the current round.
    pub fn n_waiting(&self) -> usize {
        self.state.borrow().count
    }

    /// Whether the barrier is broken (see [`abort`](Self::abort)).
    pub fn broken(&self) -> bool {
        self.state.borrow().broken
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.borrow();
        let broken = if state.broken { " broken" } else { "" };
        write!(
            f,
            "<Barrier{broken} waiters={}/{}>",
            state.count, state.parties
        )
    }
}

/// The future returned by [`Barrier::wait`].
#[must_use = "futures do nothing unless awaited"]
pub struct BarrierWait {
    state: Rc<RefCell<State>>,
    /// (arrival index, wait-list id) once arrived.
    waiting: Option<(usize, u64)>,
}

impl Future for BarrierWait {
    type Output = Result<usize, BrokenBarrierError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let mut wakes = Wakes::new();
        let mut state = this.state.borrow_mut();
        if let Some((index, id)) = this.waiting {
            return match state.waiters.take_grant(id) {
                Some(passed) => {
                    state.waiters.remove(id);
                    this.waiting = None;
                    Poll::Ready(if passed {
                        Ok(index)
                    } else {
                        Err(BrokenBarrierError)
                    })
                }
                None => {
                    state.waiters.update(id, cx.waker());
                    Poll::Pending
                }
            };
        }
        if state.broken {
            return Poll::Ready(Err(BrokenBarrierError));
        }
        let index = state.count;
        state.count += 1;
        if state.count == state.parties {
            state.count = 0;
            state.waiters.grant_all(|| true, &mut wakes);
            return Poll::Ready(Ok(index));
        }
        this.waiting = Some((index, state.waiters.push(cx.waker())));
        Poll::Pending
    }
}

impl Drop for BarrierWait {
    fn drop(&mut self) {
        if let Some((_, id)) = self.waiting
            && let Ok(mut state) = self.state.try_borrow_mut()
            && state.waiters.remove(id).is_none()
        {
            // Left before the round completed: no longer counted.
            state.count -= 1;
        }
    }
}

impl fmt::Debug for BarrierWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BarrierWait")
    }
}
