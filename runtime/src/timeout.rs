//! Timeouts: Python's `asyncio.timeout()` scope and `asyncio.wait_for()`.
//!
//! As in CPython 3.12, a timeout cancels the task running the scope when
//! its deadline passes, and the scope's own catch point turns that
//! cancellation into `TimeoutError` — after the inner work's async cleanups
//! have finished. If the inner work catches the cancellation and returns a
//! value, the value is returned. A cancellation from outside (counted with
//! `cancelling()`/`uncancel()`) is passed on, never reported as a timeout.

use std::cell::{Cell, RefCell};
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::cancel::{CatchCancelled, catch_cancelled};
use crate::error::{CancelledError, InvalidStateError, TimeoutError};
use crate::handle::TimerHandle;
use crate::scheduler::Core;
use crate::scheduler::clock::{nanos_to_secs, secs_to_nanos};
use crate::scheduler::context;
use crate::scheduler::delivery::{self, Pending, ScopeNode};
use crate::sleep::Delay;
use crate::task::TaskRef;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Made, not yet awaited.
    Created,
    /// Its scope is running.
    Entered,
    /// The deadline passed and the task was cancelled; not yet handled.
    Expiring,
    /// The deadline passed and the scope handled it.
    Expired,
    /// The scope finished in time.
    Exited,
}

struct State {
    core: Weak<Core>,
    /// Loop time in nanoseconds; `u64::MAX` is "never".
    deadline: Cell<u64>,
    phase: Cell<Phase>,
    task: RefCell<Option<TaskRef>>,
    /// The task's `cancelling()` count when the scope was entered.
    cancelling_at_entry: Cell<u32>,
    /// The scope's catch point, which the deadline cancels.
    node: RefCell<Option<Rc<ScopeNode>>>,
    timer: RefCell<Option<TimerHandle>>,
}

/// A reschedulable deadline for a scope (Python's `asyncio.Timeout`),
/// made by [`timeout`] or [`timeout_at`]; run a future under it with
/// [`Timeout::run`].
///
/// ```
/// asyncio::Runner::new().virtual_time(true).run(async {
///     let scope = asyncio::timeout(1.0);
///     let out = scope.run(asyncio::sleep(3600)).await;
///     assert!(out.is_err() && scope.expired());
///
///     let scope = asyncio::timeout(1.0);
///     let out = scope
///         .run(async {
///             asyncio::sleep(0.5).await;
///             "in time"
///         })
///         .await;
///     assert_eq!(out, Ok("in time"));
///     assert!(!scope.expired());
/// });
/// ```
#[derive(Clone)]
pub struct Timeout {
    state: Rc<State>,
}

/// A timeout `delay` from now on the running loop (Python's `asyncio.timeout`).
///
/// ```
/// asyncio::Runner::new().virtual_time(true).run(async {
///     let scope = asyncio::timeout(2);
///     let out = scope.run(asyncio::sleep(10)).await;
///     assert_eq!(out, Err(asyncio::TimeoutError));
///     assert!(scope.expired());
/// });
/// ```
///
/// # Panics
/// If no event loop is running on this thread.
#[track_caller]
pub fn timeout(delay: impl Into<Delay>) -> Timeout {
    let core = running_core("asyncio::timeout()");
    let deadline = core.clock.now().saturating_add(delay.into().0);
    Timeout::with_deadline(&core, deadline)
}

/// A timeout at loop time `when`; `f64::INFINITY` never expires (Python's
/// `asyncio.timeout_at`).
///
/// ```
/// asyncio::Runner::new().virtual_time(true).run(async {
///     let lp = asyncio::get_running_loop().unwrap();
///     let scope = asyncio::timeout_at(lp.time() + 1.0);
///     assert_eq!(scope.when(), Some(1.0));
///     assert!(scope.run(asyncio::sleep(5)).await.is_err());
///     assert_eq!(lp.time(), 1.0);
/// });
/// ```
///
/// # Panics
/// If no event loop is running on this thread, or `when` is NaN.
#[track_caller]
pub fn timeout_at(when: f64) -> Timeout {
    let core = running_core("asyncio::timeout_at()");
    Timeout::with_deadline(&core, secs_to_nanos(when))
}

/// Awaits `fut` for at most `delay` (Python's `asyncio.wait_for`).
///
/// On expiry `fut` is cancelled (dropped at its current await, its
/// [`finally`](crate::finally) cleanups run to completion) and the result is
/// `Err(TimeoutError)`; if `fut` catches the cancellation and returns a
/// value, that value is returned. With `delay <= 0` the result is
/// `Err(TimeoutError)` at once and `fut` never starts (CPython 3.12); a
/// [`timeout`] scope of 0 still starts its body.
///
/// ```
/// asyncio::Runner::new().virtual_time(true).run(async {
///     let slow = async {
///         asyncio::sleep(5).await;
///         "done"
///     };
///     match asyncio::wait_for(slow, 2).await {
///         Ok(v) => println!("{v}"),
///         Err(asyncio::TimeoutError) => println!("Timeout exceed"),
///     }
/// });
/// ```
///
/// # Panics
/// If no event loop is running on this thread.
#[track_caller]
pub fn wait_for<F: IntoFuture>(fut: F, delay: impl Into<Delay>) -> TimeoutFuture<F::IntoFuture> {
    // As in CPython, the deadline is taken when the wait starts.
    let mut fut = timeout(Delay(u64::MAX)).run(fut);
    fut.delay = Some(delay.into().0);
    fut
}

