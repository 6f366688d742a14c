//! Cancellation the Python way on Rust's drop: catch points and async
//! cleanup guards.
//!
//! `Task::cancel` only records a request. At the task's next step the
//! innermost [`catch_cancelled`] on its await path drops the future it
//! wraps and returns `Err(CancelledError)`, where code may clean up, await
//! more, or carry on. A [`finally`] guard dropped by such a cancellation
//! hands its async cleanup to the loop, which runs it to completion in the
//! same task before the catch point (or the task) reports.

use std::future::{Future, IntoFuture};
use std::panic::{AssertUnwindSafe, Location, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::error::CancelledError;
use crate::scheduler::context::{self, Cleanup};
use crate::scheduler::delivery::{self, ScopeNode, ScopePoll};
use crate::scheduler::report;
use crate::task;

pin_project! {
    /// The future returned by [`catch_cancelled`].
    #[must_use = "futures do nothing unless awaited"]
    pub struct CatchCancelled<F> {
        #[pin]
        inner: Option<F>,
        // This catch point's place among the task's cancellation points.
        // (`None` only once dropped: the node went back to the spares.)
        node: Option<Rc<ScopeNode>>,
        // Async cleanups released when the inner future was dropped.
        cleanups: Vec<Cleanup>,
        error: Option<CancelledError>,
        location: &'static Location<'static>,
    }

    impl<F> PinnedDrop for CatchCancelled<F> {
        fn drop(this: Pin<&mut Self>) {
            let mut this = this.project();
            this.inner.set(None);
            for cleanup in this.cleanups.drain(..) {
                hand_over(cleanup, this.location);
            }
            // A scope no one else holds serves the next catch point.
            if let Some(node) = this.node.take() {
                ScopeNode::recycle(node);
            }
        }
    }
}

/// A catch point for cancellation: Python's `try: await fut except CancelledError:`.
///
/// If the current task is cancelled while `fut` is pending, `fut` is
/// dropped without being polled again — a value it was about to receive
/// stays where it was — its [`finally`] cleanups run to completion, and
/// this resolves to `Err(CancelledError)`; the task carries on from there and
/// ends with whatever it returns. Otherwise it resolves to `Ok(output)`.
///
/// ```
/// asyncio::run(async {
///     let task = asyncio::create_task(async {
///         match asyncio::catch_cancelled(asyncio::sleep(3600)).await {
///             Ok(()) => 0,
///             Err(_cancelled) => 42, // caught: the task ends normally
///         }
///     });
///     asyncio::sleep(0).await;
///     task.cancel();
///     assert_eq!(task.await.unwrap(), 42);
/// });
/// ```
#[track_caller]
pub fn catch_cancelled<F: Future>(fut: F) -> CatchCancelled<F> {
    CatchCancelled {
        inner: Some(fut),
        node: Some(ScopeNode::new()),
        cleanups: Vec::new(),
        error: None,
        location: Location::caller(),
    }
}

impl<F> CatchCancelled<F> {
    /// A catch point on an existing scope: the steps of an `async with`
    /// share one.
    pub(crate) fn in_node(
        fut: F,
        node: Rc<ScopeNode>,
        location: &'static Location<'static>,
    ) -> Self {
        CatchCancelled {
            inner: Some(fut),
            node: Some(node),
            cleanups: Vec::new(),
            error: None,
            location,
        }
    }

    /// This catch point's scope, for an owner that cancels the inner work
    /// itself (a timeout).
    pub(crate) fn node(&self) -> &Rc<ScopeNode> {
        self.node
            .as_ref()
            .expect("a catch point keeps its scope until dropped")
    }
}

impl<F: Future> Future for CatchCancelled<F> {
    type Output = Result<F::Output, CancelledError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        if let Some(mut inner) = this.inner.as_mut().as_pin_mut() {
            let node = this
                .node
                .as_ref()
                .expect("a catch point keeps its scope until dropped");
            match node.poll(cx, |cx| inner.as_mut().poll(cx)) {
                ScopePoll::Ready(output) => {
                    this.inner.set(None);
                    if let Some(error) = node.take_late() {
                        // For the next await: past this catch point.
                        delivery::deliver_later(error);
                    }
                    return Poll::Ready(Ok(output));
                }
                ScopePoll::Pending => return Poll::Pending,
                ScopePoll::Cancelled(error) => *this.error = Some(error),
            }
            let mut panicked = None;
            let cleanups = context::collect_cleanups(|| {
                panicked = catch_unwind(AssertUnwindSafe(|| this.inner.set(None))).err();
            });
            *this.cleanups = cleanups;
            if let Some(payload) = panicked {
                resume_unwind(payload);
            }
        }
        while let Some(first) = this.cleanups.first_mut() {
            match first.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    drop(this.cleanups.remove(0));
                }
                Poll::Pending => return Poll::Pending,
            }
        }
        match this.error.take() {
            Some(error) => Poll::Ready(Err(error)),
            None => panic!("CatchCancelled polled after it completed"),
        }
    }
}

