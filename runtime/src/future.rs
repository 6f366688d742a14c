//! `asyncio.Future`: a settable result that any number of tasks can await.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll};

use crate::error::{CancelledError, Error, Exception, InvalidStateError};
use crate::scheduler::Core;
use crate::scheduler::context;
use crate::scheduler::delivery;
use crate::scheduler::report;
use crate::scheduler::waiters::{CallbackId, DoneCallback, Waiter, WaiterSlot, Waiters};

enum Outcome<T> {
    Pending,
    Done(Result<T, Error>),
}

/// The shared state: one `RefCell` over the outcome and the waiters (a
/// borrow flag each took 8 more bytes; a round trip borrowed both).
struct State<T> {
    core: Weak<Core>,
    inner: RefCell<Inner<T>>,
}

struct Inner<T> {
    outcome: Outcome<T>,
    waiters: Waiters<Future<T>>,
    retrieved: Cell<bool>,
}

/// A placeholder for a result that is set later (Python's `asyncio.Future`).
///
/// Cloning gives another handle to the same future. Any number of tasks may
/// await it (each gets a clone of the result); done callbacks are scheduled
/// on the loop, never run inside `set_result`.
///
/// ```
/// asyncio::run(async {
///     let fut = asyncio::Future::new();
///     let setter = fut.clone();
///     asyncio::get_running_loop().unwrap().call_soon(move || {
///         setter.set_result("ready").unwrap();
///     });
///     assert_eq!(fut.await.unwrap(), "ready");
/// });
/// ```
pub struct Future<T> {
    state: Rc<State<T>>,
    slot: WaiterSlot,
}

