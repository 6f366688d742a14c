//! `asyncio.as_completed`: outcomes in the order the work finishes.
//!
//! As in CPython, completion order is the order of the tasks' done
//! callbacks, and nothing is cancelled: not on the timeout, and not when
//! the iterator is dropped early. The tasks keep running.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use futures_core::Stream;

use crate::error::{Error, TimeoutError};
use crate::handle::TimerHandle;
use crate::scheduler::context;
use crate::scheduler::waiters::CallbackId;
use crate::sleep::Delay;
use crate::task::{self, Task};

/// What the done callbacks and the timeout tell the iterator.
#[derive(Default)]
struct Completions {
    /// Indices of finished tasks, in completion order.
    finished: VecDeque<usize>,
    timed_out: bool,
    waker: Option<Waker>,
}

impl Completions {
    fn notify(&mut self) {
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }
}

/// Outcomes in completion order; made by [`as_completed`].
///
/// Consume it with `while let Some(outcome) = it.next().await`, or as a
/// [`Stream`]. Each item is the task's output, or its error (a panic, a
/// cancellation). After the [`timeout`](AsCompleted::timeout) passes, each
/// remaining item is `Err(Error::Timeout)` and the unfinished tasks keep
/// running, as in CPython.
///
/// ```
/// asyncio::Runner::new().virtual_time(true).run(async {
///     let mut it = asyncio::as_completed([
///         Box::pin(async { asyncio::sleep(2).await; "slow" }) as std::pin::Pin<Box<dyn std::future::Future<Output = &str>>>,
///         Box::pin(async { asyncio::sleep(1).await; "fast" }),
///     ]);
///     assert_eq!(it.next().await.unwrap().unwrap(), "fast");
///     assert_eq!(it.next().await.unwrap().unwrap(), "slow");
///     assert!(it.next().await.is_none());
/// });
/// ```
#[must_use = "as_completed does nothing unless iterated"]
pub struct AsCompleted<T: 'static> {
    tasks: Vec<Option<Task<T>>>,
    callbacks: Vec<Option<CallbackId>>,
    state: Rc<RefCell<Completions>>,
    remaining: usize,
    timer: Option<TimerHandle>,
    /// The tasks were checked to belong to the running loop.
    checked: bool,
}

/// Runs each future as a task and yields their outcomes as they complete
/// (Python's `asyncio.as_completed`).
///
/// ```
/// asyncio::Runner::new().virtual_time(true).run(async {
///     let mut it = asyncio::as_completed([3, 1, 2].map(|d| async move {
///         asyncio::sleep(d).await;
///         d
///     }));
///     let mut order = Vec::new();
///     while let Some(outcome) = it.next().await {
///         order.push(outcome.unwrap());
///     }
///     assert_eq!(order, [1, 2, 3]); // completion order
/// });
/// ```
///
/// # Panics
/// If no event loop is running on this thread.
#[track_caller]
pub fn as_completed<I>(futures: I) -> AsCompleted<<I::Item as Future>::Output>
where
    I: IntoIterator,
    I::Item: Future + 'static,
    <I::Item as Future>::Output: 'static,
{
    let core = context::running_core()
        .expect("asyncio::as_completed() needs a running event loop: no running event loop");
    let location = Location::caller();
    AsCompleted::from_tasks(
        futures
            .into_iter()
            .map(|fut| task::spawn(&core, fut, None, location)),
    )
}