#[track_caller]
fn running_core(what: &str) -> Rc<Core> {
    // No closure: `#[track_caller]` reaches the user's line only directly.
    let Some(core) = context::running_core() else {
        panic!("{what} needs a running event loop: no running event loop")
    };
    core
}

impl Timeout {
    fn with_deadline(core: &Rc<Core>, deadline: u64) -> Self {
        Timeout {
            state: Rc::new(State {
                core: Rc::downgrade(core),
                deadline: Cell::new(deadline),
                phase: Cell::new(Phase::Created),
                task: RefCell::new(None),
                cancelling_at_entry: Cell::new(0),
                node: RefCell::new(None),
                timer: RefCell::new(None),
            }),
        }
    }

    /// Runs `fut` under this deadline: `Ok(output)`, or `Err(TimeoutError)`
    /// if the deadline passed first.
    ///
    /// ```
    /// asyncio::Runner::new().virtual_time(true).run(async {
    ///     let scope = asyncio::timeout(5);
    ///     let out = scope.run(async { asyncio::sleep(1).await; "in time" }).await;
    ///     assert_eq!(out, Ok("in time"));
    /// });
    /// ```
    ///
    /// # Panics
    /// When awaited outside a task, or if the timeout was already used.
    #[track_caller]
    pub fn run<F: IntoFuture>(&self, fut: F) -> TimeoutFuture<F::IntoFuture> {
        TimeoutFuture {
            scope: self.clone(),
            inner: catch_cancelled(fut.into_future()),
            passing_on: false,
            delay: None,
        }
    }

    /// The deadline in loop time, `None` for never.
    ///
    /// ```
    /// asyncio::Runner::new().virtual_time(true).run(async {
    ///     assert_eq!(asyncio::timeout(2).when(), Some(2.0));
    ///     assert_eq!(asyncio::timeout_at(f64::INFINITY).when(), None);
    /// });
    /// ```
    pub fn when(&self) -> Option<f64> {
        match self.state.deadline.get() {
            u64::MAX => None,
            nanos => Some(nanos_to_secs(nanos)),
        }
    }

    /// Moves the deadline (`None`: never). An error once the timeout has
    /// expired or its scope has exited.
    ///
    /// ```
    /// asyncio::Runner::new().virtual_time(true).run(async {
    ///     let lp = asyncio::get_running_loop().unwrap();
    ///     let scope = asyncio::timeout(1);
    ///     let s = scope.clone();
    ///     let out = scope
    ///         .run(async move {
    ///             s.reschedule(Some(lp.time() + 10.0)).unwrap(); // more time
    ///             asyncio::sleep(5).await;
    ///             "finished"
    ///         })
    ///         .await;
    ///     assert_eq!(out, Ok("finished"));
    ///     assert!(scope.reschedule(None).is_err()); // the scope is over
    /// });
    /// ```
    ///
    /// # Errors
    /// [`InvalidStateError`] once the timeout has expired or its scope has
    /// exited.
    #[track_caller]
    pub fn reschedule(&self, when: Option<f64>) -> Result<(), InvalidStateError> {
        let state = &self.state;
        if !matches!(state.phase.get(), Phase::Created | Phase::Entered) {
            return Err(InvalidStateError::TIMEOUT_FINISHED);
        }
        state.deadline.set(when.map_or(u64::MAX, secs_to_nanos));
        if state.phase.get() == Phase::Entered {
            self.disarm();
            self.arm();
        }
        Ok(())
    }

    /// Whether the deadline passed while the scope ran.
    ///
    /// ```
    /// asyncio::Runner::new().virtual_time(true).run(async {
    ///     let quick = asyncio::timeout(1);
    ///     let _ = quick.run(asyncio::sleep(0.5)).await;
    ///     assert!(!quick.expired());
    ///     let slow = asyncio::timeout(1);
    ///     let _ = slow.run(asyncio::sleep(2)).await;
    ///     assert!(slow.expired());
    /// });
    /// ```
    pub fn expired(&self) -> bool {
        matches!(self.state.phase.get(), Phase::Expiring | Phase::Expired)
    }

    /// Sets the deadline `delay` nanoseconds from now.
    fn start_in(&self, delay: u64) {
        if let Some(core) = self.state.core.upgrade() {
            let deadline = core.clock.now().saturating_add(delay);
            self.state.deadline.set(deadline);
        }
    }

