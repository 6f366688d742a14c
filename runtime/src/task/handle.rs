//! Handles to tasks: [`TaskRef`] (any task) and [`Task<T>`] (awaitable, typed).

use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::ops::Deref;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::error::{CancelledError, Error, InvalidStateError, RuntimeError};
use crate::scheduler::Runnable;
use crate::scheduler::context;
use crate::scheduler::delivery;
use crate::scheduler::header::TaskHeader;
use crate::scheduler::waiters::{CallbackId, DoneCallback, WaiterSlot};

/// A handle to any task, whatever its output type: Python's `Task` minus the
/// result. [`all_tasks`](crate::all_tasks) and [`current_task`](crate::current_task)
/// return these, and every [`Task<T>`] dereferences to one.
///
/// Cloning the handle does not copy the task.
///
/// ```
/// asyncio::run(async {
///     let task = asyncio::create_task_named(asyncio::sleep(0), "napper");
///     let any: asyncio::TaskRef = task.as_task_ref().clone();
///     assert_eq!(any.get_name(), "napper");
///     task.await.unwrap();
///     assert!(any.done());
/// });
/// ```
#[derive(Clone)]
pub struct TaskRef {
    pub(crate) raw: Rc<dyn Runnable>,
}

impl TaskRef {
    pub(crate) fn new(raw: Rc<dyn Runnable>) -> Self {
        TaskRef { raw }
    }

    /// The task's name: the one given at creation or with `set_name`, else `Task-N`.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let named = asyncio::create_task_named(async {}, "worker");
    ///     let unnamed = asyncio::create_task(async {});
    ///     assert_eq!(named.get_name(), "worker");
    ///     assert!(unnamed.get_name().starts_with("Task-"));
    /// });
    /// ```
    pub fn get_name(&self) -> String {
        self.raw.header().name()
    }

    /// Renames the task.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let task = asyncio::create_task(async {});
    ///     task.set_name("renamed");
    ///     assert_eq!(task.get_name(), "renamed");
    /// });
    /// ```
    pub fn set_name(&self, name: impl Into<String>) {
        self.raw.header().set_name(name.into());
    }

    /// Requests cancellation (Python's `task.cancel()`).
    ///
    /// The request is delivered at the task's next step: the innermost
    /// [`catch_cancelled`](crate::catch_cancelled) on its await path receives
    /// `Err(CancelledError)` and may clean up or even carry on; with no such
    /// catch point the task's future is dropped and the task ends cancelled.
    /// Returns false if the task is already done (or cleaning up).
    ///
    /// ```
    /// asyncio::run(async {
    ///     let task = asyncio::create_task(asyncio::sleep(3600));
    ///     asyncio::sleep(0).await; // let it start
    ///     assert!(task.cancel());
    ///     assert!((&task).await.unwrap_err().is_cancelled());
    ///     assert!(!task.cancel()); // done: nothing to cancel
    /// });
    /// ```
    pub fn cancel(&self) -> bool {
        self.raw.header().request_cancel(None)
    }

    /// Like [`cancel`](Self::cancel), with a message the `CancelledError` carries.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let task = asyncio::create_task(asyncio::sleep(3600));
    ///     asyncio::sleep(0).await;
    ///     task.cancel_with("shutting down");
    ///     match task.await {
    ///         Err(asyncio::Error::Cancelled(e)) => assert_eq!(e.message(), Some("shutting down")),
    ///         other => panic!("unexpected: {other:?}"),
    ///     }
    /// });
    /// ```
    pub fn cancel_with(&self, message: impl Into<String>) -> bool {
        self.raw.header().request_cancel(Some(message.into()))
    }

