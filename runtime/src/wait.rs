//! `asyncio.wait`: wait until some or all of a set of tasks and futures are
//! done, and hand them back split into `(done, pending)`.
//!
//! Unlike [`wait_for`](crate::wait_for) and [`gather`](crate::gather()), `wait`
//! never cancels anything: not on its timeout, and not when the task
//! awaiting it is cancelled. The tasks it was given keep running.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use crate::future::Future as AsyncFuture;
use crate::scheduler::context;
use crate::scheduler::waiters::WaiterSlot;
use crate::sleep::{Delay, Sleep, sleep};
use crate::task::{Task, TaskRef};

/// When [`wait`] returns (Python's `return_when`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ReturnWhen {
    /// As soon as any one is done (finished, failed or cancelled).
    FirstCompleted,
    /// As soon as one fails with an error other than cancellation (a
    /// panic, or a future's `set_exception`), or when all are done.
    FirstException,
    /// When all are done (the default).
    #[default]
    AllCompleted,
}

/// Python's `asyncio.FIRST_COMPLETED`.
///
/// ```
/// asyncio::Runner::new().virtual_time(true).run(async {
///     let tasks = [asyncio::create_task(asyncio::sleep(1)), asyncio::create_task(asyncio::sleep(2))];
///     let (done, _) = asyncio::wait(tasks).return_when(asyncio::FIRST_COMPLETED).await;
///     assert_eq!(done.len(), 1);
/// });
/// ```
pub const FIRST_COMPLETED: ReturnWhen = ReturnWhen::FirstCompleted;
/// Python's `asyncio.FIRST_EXCEPTION`.
///
/// ```
/// asyncio::Runner::new().virtual_time(true).run(async {
///     let failing = asyncio::create_task(async {
///         asyncio::sleep(1).await;
///         panic!("boom")
///     });
///     let slow = asyncio::create_task(asyncio::sleep(10));
///     let (done, pending) = asyncio::wait([failing, slow])
///         .return_when(asyncio::FIRST_EXCEPTION)
///         .await;
///     assert_eq!((done.len(), pending.len()), (1, 1));
///     assert!(done[0].exception().unwrap().is_some());
/// });
/// ```
pub const FIRST_EXCEPTION: ReturnWhen = ReturnWhen::FirstException;
/// Python's `asyncio.ALL_COMPLETED`.
///
/// ```
/// asyncio::Runner::new().virtual_time(true).run(async {
///     let tasks = [asyncio::create_task(asyncio::sleep(1)), asyncio::create_task(asyncio::sleep(2))];
///     let (done, pending) = asyncio::wait(tasks).return_when(asyncio::ALL_COMPLETED).await;
///     assert_eq!((done.len(), pending.len()), (2, 0));
/// });
/// ```
pub const ALL_COMPLETED: ReturnWhen = ReturnWhen::AllCompleted;

mod sealed {
    pub trait Sealed {}
}

/// A task or future that [`wait`] can watch without taking its result:
/// [`Task`], [`TaskRef`] and [`asyncio::Future`](crate::Future).
pub trait Waitable: sealed::Sealed + Unpin {
    #[doc(hidden)]
    fn is_done(&self) -> bool;
    #[doc(hidden)]
    fn raised(&self) -> bool;
    #[doc(hidden)]
    fn watch(&self, slot: &WaiterSlot, waker: &Waker);
    #[doc(hidden)]
    fn unwatch(&self, slot: &WaiterSlot);
    /// Whether it can finish while this thread's running loop runs (a task
    /// of another loop never can).
    #[doc(hidden)]
    fn on_running_loop(&self) -> bool {
        true
    }
}

impl sealed::Sealed for TaskRef {}

impl Waitable for TaskRef {
    fn is_done(&self) -> bool {
        self.done()
    }

    fn raised(&self) -> bool {
        self.raw.header().raised()
    }

    fn watch(&self, slot: &WaiterSlot, waker: &Waker) {
        self.raw.header().waiters.borrow_mut().register(slot, waker);
    }

    fn unwatch(&self, slot: &WaiterSlot) {
        self.raw.header().forget_waiter(slot);
    }

    fn on_running_loop(&self) -> bool {
        context::is_running(&self.raw.header().core)
    }
}

impl<T: 'static> sealed::Sealed for Task<T> {}

impl<T: 'static> Waitable for Task<T> {
    fn is_done(&self) -> bool {
        self.as_task_ref().is_done()
    }

    fn raised(&self) -> bool {
        self.as_task_ref().raised()
    }

    fn watch(&self, slot: &WaiterSlot, waker: &Waker) {
        self.as_task_ref().watch(slot, waker);
    }

    fn unwatch(&self, slot: &WaiterSlot) {
        self.as_task_ref().unwatch(slot);
    }

    fn on_running_loop(&self) -> bool {
        self.as_task_ref().on_running_loop()
    }
}

impl<T: 'static> sealed::Sealed for AsyncFuture<T> {}

impl<T: 'static> Waitable for AsyncFuture<T> {
    fn is_done(&self) -> bool {
        self.done()
    }

    fn raised(&self) -> bool {
        AsyncFuture::raised(self)
    }

    fn watch(&self, slot: &WaiterSlot, waker: &Waker) {
        self.register_waiter(slot, waker);
    }

    fn unwatch(&self, slot: &WaiterSlot) {
        self.unregister_waiter(slot);
    }
}