    pub(crate) fn enter(&self, node: &Rc<ScopeNode>) {
        let state = &self.state;
        assert!(
            state.phase.get() == Phase::Created,
            "an asyncio timeout can only run one scope"
        );
        let task = context::current_task()
            .map(TaskRef::new)
            .expect("an asyncio timeout must be awaited inside a task");
        state.cancelling_at_entry.set(task.cancelling());
        *state.task.borrow_mut() = Some(task);
        *state.node.borrow_mut() = Some(node.clone());
        state.phase.set(Phase::Entered);
        self.arm();
    }

    fn arm(&self) {
        let state = &self.state;
        let Some(core) = state.core.upgrade() else {
            return;
        };
        let when = state.deadline.get();
        if when == u64::MAX {
            return;
        }
        let weak = Rc::downgrade(&self.state);
        let fire = Box::new(move || {
            if let Some(state) = weak.upgrade() {
                Timeout { state }.on_deadline();
            }
        });
        // A deadline already past fires on the next iteration, as CPython's.
        let when = when.max(core.clock.now());
        let cell = core.call_at(when, fire);
        *state.timer.borrow_mut() = Some(TimerHandle::new(cell, when, Rc::downgrade(&core)));
    }

    fn disarm(&self) {
        let timer = self.state.timer.borrow_mut().take();
        if let Some(timer) = timer {
            timer.cancel();
        }
    }

    fn on_deadline(&self) {
        let state = &self.state;
        if state.phase.get() != Phase::Entered {
            return;
        }
        state.phase.set(Phase::Expiring);
        // CPython cancels the task; the request is counted on it, and
        // delivered into this scope only (not to a sibling branch).
        if let Some(task) = &*state.task.borrow() {
            task.raw.header().add_cancel_count();
        }
        if let Some(node) = &*state.node.borrow() {
            node.cancel(Pending::Own(CancelledError::new(None)));
        }
    }

    /// The scope ended; returns whether a cancellation that ended it was
    /// this timeout's own (and so is reported as `TimeoutError`).
    pub(crate) fn exit(&self) -> bool {
        let state = &self.state;
        self.disarm();
        match state.phase.get() {
            Phase::Expiring => {
                state.phase.set(Phase::Expired);
                state.node.borrow_mut().take();
                let task = state.task.borrow_mut().take();
                task.is_some_and(|t| t.uncancel() <= state.cancelling_at_entry.get())
            }
            Phase::Entered => {
                state.phase.set(Phase::Exited);
                state.node.borrow_mut().take();
                state.task.borrow_mut().take();
                false
            }
            _ => false,
        }
    }
}

pin_project! {
    /// The future of [`Timeout::run`] and [`wait_for`].
    #[must_use = "futures do nothing unless awaited"]
    pub struct TimeoutFuture<F> {
        scope: Timeout,
        #[pin]
        inner: CatchCancelled<F>,
        // An outside cancellation was caught here and handed back to the
        // task; this future only waits to be dropped.
        passing_on: bool,
        // `wait_for`'s delay: the deadline is set at the first poll, and a
        // delay of 0 never starts the inner future.
        delay: Option<u64>,
    }

    impl<F> PinnedDrop for TimeoutFuture<F> {
        fn drop(this: Pin<&mut Self>) {
            // Dropped mid-scope (an outer cancellation): the timer must not
            // cancel the task later.
            let this = this.project();
            if matches!(this.scope.state.phase.get(), Phase::Entered | Phase::Expiring) {
                this.scope.exit();
            }
        }
    }
}

impl<F: Future> Future for TimeoutFuture<F> {
    type Output = Result<F::Output, TimeoutError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if *this.passing_on {
            return Poll::Pending;
        }
        if this.scope.state.phase.get() == Phase::Created {
            if let Some(delay) = *this.delay {
                if delay == 0 {
                    this.scope.state.phase.set(Phase::Expired);
                    return Poll::Ready(Err(TimeoutError));
                }
                this.scope.start_in(delay);
            }
            this.scope.enter(this.inner.node());
        }
        match this.inner.poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(output)) => {
                this.scope.exit();
                Poll::Ready(Ok(output))
            }
            Poll::Ready(Err(cancelled)) => {
                if this.scope.exit() {
                    return Poll::Ready(Err(TimeoutError));
                }
                // Not (only) ours: raised on to the enclosing catch point
                // (or the task itself).
                delivery::raise(cancelled);
                *this.passing_on = true;
                Poll::Pending
            }
        }
    }
}

impl std::fmt::Debug for Timeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timeout")
            .field("when", &self.when())
            .field("phase", &self.state.phase.get())
            .finish()
    }
}

impl<F> std::fmt::Debug for TimeoutFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimeoutFuture")
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}