    /// How many cancellation requests are outstanding (Python's
    /// `cancelling()`): each `cancel` adds one, each `uncancel` takes one back.
    /// Catching a cancellation does not reset it.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let task = asyncio::create_task(async {
    ///         let _ = asyncio::catch_cancelled(asyncio::sleep(3600)).await;
    ///         asyncio::current_task().unwrap().cancelling()
    ///     });
    ///     asyncio::sleep(0).await;
    ///     task.cancel();
    ///     // Caught, but still counted (until `uncancel`).
    ///     assert_eq!(task.await.unwrap(), 1);
    /// });
    /// ```
    pub fn cancelling(&self) -> u32 {
        self.raw.header().cancel_count()
    }

    /// Takes back one cancellation request (Python's `uncancel()`), for
    /// structured code such as timeouts that cancel a task and then handle
    /// it themselves. At zero, a request not yet delivered is dropped.
    /// Returns the remaining count.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let task = asyncio::create_task(async {
    ///         let _ = asyncio::catch_cancelled(asyncio::sleep(3600)).await;
    ///         let me = asyncio::current_task().unwrap();
    ///         me.uncancel(); // handled: take the request back
    ///         me.cancelling()
    ///     });
    ///     asyncio::sleep(0).await;
    ///     task.cancel();
    ///     assert_eq!(task.await.unwrap(), 0);
    /// });
    /// ```
    pub fn uncancel(&self) -> u32 {
        self.raw.header().uncancel()
    }

    /// Whether the task ended cancelled.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let task = asyncio::create_task(asyncio::sleep(3600));
    ///     asyncio::sleep(0).await;
    ///     task.cancel();
    ///     let _ = (&task).await;
    ///     assert!(task.cancelled());
    /// });
    /// ```
    pub fn cancelled(&self) -> bool {
        self.raw.header().is_cancelled()
    }

    /// Whether the task finished (with a result, a panic, or cancelled).
    ///
    /// ```
    /// asyncio::run(async {
    ///     let task = asyncio::create_task(async {});
    ///     assert!(!task.done()); // starts after the creator yields
    ///     asyncio::sleep(0).await;
    ///     assert!(task.done());
    /// });
    /// ```
    pub fn done(&self) -> bool {
        self.raw.header().is_done()
    }

    /// Python's `task.exception()`: `Ok(None)` for success, `Ok(Some(error))`
    /// for a panic, `Err(Cancelled)` if cancelled and `Err(InvalidState)`
    /// while the task is not done. Never blocks.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let task = asyncio::create_task(async { 1 });
    ///     assert!(task.exception().is_err()); // not done yet
    ///     let _ = (&task).await;
    ///     assert!(task.exception().unwrap().is_none()); // finished without failure
    /// });
    /// ```
    ///
    /// # Errors
    /// `Cancelled` if the task was cancelled, `InvalidState` while it is not
    /// done.
    pub fn exception(&self) -> Result<Option<Error>, Error> {
        let header = self.raw.header();
        if !header.is_done() {
            return Err(InvalidStateError::NOT_DONE.into());
        }
        match header.failure() {
            Some(Error::Cancelled(e)) => Err(Error::Cancelled(e)),
            other => Ok(other),
        }
    }

    /// Schedules `callback` on the loop once the task is done (at once if it
    /// already is). Callbacks run in the order they were added, never inside
    /// the task's own step.
    ///
    /// ```
    /// use std::{cell::RefCell, rc::Rc};
    /// asyncio::run(async {
    ///     let seen = Rc::new(RefCell::new(String::new()));
    ///     let s = seen.clone();
    ///     let task = asyncio::create_task_named(async {}, "job");
    ///     task.add_done_callback(move |t| *s.borrow_mut() = t.get_name());
    ///     (&task).await.unwrap();
    ///     asyncio::sleep(0).await; // callbacks run on the loop, after the task
    ///     assert_eq!(*seen.borrow(), "job");
    /// });
    /// ```
    pub fn add_done_callback(&self, callback: impl FnOnce(&TaskRef) + 'static) -> CallbackId {
        let header = self.raw.header();
        let callback: DoneCallback<Rc<dyn Runnable>> =
            Box::new(move |raw: &Rc<dyn Runnable>| callback(&TaskRef::new(raw.clone())));
        if header.is_done() {
            let id = header.waiters.borrow_mut().fresh_id();
            let raw = self.raw.clone();
            match header.core.upgrade() {
                Some(core) if !core.is_closed() => {
                    core.call_soon(Box::new(move || callback(&raw)));
                }
                _ => callback(&raw),
            }
            return id;
        }
        header.waiters.borrow_mut().add_callback(callback)
    }