impl<T: 'static> Future<T> {
    /// A pending future, bound to the running loop if there is one.
    ///
    /// Done callbacks are scheduled on the loop running when the future
    /// completes, else on the loop it is bound to; with neither, they run
    /// at once rather than being lost.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let fut = asyncio::Future::new();
    ///     let setter = fut.clone();
    ///     asyncio::create_task(async move {
    ///         asyncio::sleep(0.01).await;
    ///         setter.set_result("ready").unwrap();
    ///     });
    ///     assert_eq!(fut.await.unwrap(), "ready");
    /// });
    /// ```
    pub fn new() -> Self {
        Self::with_loop(context::running_core_weak())
    }

    pub(crate) fn on(core: &Rc<Core>) -> Self {
        Self::with_loop(Rc::downgrade(core))
    }

    fn with_loop(core: Weak<Core>) -> Self {
        Future {
            state: Rc::new(State {
                core,
                inner: RefCell::new(Inner {
                    outcome: Outcome::Pending,
                    waiters: Waiters::new(),
                    retrieved: Cell::new(false),
                }),
            }),
            slot: WaiterSlot::new(),
        }
    }

    /// Marks the future done with `value`; `Err(InvalidState)` if it is done.
    ///
    /// ```
    /// let fut = asyncio::Future::new();
    /// fut.set_result(1).unwrap();
    /// assert!(fut.set_result(2).is_err()); // only once
    /// assert_eq!(fut.result().unwrap(), 1);
    /// ```
    ///
    /// # Errors
    /// `InvalidStateError` if the future is already done.
    pub fn set_result(&self, value: T) -> Result<(), InvalidStateError> {
        self.complete(Ok(value))
    }

    /// Marks the future failed with `error`; awaiters get `Err(Error::Exception)`.
    ///
    /// ```
    /// let fut = asyncio::Future::<u8>::new();
    /// fut.set_exception(std::io::Error::other("disk full")).unwrap();
    /// let error = asyncio::run(async move { fut.await.unwrap_err() });
    /// assert_eq!(error.to_string(), "disk full");
    /// ```
    ///
    /// # Errors
    /// `InvalidStateError` if the future is already done.
    pub fn set_exception(&self, error: impl Into<Exception>) -> Result<(), InvalidStateError> {
        self.complete(Err(Error::Exception(error.into())))
    }

    /// Cancels the future; false if it was already done.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let fut = asyncio::Future::<u8>::new();
    ///     assert!(fut.cancel());
    ///     assert!(!fut.cancel()); // already done
    ///     assert!(fut.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn cancel(&self) -> bool {
        self.complete(Err(Error::Cancelled(CancelledError::new(None))))
            .is_ok()
    }

    /// Cancels with a message carried by the `CancelledError`.
    ///
    /// ```
    /// let fut = asyncio::Future::<u8>::new();
    /// fut.cancel_with("not needed");
    /// match fut.result() {
    ///     Err(asyncio::Error::Cancelled(e)) => assert_eq!(e.message(), Some("not needed")),
    ///     other => panic!("unexpected: {other:?}"),
    /// }
    /// ```
    pub fn cancel_with(&self, message: impl Into<String>) -> bool {
        let error = CancelledError::new(Some(message.into()));
        self.complete(Err(Error::Cancelled(error))).is_ok()
    }

    /// Whether the future was cancelled.
    ///
    /// ```
    /// let fut = asyncio::Future::<u8>::new();
    /// assert!(!fut.cancelled());
    /// fut.cancel();
    /// assert!(fut.cancelled() && fut.done());
    /// ```
    pub fn cancelled(&self) -> bool {
        matches!(
            &self.state.inner.borrow().outcome,
            Outcome::Done(Err(Error::Cancelled(_)))
        )
    }

    /// Whether a result, an exception or a cancellation was set.
    ///
    /// ```
    /// let fut = asyncio::Future::new();
    /// assert!(!fut.done());
    /// fut.set_result(()).unwrap();
    /// assert!(fut.done());
    /// ```
    pub fn done(&self) -> bool {
        matches!(&self.state.inner.borrow().outcome, Outcome::Done(_))
    }

    /// The result (cloned) or the error; `Err(InvalidState)` while pending.
    ///
    /// ```
    /// let fut = asyncio::Future::new();
    /// assert!(fut.result().is_err()); // pending: InvalidState
    /// fut.set_result(String::from("value")).unwrap();
    /// assert_eq!(fut.result().unwrap(), "value"); // as often as asked
    /// assert_eq!(fut.result().unwrap(), "value");
    /// ```
    ///
    /// # Errors
    /// `InvalidState` while pending; otherwise the error the future was
    /// completed with (`Cancelled`, `Exception`).
    pub fn result(&self) -> Result<T, Error>
    where
        T: Clone,
    {
        let inner = self.state.inner.borrow();
        match &inner.outcome {
            Outcome::Pending => Err(InvalidStateError::NOT_DONE.into()),
            Outcome::Done(outcome) => {
                inner.retrieved.set(true);
                outcome.clone()
            }
        }
    }

    /// Python's `exception()`: `Ok(None)` on success, `Ok(Some(e))` for an
    /// exception, `Err(Cancelled)` if cancelled, `Err(InvalidState)` if pending.
    ///
    /// ```
    /// let ok = asyncio::Future::new();
    /// ok.set_result(1).unwrap();
    /// assert!(ok.exception().unwrap().is_none());
    /// let failed = asyncio::Future::<u8>::new();
    /// failed.set_exception(std::io::Error::other("no")).unwrap();
    /// assert!(failed.exception().unwrap().is_some());
    /// ```
    ///
    /// # Errors
    /// `Cancelled` if the future was cancelled, `InvalidState` while it is
    /// pending.
    pub fn exception(&self) -> Result<Option<Error>, Error> {
        let inner = self.state.inner.borrow();
        match &inner.outcome {
            Outcome::Pending => Err(InvalidStateError::NOT_DONE.into()),
            Outcome::Done(Err(Error::Cancelled(e))) => Err(Error::Cancelled(e.clone())),
            Outcome::Done(Err(e)) => {
                inner.retrieved.set(true);
                Ok(Some(e.clone()))
            }
            Outcome::Done(Ok(_)) => Ok(None),
        }
    }

    /// Schedules `callback` once the future is done (at once if it is).
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc};
    /// asyncio::run(async {
    ///     let fut = asyncio::Future::new();
    ///     let seen = Rc::new(Cell::new(0));
    ///     let s = seen.clone();
    ///     fut.add_done_callback(move |f| s.set(f.result().unwrap()));
    ///     fut.set_result(7).unwrap();
    ///     asyncio::sleep(0).await; // callbacks run on the loop, soon after
    ///     assert_eq!(seen.get(), 7);
    /// });
    /// ```
    pub fn add_done_callback(&self, callback: impl FnOnce(&Future<T>) + 'static) -> CallbackId {
        let mut inner = self.state.inner.borrow_mut();
        if let Outcome::Done(_) = inner.outcome {
            let id = inner.waiters.fresh_id();
            drop(inner);
            self.schedule_callback(Box::new(callback));
            return id;
        }
        inner.waiters.add_callback(Box::new(callback))
    }

    /// Removes a done callback; returns how many were removed (0 or 1).
    ///
    /// ```
    /// asyncio::run(async {
    ///     let fut = asyncio::Future::new();
    ///     let id = fut.add_done_callback(|_| unreachable!("removed"));
    ///     assert_eq!(fut.remove_done_callback(id), 1);
    ///     fut.set_result(()).unwrap();
    ///     asyncio::sleep(0).await;
    /// });
    /// ```
    pub fn remove_done_callback(&self, id: CallbackId) -> usize {
        self.state.inner.borrow_mut().waiters.remove_callback(id)
    }

    /// Done with an exception (not a cancellation); nothing is marked retrieved.
    pub(crate) fn raised(&self) -> bool {
        matches!(&self.state.inner.borrow().outcome, Outcome::Done(Err(e)) if !e.is_cancelled())
    }

    /// Registers `waker` to be woken when the future completes.
    pub(crate) fn register_waiter(&self, slot: &WaiterSlot, waker: &std::task::Waker) {
        self.state.inner.borrow_mut().waiters.register(slot, waker);
    }

    /// Forgets a waker registered with `register_waiter`.
    pub(crate) fn unregister_waiter(&self, slot: &WaiterSlot) {
        if slot.is_set() {
            self.state.inner.borrow_mut().waiters.unregister(slot);
        }
    }

    fn complete(&self, outcome: Result<T, Error>) -> Result<(), InvalidStateError> {
        let waiters = {
            let mut inner = self.state.inner.borrow_mut();
            if let Outcome::Done(_) = &inner.outcome {
                return Err(InvalidStateError::ALREADY_DONE);
            }
            inner.outcome = Outcome::Done(outcome);
            // The iterator owns the entries: no borrow is held while waking.
            inner.waiters.take()
        };
        waiters.for_each(|waiter| match waiter {
            Waiter::Wake(waker) => waker.wake(),
            Waiter::Callback(_, callback) => self.schedule_callback(callback),
        });
        Ok(())
    }

    fn schedule_callback(&self, callback: DoneCallback<Future<T>>) {
        let handle = self.clone();
        let core = context::running_core().or_else(|| self.state.core.upgrade());
        match core {
            Some(core) if !core.is_closed() => {
                core.call_soon(Box::new(move || callback(&handle)));
            }
            // No loop left to schedule on: run it now rather than lose it.
            _ => callback(&handle),
        }
    }
}

