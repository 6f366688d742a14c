//! `asyncio.run_coroutine_threadsafe`: submit a coroutine to a loop from
//! any thread and wait for it there with a `concurrent.futures.Future`.

use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, Location, catch_unwind};
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use pin_project_lite::pin_project;

use crate::error::{
    CancelledError, Error, InvalidStateError, PanicError, RuntimeError, TimeoutError,
};
use crate::event_loop::LoopHandle;
use crate::scheduler::Core;
use crate::scheduler::context;
use crate::scheduler::report;
use crate::task::{self, TaskRef};

const TAKEN: InvalidStateError = InvalidStateError::new("the result was already taken by result()");

enum Outcome<T> {
    Pending,
    Done(Result<T, Error>),
    /// `result()` took the value.
    Taken,
}

struct Inner<T> {
    outcome: Outcome<T>,
    /// The task's waker, once the task runs: `cancel()` wakes it.
    task_waker: Option<Waker>,
    /// Whether an error outcome was looked at.
    retrieved: bool,
}

struct State<T> {
    inner: Mutex<Inner<T>>,
    done: Condvar,
    /// Set by `cancel()`; the task cancels itself when it sees it.
    cancel: AtomicBool,
    /// The thread of the loop the coroutine runs on.
    owner: ThreadId,
}

impl<T> State<T> {
    fn lock(&self) -> MutexGuard<'_, Inner<T>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<T> Drop for State<T> {
    fn drop(&mut self) {
        let inner = self.inner.get_mut().unwrap_or_else(|e| e.into_inner());
        if let Outcome::Done(Err(Error::Panicked(panic))) = &inner.outcome
            && !inner.retrieved
        {
            report::error(&format!(
                "the panic of a coroutine run with run_coroutine_threadsafe was never \
                 retrieved: {}",
                panic.message()
            ));
        }
    }
}

/// The handle [`run_coroutine_threadsafe`] returns (Python's
/// `concurrent.futures.Future`): usable from any thread, it waits for the
/// coroutine's outcome by blocking the calling thread.
///
/// Dropping the handle does not cancel the task; the loop runs it on.
///
/// ```
/// use std::time::Duration;
/// let lp = asyncio::EventLoop::new().unwrap();
/// let handle = lp.handle();
/// let caller = std::thread::spawn(move || {
///     let fut = asyncio::run_coroutine_threadsafe(|| asyncio::sleep(3600), &handle);
///     let waited = fut.result(Some(Duration::from_millis(10)));
///     assert!(waited.unwrap_err().is_timeout()); // the task keeps running
///     assert!(fut.cancel()); // ... until cancelled
///     assert!(fut.done() && fut.cancelled());
///     assert!(fut.result(None).unwrap_err().is_cancelled());
///     handle.stop();
/// });
/// lp.run_forever().unwrap();
/// caller.join().unwrap();
/// lp.run_until_complete(asyncio::sleep(0.01)).unwrap(); // the task ends cancelled
/// assert!(lp.all_tasks().is_empty());
/// lp.close().unwrap();
/// ```
pub struct ConcurrentFuture<T> {
    state: Arc<State<T>>,
}

/// Submits a coroutine to the loop behind `event_loop` from any thread
/// (Python's `asyncio.run_coroutine_threadsafe(coro, loop)`): the loop runs
/// it as a task, and the returned [`ConcurrentFuture`] gives its outcome to
/// this thread.
///
/// `make` is the coroutine's factory (`|| async { ... }`, `|| fetch(url)`):
/// it is sent to the loop's thread and called there, so the future it
/// returns need not be `Send` — the runtime's own futures (`sleep`, queue
/// and lock waits, ...) are not — and only the output crosses back. A
/// future that is `Send` already is passed as `move || fut`. A panic in
/// `make` or in the coroutine is the outcome `Err(Panicked)`.
///
/// The loop need not be running yet: the task starts when it runs. If the
/// loop is closed (or closes before the task finishes) the outcome is
/// `Err(Runtime(Closed))`.
///
/// ```
/// let lp = asyncio::EventLoop::new().unwrap();
/// let handle = lp.handle();
/// let caller = std::thread::spawn(move || {
///     // Python: asyncio.run_coroutine_threadsafe(asyncio.sleep(0.01, result=3), loop)
///     let fut = asyncio::run_coroutine_threadsafe(
///         || async {
///             asyncio::sleep(0.01).await;
///             3
///         },
///         &handle,
///     );
///     let out = fut.result(Some(std::time::Duration::from_secs(10)));
///     handle.stop();
///     out
/// });
/// lp.run_forever().unwrap();
/// assert_eq!(caller.join().unwrap().unwrap(), 3);
/// lp.close().unwrap();
/// ```
#[track_caller]
pub fn run_coroutine_threadsafe<M, Fut>(
    make: M,
    event_loop: &LoopHandle,
) -> ConcurrentFuture<Fut::Output>
where
    M: FnOnce() -> Fut + Send + 'static,
    Fut: Future + 'static,
    Fut::Output: Send + 'static,
{
    let location = Location::caller();
    let state = Arc::new(State {
        inner: Mutex::new(Inner {
            outcome: Outcome::Pending,
            task_waker: None,
            retrieved: false,
        }),
        done: Condvar::new(),
        cancel: AtomicBool::new(false),
        owner: event_loop.shared.owner(),
    });
    let completer = Completer(state.clone());
    // Refused by a closed loop: the callback, and with it the completer, is
    // dropped, which sets `Err(Closed)`.
    let _ = event_loop.call_soon_threadsafe(move || start(make, completer, location));
    ConcurrentFuture { state }
}