    /// Removes a callback added with `add_done_callback`; returns how many
    /// were removed (0 if it already ran or was never added).
    ///
    /// ```
    /// asyncio::run(async {
    ///     let task = asyncio::create_task(async {});
    ///     let id = task.add_done_callback(|_| unreachable!("removed"));
    ///     assert_eq!(task.remove_done_callback(id), 1);
    ///     task.await.unwrap();
    ///     asyncio::sleep(0).await;
    /// });
    /// ```
    pub fn remove_done_callback(&self, id: CallbackId) -> usize {
        self.raw.header().waiters.borrow_mut().remove_callback(id)
    }

    /// Where the task was created.
    pub fn location(&self) -> &'static Location<'static> {
        self.raw.header().location
    }

    /// The type name of the task's future (Python's `get_coro()`, for display).
    ///
    /// ```
    /// async fn fetch() {}
    /// asyncio::run(async {
    ///     let task = asyncio::create_task(fetch());
    ///     assert!(task.get_coro().contains("fetch"));
    /// });
    /// ```
    pub fn get_coro(&self) -> &'static str {
        self.raw.coro()
    }

    /// Whether two handles refer to the same task.
    pub fn ptr_eq(&self, other: &TaskRef) -> bool {
        std::ptr::addr_eq(Rc::as_ptr(&self.raw), Rc::as_ptr(&other.raw))
    }
}

impl fmt::Debug for TaskRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw.describe())
    }
}

impl PartialEq for TaskRef {
    fn eq(&self, other: &Self) -> bool {
        self.ptr_eq(other)
    }
}

impl Eq for TaskRef {}

/// A running coroutine on the loop, and the handle to await its output
/// (Python's `asyncio.Task`, made with [`create_task`](crate::create_task)).
///
/// Awaiting gives `Ok(output)`, or `Err(Error::Cancelled)` /
/// `Err(Error::Panicked)`. Dropping the handle detaches the task: the loop
/// keeps running it. It dereferences to [`TaskRef`] for names,
/// cancellation and done callbacks.
///
/// ```
/// let out = asyncio::run(async {
///     let task = asyncio::create_task(async { 6 * 7 });
///     task.await.unwrap()
/// });
/// assert_eq!(out, 42);
/// ```
///
/// Await `&task` to keep the handle for questions afterwards:
///
/// ```
/// asyncio::run(async {
///     let task = asyncio::create_task_named(async { "done" }, "worker");
///     assert_eq!((&task).await.unwrap(), "done");
///     assert!(task.done() && !task.cancelled());
///     assert_eq!(task.get_name(), "worker");
/// });
/// ```
pub struct Task<T> {
    /// The one handle that owns the output: its awaiter state lives in the
    /// task's header (`owner_*`), so the handle is a single pointer pair.
    pub(crate) task: TaskRef,
    _output: PhantomData<fn() -> T>,
}