/// The future returned by [`wait`]; configure it with
/// [`timeout`](Wait::timeout) and [`return_when`](Wait::return_when).
#[must_use = "futures do nothing unless awaited"]
pub struct Wait<W: Waitable> {
    items: Vec<W>,
    slots: Box<[WaiterSlot]>,
    return_when: ReturnWhen,
    timeout: Option<Sleep>,
    finished: bool,
}

/// Waits for tasks and futures (Python's `asyncio.wait`) and returns them
/// as `(done, pending)`, each in the order given.
///
/// By default it returns when all are done; [`Wait::return_when`] picks
/// [`FIRST_COMPLETED`] or [`FIRST_EXCEPTION`] instead, and
/// [`Wait::timeout`] bounds the wait. Nothing is cancelled: on timeout
/// the unfinished ones come back in `pending`, still running. (Python
/// raises `ValueError` for an empty set; here it returns `([], [])` at once.)
///
/// ```
/// use asyncio::{FIRST_COMPLETED, create_task, sleep, wait};
/// asyncio::Runner::new().virtual_time(true).run(async {
///     let fast = create_task(async { sleep(1).await; "fast" });
///     let slow = create_task(async { sleep(5).await; "slow" });
///     let (done, pending) = wait([fast, slow]).return_when(FIRST_COMPLETED).await;
///     assert_eq!(done.len(), 1);
///     assert_eq!(pending.len(), 1);
///     assert_eq!(done[0].result().unwrap(), "fast");
///     assert!(!pending[0].done(), "wait does not cancel the rest");
///
///     // A timeout returns what is done so far; nothing is cancelled.
///     let (done, pending) = wait(pending).timeout(1).await;
///     assert!(done.is_empty() && !pending[0].cancelled());
/// });
/// ```
pub fn wait<I>(aws: I) -> Wait<I::Item>
where
    I: IntoIterator,
    I::Item: Waitable,
{
    let items: Vec<_> = aws.into_iter().collect();
    let slots = items.iter().map(|_| WaiterSlot::new()).collect();
    Wait {
        items,
        slots,
        return_when: ReturnWhen::AllCompleted,
        timeout: None,
        finished: false,
    }
}

impl<W: Waitable> Wait<W> {
    /// Returns after at most `delay` (counted from the first poll), with the
    /// unfinished ones in `pending`.
    ///
    /// ```
    /// asyncio::Runner::new().virtual_time(true).run(async {
    ///     let slow = asyncio::create_task(asyncio::sleep(10));
    ///     let (done, pending) = asyncio::wait([slow]).timeout(1).await;
    ///     assert!(done.is_empty() && pending.len() == 1); // nothing was cancelled
    ///     assert!(!pending[0].cancelled());
    /// });
    /// ```
    pub fn timeout(mut self, delay: impl Into<Delay>) -> Self {
        self.timeout = Some(sleep(delay));
        self
    }

    /// When to return; [`ALL_COMPLETED`] by default.
    ///
    /// ```
    /// asyncio::Runner::new().virtual_time(true).run(async {
    ///     let fast = asyncio::create_task(asyncio::sleep(1));
    ///     let slow = asyncio::create_task(asyncio::sleep(10));
    ///     let (done, pending) = asyncio::wait([fast, slow])
    ///         .return_when(asyncio::FIRST_COMPLETED)
    ///         .await;
    ///     assert_eq!((done.len(), pending.len()), (1, 1));
    /// });
    /// ```
    pub fn return_when(mut self, when: ReturnWhen) -> Self {
        self.return_when = when;
        self
    }

    fn forget(&self) {
        for (item, slot) in self.items.iter().zip(self.slots.iter()) {
            item.unwatch(slot);
        }
    }
}

impl<W: Waitable> Future for Wait<W> {
    type Output = (Vec<W>, Vec<W>);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.finished, "asyncio::wait() polled after it completed");
        let (mut any_done, mut all_done, mut any_raised) = (false, true, false);
        for (item, slot) in this.items.iter().zip(this.slots.iter()) {
            if item.is_done() {
                any_done = true;
                any_raised |= item.raised();
            } else {
                all_done = false;
                assert!(
                    item.on_running_loop(),
                    "asyncio::wait(): a task belongs to an event loop that is not the one \
                     running here; wait for it on its own loop"
                );
                item.watch(slot, cx.waker());
            }
        }
        let ready = all_done
            || match this.return_when {
                ReturnWhen::FirstCompleted => any_done,
                ReturnWhen::FirstException => any_raised,
                ReturnWhen::AllCompleted => false,
            };
        let timed_out = !ready
            && this
                .timeout
                .as_mut()
                .is_some_and(|t| Pin::new(t).poll(cx).is_ready());
        if !ready && !timed_out {
            return Poll::Pending;
        }
        this.forget();
        this.finished = true;
        let (done, pending) = std::mem::take(&mut this.items)
            .into_iter()
            .partition(|item| item.is_done());
        Poll::Ready((done, pending))
    }
}

impl<W: Waitable> Drop for Wait<W> {
    fn drop(&mut self) {
        self.forget();
    }
}

impl<W: Waitable + std::fmt::Debug> std::fmt::Debug for Wait<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wait")
            .field("items", &self.items)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}