/// An "async finally": a cleanup future that runs even when the scope
/// holding the guard is cancelled. Made by [`finally`].
///
/// On the normal path, `.await` the guard to run the cleanup there. If the
/// guard is dropped by a cancellation instead, the loop runs the cleanup to
/// completion in the same task before the cancellation is reported (so
/// `wait_for` sees it finish before returning a timeout). A guard dropped
/// any other way (an early `return`, say) has its cleanup run as a new task.
#[must_use = "the cleanup runs when the guard is awaited or dropped"]
pub struct Finally<F: Future<Output = ()> + 'static> {
    cleanup: Option<F>,
    location: &'static Location<'static>,
}

/// Registers an async cleanup for the current scope; see [`Finally`].
///
/// ```
/// use std::{cell::RefCell, rc::Rc};
/// let log = Rc::new(RefCell::new(Vec::new()));
/// let l = log.clone();
/// asyncio::run(async move {
///     let task = asyncio::create_task(async move {
///         let l2 = l.clone();
///         let _guard = asyncio::finally(async move {
///             asyncio::sleep(0.01).await; // cleanup may await
///             l2.borrow_mut().push("cleaned up");
///         });
///         asyncio::sleep(3600).await;
///     });
///     asyncio::sleep(0).await;
///     task.cancel();
///     assert!(task.await.unwrap_err().is_cancelled());
/// });
/// assert_eq!(*log.borrow(), ["cleaned up"]);
/// ```
#[track_caller]
pub fn finally<F: Future<Output = ()> + 'static>(cleanup: F) -> Finally<F> {
    Finally {
        cleanup: Some(cleanup),
        location: Location::caller(),
    }
}

impl<F: Future<Output = ()> + 'static> IntoFuture for Finally<F> {
    type Output = ();
    type IntoFuture = F;

    /// Runs the cleanup now (the normal, not-cancelled path).
    fn into_future(mut self) -> F {
        self.cleanup
            .take()
            .expect("a Finally guard holds its cleanup until used")
    }
}

impl<F: Future<Output = ()> + 'static> Drop for Finally<F> {
    fn drop(&mut self) {
        if let Some(cleanup) = self.cleanup.take() {
            hand_over(Box::pin(cleanup), self.location);
        }
    }
}

/// Gives a released cleanup to the enclosing cancellation drop, else runs
/// it as its own task, else (no loop) reports that it could not run.
pub(crate) fn hand_over(cleanup: Cleanup, location: &'static Location<'static>) {
    let Err(cleanup) = context::push_cleanup(cleanup) else {
        return;
    };
    match context::running_core() {
        Some(core) if !core.is_closed() => {
            let task = task::spawn(
                &core,
                cleanup,
                Some(format!("async cleanup from {location}")),
                location,
            );
            task.task.raw.header().mark_cleanup();
        }
        _ => report::warn(&format!(
            "the async cleanup registered at {location} was dropped outside a running \
             event loop and did not run"
        )),
    }
}

impl<F: Future<Output = ()> + 'static> std::fmt::Debug for Finally<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Finally")
            .field("location", &format_args!("{}", self.location))
            .field("armed", &self.cleanup.is_some())
            .finish()
    }
}

impl<F> std::fmt::Debug for CatchCancelled<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CatchCancelled")
            .field("location", &format_args!("{}", self.location))
            .field("pending", &self.inner.is_some())
            .finish_non_exhaustive()
    }
}