/// Runs on the loop's thread: creates the task.
fn start<M, Fut>(make: M, completer: Completer<Fut::Output>, location: &'static Location<'static>)
where
    M: FnOnce() -> Fut,
    Fut: Future + 'static,
    Fut::Output: Send + 'static,
{
    if completer.0.cancel.load(Ordering::Acquire) {
        return; // Cancelled before it started: the body never runs.
    }
    let Some(core) = context::running_core() else {
        return; // Not reached: callbacks run on their loop. Dropping completes.
    };
    let future = match catch_unwind(AssertUnwindSafe(make)) {
        Ok(future) => future,
        Err(payload) => {
            completer.complete(Err(Error::Panicked(PanicError::new(payload))));
            return;
        }
    };
    let completer = Rc::new(completer);
    let forward = Forward {
        inner: future,
        completer: completer.clone(),
        watching: false,
        forwarded: false,
    };
    let task = task::spawn(&core, forward, None, location);
    let core = Rc::downgrade(&core);
    task.add_done_callback(move |task| completer.task_done(task, &core));
}

/// The loop's side of a [`ConcurrentFuture`]. Dropped unfinished (the loop
/// closed or was dropped first), it completes with `Err(Closed)`.
struct Completer<T>(Arc<State<T>>);

impl<T> Completer<T> {
    /// Sets the outcome unless one is set (a `cancel()` won: as in Python,
    /// the task's own outcome is then dropped).
    fn complete(&self, outcome: Result<T, Error>) {
        let mut inner = self.0.lock();
        if let Outcome::Pending = inner.outcome {
            inner.outcome = Outcome::Done(outcome);
            inner.task_waker = None;
            drop(inner);
            self.0.done.notify_all();
        } else if let Err(Error::Panicked(panic)) = &outcome {
            drop(inner);
            report::error(&format!(
                "a coroutine run with run_coroutine_threadsafe panicked after its \
                 ConcurrentFuture was cancelled: {}",
                panic.message()
            ));
        }
    }

    /// The task ended: pass on a failure (a success was already set).
    fn task_done(&self, task: &TaskRef, core: &Weak<Core>) {
        let error = match task.exception() {
            Ok(None) => return,
            Ok(Some(error)) => error,
            Err(Error::Cancelled(_)) if core.upgrade().is_none_or(|core| core.is_closed()) => {
                RuntimeError::Closed.into()
            }
            Err(error) => error,
        };
        self.complete(Err(error));
    }
}

impl<T> Drop for Completer<T> {
    fn drop(&mut self) {
        self.complete(Err(RuntimeError::Closed.into()));
    }
}

pin_project! {
    /// The task's future: the coroutine, plus forwarding `cancel()` from
    /// other threads as a cancellation request of this task.
    struct Forward<F: Future> {
        #[pin]
        inner: F,
        completer: Rc<Completer<F::Output>>,
        watching: bool,
        forwarded: bool,
    }
}