impl<T: 'static> AsCompleted<T> {
    /// Yields the outcomes of tasks that already exist, as they complete.
    ///
    /// ```
    /// asyncio::Runner::new().virtual_time(true).run(async {
    ///     let a = asyncio::create_task(async { asyncio::sleep(2).await; 2 });
    ///     let b = asyncio::create_task(async { asyncio::sleep(1).await; 1 });
    ///     let mut it = asyncio::AsCompleted::from_tasks([a, b]);
    ///     assert_eq!(it.next().await.unwrap().unwrap(), 1);
    ///     assert_eq!(it.remaining(), 1);
    /// });
    /// ```
    pub fn from_tasks(tasks: impl IntoIterator<Item = Task<T>>) -> Self {
        let state = Rc::new(RefCell::new(Completions::default()));
        let tasks: Vec<_> = tasks.into_iter().map(Some).collect();
        let callbacks = tasks
            .iter()
            .enumerate()
            .map(|(index, task)| {
                let state = Rc::downgrade(&state);
                let task = task.as_ref()?;
                Some(task.add_done_callback(move |_| {
                    if let Some(state) = state.upgrade() {
                        let mut state = state.borrow_mut();
                        state.finished.push_back(index);
                        state.notify();
                    }
                }))
            })
            .collect();
        AsCompleted {
            remaining: tasks.len(),
            tasks,
            callbacks,
            state,
            timer: None,
            checked: false,
        }
    }

    /// After `delay` from now, every remaining item is `Err(Error::Timeout)`
    /// (the tasks are not cancelled).
    ///
    /// ```
    /// asyncio::Runner::new().virtual_time(true).run(async {
    ///     let slow = asyncio::create_task(async { asyncio::sleep(10).await; 10 });
    ///     let mut it = asyncio::AsCompleted::from_tasks([slow]).timeout(1);
    ///     assert!(it.next().await.unwrap().unwrap_err().is_timeout());
    /// });
    /// ```
    ///
    /// # Panics
    /// If no event loop is running on this thread.
    #[track_caller]
    pub fn timeout(mut self, delay: impl Into<Delay>) -> Self {
        let core = context::running_core()
            .expect("AsCompleted::timeout() needs a running event loop: no running event loop");
        if let Some(old) = self.timer.take() {
            old.cancel();
        }
        let when = core.clock.now().saturating_add(delay.into().0);
        let state = Rc::downgrade(&self.state);
        let cell = core.call_at(
            when,
            Box::new(move || {
                if let Some(state) = state.upgrade() {
                    let mut state = state.borrow_mut();
                    state.timed_out = true;
                    state.notify();
                }
            }),
        );
        self.timer = Some(TimerHandle::new(cell, when, Rc::downgrade(&core)));
        self
    }

    /// The next outcome in completion order; `None` once all were yielded.
    // An async `next`, not `Iterator::next`: the outcome has to be awaited.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let mut it = asyncio::as_completed([async { 1 }]);
    ///     while let Some(outcome) = it.next().await {
    ///         assert_eq!(outcome.unwrap(), 1);
    ///     }
    /// });
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> AsCompletedNext<'_, T> {
        AsCompletedNext { iter: self }
    }

    /// How many outcomes are still to come.
    pub fn remaining(&self) -> usize {
        self.remaining
    }

    /// The tasks not yielded yet, in the order given.
    pub fn pending_tasks(&self) -> impl Iterator<Item = &Task<T>> {
        self.tasks.iter().flatten()
    }

    fn poll_outcome(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, Error>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        // A task of another loop never reports here: say so, never hang.
        if !self.checked {
            self.checked = true;
            for task in self.tasks.iter().flatten() {
                assert!(
                    task.done() || context::is_running(&task.raw.header().core),
                    "asyncio::as_completed(): a task belongs to an event loop that is not the \
                     one running here; wait for it on its own loop"
                );
            }
        }
        let mut state = self.state.borrow_mut();
        if let Some(index) = state.finished.pop_front() {
            drop(state);
            self.remaining -= 1;
            self.callbacks[index] = None;
            let task = self.tasks[index]
                .take()
                .expect("a task's done callback fires once");
            return Poll::Ready(Some(task.take_outcome()));
        }
        if state.timed_out {
            drop(state);
            self.remaining -= 1;
            return Poll::Ready(Some(Err(Error::Timeout(TimeoutError))));
        }
        state.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl<T: 'static> Stream for AsCompleted<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_outcome(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<T: 'static> Drop for AsCompleted<T> {
    fn drop(&mut self) {
        if let Some(timer) = &self.timer {
            timer.cancel();
        }
        for (task, id) in self.tasks.iter().zip(&self.callbacks) {
            if let (Some(task), Some(id)) = (task, id) {
                task.remove_done_callback(*id);
            }
        }
    }
}

/// The future of [`AsCompleted::next`].
#[must_use = "futures do nothing unless awaited"]
pub struct AsCompletedNext<'a, T: 'static> {
    iter: &'a mut AsCompleted<T>,
}

impl<T: 'static> Future for AsCompletedNext<'_, T> {
    type Output = Option<Result<T, Error>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().iter.poll_outcome(cx)
    }
}

impl<T> std::fmt::Debug for AsCompleted<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsCompleted")
            .field("remaining", &self.remaining)
            .field("timeout", &self.timer.is_some())
            .finish_non_exhaustive()
    }
}

impl<T> std::fmt::Debug for AsCompletedNext<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("AsCompletedNext").field(&*self.iter).finish()
    }
}
