//! `asyncio.shield`: protect work from the cancellation of its awaiter.

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::error::Error;
use crate::scheduler::context;
use crate::task::{self, Task};

/// The future returned by [`shield`].
#[must_use = "futures do nothing unless awaited"]
pub struct Shield<T> {
    task: Task<T>,
}

/// Runs `fut` as its own task and awaits it without passing cancellation
/// on (Python's `asyncio.shield`).
///
/// If the task awaiting the shield is cancelled, the await ends (the
/// cancellation is delivered to the awaiting task as usual) but the
/// shielded work keeps running to completion on the loop.
///
/// ```
/// use std::{cell::Cell, rc::Rc};
/// asyncio::Runner::new().virtual_time(true).run(async {
///     let finished = Rc::new(Cell::new(false));
///     let f = finished.clone();
///     let waiter = asyncio::create_task(asyncio::shield(async move {
///         asyncio::sleep(1).await;
///         f.set(true);
///     }));
///     asyncio::sleep(0.5).await;
///     waiter.cancel();
///     assert!((&waiter).await.unwrap_err().is_cancelled());
///     asyncio::sleep(1).await;
///     assert!(finished.get(), "the shielded work ran to completion");
/// });
/// ```
///
/// # Panics
/// If no event loop is running on this thread.
#[track_caller]
pub fn shield<F>(fut: F) -> Shield<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let core = context::running_core()
        .expect("asyncio::shield() needs a running event loop: no running event loop");
    Shield {
        task: task::spawn(&core, fut, None, Location::caller()),
    }
}

impl<T: 'static> Shield<T> {
    /// The task running the shielded work.
    pub fn task(&self) -> &Task<T> {
        &self.task
    }
}

impl<T: 'static> Future for Shield<T> {
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.task.poll_shielded(cx)
    }
}

impl<T> std::fmt::Debug for Shield<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Shield").field(&self.task).finish()
    }
}