impl<F: Future> Future for Forward<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.project();
        let state = &this.completer.0;
        if !*this.watching {
            *this.watching = true;
            // Under the lock: either `cancel()` sees this waker, or we see
            // its flag below.
            let mut inner = state.lock();
            if !state.cancel.load(Ordering::Acquire) {
                inner.task_waker = Some(cx.waker().clone());
            }
        }
        if !*this.forwarded && state.cancel.load(Ordering::Acquire) {
            *this.forwarded = true;
            // Python's `task.cancel()` on the loop: a request (it wakes the
            // task) delivered at the next step, where the coroutine may
            // catch it. The coroutine is still polled now, so the step
            // sees where its catch points are.
            if let Some(task) = context::current_task() {
                task.header().request_cancel(None);
            }
        }
        match this.inner.poll(cx) {
            Poll::Ready(output) => {
                this.completer.complete(Ok(output));
                Poll::Ready(())
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T> ConcurrentFuture<T> {
    /// Blocks this thread until the coroutine finishes, for at most
    /// `timeout` (`None`: no limit), and returns its output (Python's
    /// `future.result(timeout)`).
    ///
    /// Errors: `Timeout` if the time ran out (the task keeps running; call
    /// again), `Cancelled`, `Panicked`, `Runtime(Closed)` if the loop closed
    /// first, `InvalidState` if an earlier call already took the value.
    /// Called on the loop's own thread while the coroutine is unfinished it
    /// returns `Err(Runtime(WouldDeadlock))` at once instead of blocking the
    /// thread that must run it forever.
    ///
    /// ```
    /// use std::time::Duration;
    /// let lp = asyncio::EventLoop::new().unwrap();
    /// let handle = lp.handle();
    /// let client = std::thread::spawn(move || {
    ///     let fut = asyncio::run_coroutine_threadsafe(|| async { 6 * 7 }, &handle);
    ///     let out = fut.result(Some(Duration::from_secs(10)));
    ///     handle.stop();
    ///     out
    /// });
    /// lp.run_forever().unwrap();
    /// assert_eq!(client.join().unwrap().unwrap(), 42);
    /// lp.close().unwrap();
    /// ```
    ///
    /// # Errors
    /// `Timeout` if the time ran out (the task keeps running; call again),
    /// `Cancelled`, `Panicked`, `Runtime(Closed)` if the loop closed first,
    /// `InvalidState` if an earlier call already took the value,
    /// `Runtime(WouldDeadlock)` on the loop's own thread while the coroutine is
    /// unfinished.
    pub fn result(&self, timeout: Option<Duration>) -> Result<T, Error> {
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        let mut inner = self.state.lock();
        loop {
            match std::mem::replace(&mut inner.outcome, Outcome::Taken) {
                Outcome::Done(Ok(value)) => return Ok(value),
                Outcome::Done(Err(error)) => {
                    inner.outcome = Outcome::Done(Err(error.clone()));
                    inner.retrieved = true;
                    return Err(error);
                }
                Outcome::Taken => return Err(TAKEN.into()),
                Outcome::Pending => inner.outcome = Outcome::Pending,
            }
            if std::thread::current().id() == self.state.owner {
                return Err(RuntimeError::WouldDeadlock.into());
            }
            inner = match deadline {
                None => self
                    .state
                    .done
                    .wait(inner)
                    .unwrap_or_else(|e| e.into_inner()),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return Err(TimeoutError.into());
                    }
                    self.state
                        .done
                        .wait_timeout(inner, deadline - now)
                        .unwrap_or_else(|e| e.into_inner())
                        .0
                }
            };
        }
    }

    /// Cancels the coroutine (Python's `future.cancel()`): this handle is
    /// cancelled at once, and the loop's task gets a cancellation request
    /// (delivered at its current await, where it may clean up; a task that
    /// has not started never runs). Returns false if the outcome was
    /// already set.
    ///
    /// As in Python, the handle stays cancelled even if the task catches the
    /// cancellation and finishes with a value; that value is dropped.
    ///
    /// ```
    /// let lp = asyncio::EventLoop::new().unwrap();
    /// let fut = asyncio::run_coroutine_threadsafe(|| asyncio::sleep(3600), &lp.handle());
    /// assert!(fut.cancel());
    /// assert!(fut.cancelled() && fut.done());
    /// lp.run_until_complete(asyncio::sleep(0.01)).unwrap(); // it never runs
    /// lp.close().unwrap();
    /// ```
    pub fn cancel(&self) -> bool {
        let waker = {
            let mut inner = self.state.lock();
            if !matches!(inner.outcome, Outcome::Pending) {
                return false;
            }
            inner.outcome = Outcome::Done(Err(Error::Cancelled(CancelledError::new(None))));
            self.state.cancel.store(true, Ordering::Release);
            inner.task_waker.take()
        };
        self.state.done.notify_all();
        if let Some(waker) = waker {
            waker.wake();
        }
        true
    }

    /// Whether the outcome is set (a result, an error, or cancelled).
    ///
    /// ```
    /// let lp = asyncio::EventLoop::new().unwrap();
    /// let fut = asyncio::run_coroutine_threadsafe(|| async {}, &lp.handle());
    /// assert!(!fut.done());
    /// lp.run_until_complete(asyncio::sleep(0.01)).unwrap();
    /// assert!(fut.done());
    /// lp.close().unwrap();
    /// ```
    pub fn done(&self) -> bool {
        !matches!(self.state.lock().outcome, Outcome::Pending)
    }

    /// Whether the handle was cancelled (by [`cancel`](Self::cancel), or the
    /// task ended cancelled).
    ///
    /// ```
    /// let lp = asyncio::EventLoop::new().unwrap();
    /// let fut = asyncio::run_coroutine_threadsafe(|| async {}, &lp.handle());
    /// assert!(!fut.cancelled());
    /// fut.cancel();
    /// assert!(fut.cancelled());
    /// lp.close().unwrap();
    /// ```
    pub fn cancelled(&self) -> bool {
        matches!(
            self.state.lock().outcome,
            Outcome::Done(Err(Error::Cancelled(_)))
        )
    }
}

impl<T> fmt::Debug for ConcurrentFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state.lock().outcome {
            Outcome::Pending => "pending".to_owned(),
            Outcome::Done(Ok(_)) | Outcome::Taken => "finished".to_owned(),
            Outcome::Done(Err(Error::Cancelled(_))) => "cancelled".to_owned(),
            Outcome::Done(Err(error)) => format!("finished error={error}"),
        };
        write!(f, "<ConcurrentFuture {state}>")
    }
}