impl<T: 'static> Default for Future<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Clone for Future<T> {
    fn clone(&self) -> Self {
        Future {
            state: self.state.clone(),
            slot: WaiterSlot::new(),
        }
    }
}

impl<T: Clone + 'static> std::future::Future for Future<T> {
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if context::delivering() {
            // As in CPython, cancelling a task cancels the future it awaits;
            // the cancellation goes on up to the enclosing catch point, and
            // a result set before stays in the future.
            let error = CancelledError::new(context::delivery_message());
            let _ = this.complete(Err(Error::Cancelled(error)));
            return Poll::Pending;
        }
        let mut inner = this.state.inner.borrow_mut();
        if let Outcome::Pending = inner.outcome {
            inner.waiters.register(&this.slot, cx.waker());
            drop(inner);
            delivery::note_point();
            return Poll::Pending;
        }
        inner.retrieved.set(true);
        inner.waiters.unregister(&this.slot);
        drop(inner);
        // A shared borrow for the clone: `T::clone` may look at the future.
        match &this.state.inner.borrow().outcome {
            Outcome::Done(outcome) => Poll::Ready(outcome.clone()),
            Outcome::Pending => unreachable!("a done future went back to pending"),
        }
    }
}

impl<T> Drop for Future<T> {
    fn drop(&mut self) {
        if self.slot.is_set()
            && let Ok(mut inner) = self.state.inner.try_borrow_mut()
        {
            inner.waiters.unregister(&self.slot);
        }
    }
}

impl<T> Drop for State<T> {
    fn drop(&mut self) {
        let inner = self.inner.get_mut();
        if let Outcome::Done(Err(Error::Exception(e))) = &inner.outcome
            && !inner.retrieved.get()
        {
            report::error(&format!("a future's exception was never retrieved: {e}"));
        }
    }
}

impl<T> fmt::Debug for Future<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state.inner.borrow().outcome {
            Outcome::Pending => "pending".to_string(),
            Outcome::Done(Ok(_)) => "finished".to_string(),
            Outcome::Done(Err(Error::Cancelled(_))) => "cancelled".to_string(),
            Outcome::Done(Err(e)) => format!("finished exception={e}"),
        };
        write!(f, "<Future {state}>")
    }
}

#[cfg(test)]
mod tests {
    /// One allocation per future: 88 bytes of state for a `u64` result
    /// (with the reference counts, glibc's 112-byte class; it was 128).
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn the_shared_state_stays_small() {
        assert!(std::mem::size_of::<super::State<u64>>() <= 88);
    }
}
