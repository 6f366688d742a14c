//! Running a body inside a manager: the `async with` statement.
//!
//! One cancellation scope covers the three steps (enter, body, exit), so a
//! cancellation reaching any of them is taken here, the step is dropped
//! (its `finally` cleanups run), and what is owed still runs: the exit
//! after a body, nothing after an enter that did not finish. Then the
//! cancellation is raised on to the parent scope.

use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, Location, catch_unwind, resume_unwind};
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

use pin_project_lite::pin_project;

use super::{AsyncContextManager, Outcome};
use crate::cancel::CatchCancelled;
use crate::error::CancelledError;
use crate::scheduler::delivery::{self, ScopeNode};
use crate::scheduler::report;

/// Runs `body` inside `manager` and returns the body's output: Python's
/// `async with manager as value: body`. `async_with!` expands to this.
///
/// The manager's exit runs however the body ends: after it returns (the
/// exit sees the value, and may replace an error or suppress it), after a
/// panic (the panic then resumes), and after a cancellation (the exit
/// finishes, awaits included, before the cancellation carries on and the
/// task reports). An exit that is itself cancelled stops there.
///
/// ```
/// asyncio::run(async {
///     let sem = asyncio::Semaphore::new(1);
///     let out = asyncio::with(&sem, async |_permit| {
///         assert!(sem.locked());
///         "done"
///     })
///     .await;
///     assert_eq!(out, "done");
///     assert!(!sem.locked());
/// });
/// ```
///
/// Dropping the returned future by hand while the body runs (a `select!`
/// branch that lost) cannot await the exit: it is polled once, which is
/// enough for the ones that do not await (a lock's), and a warning names
/// the manager whose exit did not finish. Cancel the task instead.
#[track_caller]
pub fn with<M, R, B>(manager: M, body: B) -> impl Future<Output = R>
where
    M: AsyncContextManager<R>,
    B: AsyncFnOnce(M::Value) -> R,
{
    run(manager, body, Location::caller())
}

async fn run<M, R, B>(manager: M, body: B, location: &'static Location<'static>) -> R
where
    M: AsyncContextManager<R>,
    B: AsyncFnOnce(M::Value) -> R,
{
    let node = ScopeNode::new();
    let mut owed = Owed::new(manager);
    let mut outcome = None;
    let mut panic = None;
    // The common path, the three steps in one catch point: one scope poll
    // per poll of the `async with`.
    let ran = CatchCancelled::in_node(
        async {
            let value = owed.manager_mut().aenter().await;
            owed.entered = true;
            let ended = match CatchUnwind::new(body(value)).await {
                Ok(output) => Outcome::Returned(output),
                Err(payload) => {
                    panic = Some(payload);
                    Outcome::Panicked
                }
            };
            let ended = outcome.insert(ended);
            owed.take().aexit(ended).await;
        },
        node.clone(),
        location,
    )
    .await;
    if let Err(cancelled) = ran {
        let Some(manager) = owed.manager.take().filter(|_| owed.entered) else {
            // Cancelled in the enter (nothing to exit), or in the exit,
            // which stops there; a panic of the body goes first.
            if let Some(payload) = panic {
                resume_unwind(payload);
            }
            return pass_on(cancelled).await;
        };
        // Cancelled in the body: the exit is owed, and runs to the end.
        let mut ended = Outcome::Cancelled;
        let exited = CatchCancelled::in_node(manager.aexit(&mut ended), node, location).await;
        if let Err(again) = exited {
            // The exit was cancelled in its turn: that cancellation goes on.
            return pass_on(again).await;
        }
        return match ended {
            // A value the manager put there: it took the cancellation, as
            // `timeout` does.
            Outcome::Returned(output) => output,
            Outcome::Cancelled => pass_on(cancelled).await,
            Outcome::Panicked => invented_panic::<M>(),
        };
    }
    ScopeNode::recycle(node);
    if let Some(payload) = panic {
        resume_unwind(payload);
    }
    match outcome.take() {
        Some(Outcome::Returned(output)) => output,
        // The exit turned a value into a cancellation.
        Some(Outcome::Cancelled) => pass_on(CancelledError::default()).await,
        Some(Outcome::Panicked) | None => invented_panic::<M>(),
    }
}

fn invented_panic<M>() -> ! {
    panic!(
        "the exit of `{}` set the outcome of an `async with` that did not panic to \
         `Outcome::Panicked`; an exit may replace the value or leave it, not invent a panic",
        std::any::type_name::<M>()
    )
}

/// Raises `error` to the enclosing scope (which takes it at once) and
/// waits to be dropped.
async fn pass_on<R>(error: CancelledError) -> R {
    delivery::raise(error);
    std::future::pending().await
}

/// The manager of an `async with`, and whether its enter finished: dropped
/// by hand between the two (the body running), it runs the exit as far as
/// it gets without waiting.
struct Owed<M: AsyncContextManager<R>, R> {
    manager: Option<M>,
    entered: bool,
    body: PhantomData<fn(R)>,
}

impl<M: AsyncContextManager<R>, R> Owed<M, R> {
    fn new(manager: M) -> Self {
        Owed {
            manager: Some(manager),
            entered: false,
            body: PhantomData,
        }
    }

    fn manager_mut(&mut self) -> &mut M {
        self.manager
            .as_mut()
            .expect("an `async with` enters its manager once")
    }

    fn take(&mut self) -> M {
        self.manager
            .take()
            .expect("an `async with` exits its manager once")
    }
}

impl<M: AsyncContextManager<R>, R> Drop for Owed<M, R> {
    fn drop(&mut self) {
        let Some(manager) = self.manager.take().filter(|_| self.entered) else {
            return;
        };
        let name = std::any::type_name::<M>();
        if std::thread::panicking() {
            report::warn(&format!(
                "the exit of `{name}` did not run: its `async with` was dropped during a panic"
            ));
            return;
        }
        let mut outcome = Outcome::Cancelled;
        let exit = pin!(manager.aexit(&mut outcome));
        if exit
            .poll(&mut Context::from_waker(Waker::noop()))
            .is_pending()
        {
            report::warn(&format!(
                "the exit of `{name}` did not finish: its `async with` was dropped by hand \
                 (a `select!` branch that lost?), where an exit cannot be awaited; cancel the \
                 task instead, and the exit runs to the end"
            ));
        }
    }
}

pin_project! {
    /// Polls a future, turning a panic into `Err(payload)`.
    pub(crate) struct CatchUnwind<F> {
        #[pin]
        inner: F,
    }
}

impl<F> CatchUnwind<F> {
    pub(crate) fn new(inner: F) -> Self {
        CatchUnwind { inner }
    }
}

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn Any + Send>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.project().inner;
        match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Err(payload) => Poll::Ready(Err(payload)),
        }
    }
}