impl<T: 'static> Task<T> {
    pub(crate) fn from_raw(raw: Rc<dyn Runnable>) -> Self {
        Task {
            task: TaskRef::new(raw),
            _output: PhantomData,
        }
    }

    /// A type-erased handle to the same task.
    pub fn as_task_ref(&self) -> &TaskRef {
        &self.task
    }

    /// Python's `task.result()`: the output (cloned), or the error; before
    /// the task is done, `Err(InvalidState)`. Never blocks.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let task = asyncio::create_task(async { String::from("out") });
    ///     assert!(task.result().is_err()); // not done: InvalidState, never a block
    ///     assert_eq!((&task).await.unwrap(), "out");
    ///     assert_eq!(task.result().unwrap(), "out"); // as often as asked
    /// });
    /// ```
    ///
    /// # Errors
    /// `InvalidState` before the task is done; otherwise the task's failure
    /// (`Cancelled`, `Panicked`, `Exception`).
    pub fn result(&self) -> Result<T, Error>
    where
        T: Clone,
    {
        if !self.task.done() {
            return Err(InvalidStateError::NOT_DONE.into());
        }
        self.outcome(|slot| slot.clone())
    }

    /// Takes a finished task's output (or its error); for combinators that
    /// waited for the task themselves.
    pub(crate) fn take_outcome(&self) -> Result<T, Error> {
        self.outcome(Option::take)
    }

    fn outcome(&self, get: impl FnOnce(&mut Option<T>) -> Option<T>) -> Result<T, Error> {
        let header = self.task.raw.header();
        if let Some(error) = header.failure() {
            return Err(error);
        }
        let (mut get, mut output) = (Some(get), None);
        self.task.raw.with_output(&mut |slot| {
            let slot = slot
                .downcast_mut::<Option<T>>()
                .expect("a task's output slot has the task's output type");
            output = get.take().and_then(|get| get(slot));
        });
        output.ok_or(Error::InvalidState(InvalidStateError::TAKEN))
    }
}

impl<T> Deref for Task<T> {
    type Target = TaskRef;

    fn deref(&self) -> &TaskRef {
        &self.task
    }
}

/// One awaiter's state: its place among the task's waiters, the
/// cancellation it passed on to the task, if any, and whether that came
/// back and was raised (then the await never completes).
trait AwaitState {
    fn slot(&self) -> &WaiterSlot;
    fn passed_on(&self) -> bool;
    fn set_passed_on(&self);
    fn delegate(&self, cancel: CancelledError);
    fn take_delegated(&self) -> Option<CancelledError>;
}

/// The state of an `&task` awaiter ([`TaskWait`]).
#[derive(Default)]
struct Awaiter {
    slot: WaiterSlot,
    delegated: RefCell<Option<CancelledError>>,
    passed_on: Cell<bool>,
}

impl AwaitState for Awaiter {
    fn slot(&self) -> &WaiterSlot {
        &self.slot
    }

    fn passed_on(&self) -> bool {
        self.passed_on.get()
    }

    fn set_passed_on(&self) {
        self.passed_on.set(true);
    }

    fn delegate(&self, cancel: CancelledError) {
        *self.delegated.borrow_mut() = Some(cancel);
    }

    fn take_delegated(&self) -> Option<CancelledError> {
        self.delegated.borrow_mut().take()
    }
}

/// The `Task` handle's own awaiter, kept in the task's header.
struct Owner<'a>(&'a TaskHeader);

impl AwaitState for Owner<'_> {
    fn slot(&self) -> &WaiterSlot {
        &self.0.owner_slot
    }

    fn passed_on(&self) -> bool {
        self.0.owner_passed_on()
    }

    fn set_passed_on(&self) {
        self.0.set_owner_passed_on();
    }

    fn delegate(&self, cancel: CancelledError) {
        self.0.set_owner_delegated(cancel);
    }

    fn take_delegated(&self) -> Option<CancelledError> {
        self.0.take_owner_delegated()
    }
}

impl<T: 'static> Task<T> {
    /// One awaiter's poll.
    ///
    /// As in CPython, cancelling a task that awaits this one is passed on:
    /// this task is cancelled and the awaiter keeps waiting. If this task
    /// catches the cancellation and returns a value, the awaiter gets the
    /// value and carries on; if it ends cancelled, the cancellation is
    /// raised in the awaiting task, where this await is.
    ///
    /// `get` takes the output from its slot (awaiting the handle itself) or
    /// clones it (awaiting `&task`, which leaves it for `result()`).
    fn poll_join(
        &self,
        awaiter: &impl AwaitState,
        get: fn(&mut Option<T>) -> Option<T>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<T, Error>> {
        if awaiter.passed_on() {
            return Poll::Pending;
        }
        let header = self.task.raw.header();
        if context::delivering() {
            if header.request_cancel(context::delivery_message()) {
                awaiter.delegate(context::claim());
                header
                    .waiters
                    .borrow_mut()
                    .register(awaiter.slot(), cx.waker());
                delivery::note_point();
            }
            // Otherwise (the task is finishing) the cancellation goes on
            // up; this await does not complete, so no output is lost.
            return Poll::Pending;
        }
        if !header.is_done() {
            // Awaited elsewhere, it could never run: say so, never hang.
            if !awaiter.slot().is_set() && !context::is_running(&header.core) {
                return Poll::Ready(Err(RuntimeError::DifferentLoop.into()));
            }
            header
                .waiters
                .borrow_mut()
                .register(awaiter.slot(), cx.waker());
            delivery::note_point();
            return Poll::Pending;
        }
        awaiter.slot().clear();
        let delegated = awaiter.take_delegated();
        if let Some(cancel) = delegated
            && header.is_cancelled()
        {
            // The request is handed back, not made anew: the count stays.
            awaiter.set_passed_on();
            delivery::raise(cancel);
            return Poll::Pending;
        }
        Poll::Ready(self.outcome(get))
    }

    /// Awaits the task without passing a cancellation on to it (`shield`):
    /// not a cancellation point, so a cancellation of the awaiter is taken
    /// above it and this await is dropped.
    pub(crate) fn poll_shielded(&self, cx: &mut Context<'_>) -> Poll<Result<T, Error>> {
        let header = self.task.raw.header();
        if !header.is_done() {
            header
                .waiters
                .borrow_mut()
                .register(&header.owner_slot, cx.waker());
            return Poll::Pending;
        }
        header.owner_slot.clear();
        Poll::Ready(self.outcome(Option::take))
    }

    fn forget_waiter(&self, awaiter: &Awaiter) {
        self.task.raw.header().forget_waiter(&awaiter.slot);
    }
}

impl<T: 'static> Future for Task<T> {
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.poll_join(&Owner(self.task.raw.header()), Option::take, cx)
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        let header = self.task.raw.header();
        header.forget_waiter(&header.owner_slot);
    }
}

/// Awaiting `&task` keeps the handle: `(&task).await` gives a clone of the
/// output and leaves it in the task, for `result()` and other awaiters (as
/// Python's `await task`, any number of times). Await the handle itself to
/// move the output out (no `Clone` needed).
impl<'a, T: Clone + 'static> IntoFuture for &'a Task<T> {
    type Output = Result<T, Error>;
    type IntoFuture = TaskWait<'a, T>;

    fn into_future(self) -> TaskWait<'a, T> {
        TaskWait {
            task: self,
            awaiter: Awaiter::default(),
        }
    }
}

/// The future of `(&task).await`; see [`Task`]. Each awaiter gets a clone
/// of the output, which stays in the task.
///
/// ```
/// asyncio::run(async {
///     let task = asyncio::create_task(async { 5 });
///     let first = (&task).await.unwrap();
///     let again = (&task).await.unwrap();
///     assert_eq!((first, again), (5, 5));
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct TaskWait<'a, T: 'static> {
    task: &'a Task<T>,
    awaiter: Awaiter,
}

impl<T: Clone + 'static> Future for TaskWait<'_, T> {
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.task.poll_join(&self.awaiter, |slot| slot.clone(), cx)
    }
}

impl<T: 'static> Drop for TaskWait<'_, T> {
    fn drop(&mut self) {
        self.task.forget_waiter(&self.awaiter);
    }
}

impl<T> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.task, f)
    }
}

impl<T> fmt::Debug for TaskWait<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TaskWait").field(self.task).finish()
    }
}
