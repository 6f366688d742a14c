//! How a cancellation travels from a task's request to the catch point
//! that takes it.
//!
//! A future that takes part in delivery is a *cancellation point*: a scope
//! with an inner future (`catch_cancelled`, a timeout, a task group) or a
//! leaf that acts on a cancellation (awaiting a task, a gather, an asyncio
//! `Future`). A point that returns `Pending` says so (`note_point`), and
//! every scope — and the task itself — records after each poll whether a
//! point is left pending below it. A future's state changes only when it
//! is polled, so that record is still true when a cancellation arrives: a
//! delivery goes down only where a point waits, and a scope with none
//! below takes the cancellation without polling its inner future again.
//! (A combinator that polls only the children its own wakers woke, such as
//! `FuturesUnordered`, hides the points of the others: the scope around it
//! then takes the cancellation.)
//!
//! That is the rule that keeps values safe: nothing below the point that
//! takes a cancellation is polled while it is delivered, so no future
//! there — this crate's or a foreign one — completes only to be dropped
//! with its output. A value stays where it was (in the channel, the
//! queue), as in CPython, where the cancellation is thrown in at the await
//! the task is suspended at. A future polled in another branch on the way
//! down (a `join!` sibling) completes normally and its value reaches the
//! code.
//!
//! A scope's own cancellation (a timeout's deadline, a task group's abort)
//! is delivered into its inner future the same way. A point that passes a
//! cancellation on (an awaited task ended cancelled) raises it to its
//! parent, which takes it at once, like an exception leaving a `try`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use super::Runnable;
use super::context::{self, Delivery};
use crate::error::CancelledError;

/// A scope's place in its task's tree of cancellation points.
pub(crate) struct ScopeNode {
    /// Whether a point was left pending below at the scope's last poll.
    armed_below: Cell<bool>,
    /// A cancellation waiting for the scope's next poll.
    pending: RefCell<Option<Pending>>,
    /// False only when `pending` is surely empty: set with it, cleared when
    /// it is found empty. Spares the common poll the `RefCell`'s checks.
    maybe_pending: Cell<bool>,
    /// The waker the scope was last polled with: a combinator such as
    /// `FuturesUnordered` polls only what its own wakers woke.
    waker: RefCell<Option<Waker>>,
}

/// A cancellation addressed to one scope.
pub(crate) enum Pending {
    /// The scope's owner cancels the inner work (a deadline, a group's
    /// abort): delivered into the inner future; it vanishes if the inner
    /// future finishes first.
    Own(CancelledError),
    /// For the scope's next await (a task group returned its failures
    /// while cancelled): delivered into the inner future, or passed up if
    /// the inner future finishes first.
    Deliver(CancelledError),
    /// Raised inside the inner future and passed up: taken at once.
    Raised(CancelledError),
}

impl Pending {
    fn rank(&self) -> u8 {
        match self {
            Pending::Own(_) => 0,
            Pending::Deliver(_) => 1,
            Pending::Raised(_) => 2,
        }
    }

    fn error(&self) -> &CancelledError {
        match self {
            Pending::Own(e) | Pending::Deliver(e) | Pending::Raised(e) => e,
        }
    }

    fn into_error(self) -> CancelledError {
        match self {
            Pending::Own(e) | Pending::Deliver(e) | Pending::Raised(e) => e,
        }
    }
}

/// What polling a scope came to.
pub(crate) enum ScopePoll<T> {
    Ready(T),
    Pending,
    /// The scope takes a cancellation: its owner drops the inner future.
    Cancelled(CancelledError),
}

/// Where a cancellation raised by a point goes: the innermost scope being
/// polled, or the task itself.
pub(crate) enum Parent {
    Task(Rc<dyn Runnable>),
    Scope(Rc<ScopeNode>),
}

thread_local! {
    /// Whether a cancellation point returned `Pending` in the poll being
    /// watched (see [`watch_points`]).
    static POINT_PENDING: Cell<bool> = const { Cell::new(false) };
}

/// A cancellation point is returning `Pending`: the scope (or task)
/// polling it records that one waits below.
pub(crate) fn note_point() {
    POINT_PENDING.set(true);
}

/// Runs `poll` (a scope's or a task's poll of its future) and says whether
/// a cancellation point was left pending below.
pub(crate) fn watch_points<R>(poll: impl FnOnce() -> R) -> (R, bool) {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            POINT_PENDING.set(self.0);
        }
    }
    let restore = Restore(POINT_PENDING.replace(false));
    let output = poll();
    let below = POINT_PENDING.get();
    drop(restore);
    (output, below)
}

/// Raises a cancellation to the current parent: a scope takes it at its
/// next poll (at once, when it is polling us now); at the top the task's
/// future is dropped at its next step.
pub(crate) fn raise(error: CancelledError) {
    pass_up(Pending::Raised(error));
}

/// The innermost scope being polled: for a manager that cancels the body
/// of its `async with` itself (a timeout), the scope it is entered in.
pub(crate) fn current_scope() -> Option<Rc<ScopeNode>> {
    match context::parent() {
        Some(Parent::Scope(scope)) => Some(scope),
        _ => None,
    }
}

/// Asks for a cancellation at the current parent's next await.
pub(crate) fn deliver_later(error: CancelledError) {
    pass_up(Pending::Deliver(error));
}

fn pass_up(pending: Pending) {
    match context::parent() {
        Some(Parent::Scope(scope)) => scope.cancel(pending),
        Some(Parent::Task(task)) => {
            let raised = matches!(pending, Pending::Raised(_));
            let message = pending.error().message().map(str::to_owned);
            task.header().rearm_cancel(message, raised);
        }
        None => {}
    }
}

thread_local! {
    /// Scope nodes given back by their owner, for the next scope: an
    /// `async with` makes one per use.
    static SPARE: RefCell<Vec<Rc<ScopeNode>>> = const { RefCell::new(Vec::new()) };
}

/// How many spare nodes a thread keeps.
const SPARE_MAX: usize = 32;

impl ScopeNode {
    pub(crate) fn new() -> Rc<ScopeNode> {
        SPARE
            .try_with(|spare| spare.borrow_mut().pop())
            .ok()
            .flatten()
            .unwrap_or_else(ScopeNode::fresh)
    }

    fn fresh() -> Rc<ScopeNode> {
        Rc::new(ScopeNode {
            armed_below: Cell::new(false),
            pending: RefCell::new(None),
            maybe_pending: Cell::new(false),
            waker: RefCell::new(None),
        })
    }

    /// Gives back a node its owner is done with, for [`new`](Self::new) to
    /// hand out again; kept only if nothing else holds it and no
    /// cancellation waits in it.
    pub(crate) fn recycle(node: Rc<ScopeNode>) {
        if Rc::strong_count(&node) != 1
            || Rc::weak_count(&node) != 0
            || node.pending.borrow().is_some()
        {
            return;
        }
        node.armed_below.set(false);
        node.maybe_pending.set(false);
        node.waker.borrow_mut().take();
        let _ = SPARE.try_with(|spare| {
            let mut spare = spare.borrow_mut();
            if spare.len() < SPARE_MAX {
                spare.push(node);
            }
        });
    }

    /// Makes the next delivery go into the inner future even though this
    /// scope has not polled it yet: for a generator being closed at its
    /// `yield`, where an `async with` may wait to take the close.
    pub(crate) fn deliver_inside(&self) {
        self.armed_below.set(true);
    }

    /// Addresses a cancellation to this scope and wakes it. Of two, the
    /// stronger stays (raised over deliver over own).
    pub(crate) fn cancel(&self, pending: Pending) {
        {
            let mut slot = self.pending.borrow_mut();
            if slot.as_ref().is_none_or(|old| old.rank() < pending.rank()) {
                *slot = Some(pending);
            }
            self.maybe_pending.set(true);
        }
        if let Some(waker) = &*self.waker.borrow() {
            waker.wake_by_ref();
        }
    }

    /// After the inner future finished: a cancellation passed up to this
    /// scope that no await inside took (an own one vanishes). The owner
    /// passes it on to its parent's next await, or takes it itself.
    pub(crate) fn take_late(&self) -> Option<CancelledError> {
        if !self.maybe_pending.replace(false) {
            return None;
        }
        match self.pending.borrow_mut().take() {
            Some(Pending::Deliver(error) | Pending::Raised(error)) => Some(error),
            Some(Pending::Own(_)) | None => None,
        }
    }

    fn take_raised(&self) -> Option<CancelledError> {
        if !self.maybe_pending.get() {
            return None;
        }
        let mut slot = self.pending.borrow_mut();
        self.maybe_pending.set(slot.is_some());
        match slot.take() {
            Some(Pending::Raised(error)) => Some(error),
            other => {
                *slot = other;
                None
            }
        }
    }

    fn remember_waker(&self, waker: &Waker) {
        let mut slot = self.waker.borrow_mut();
        if !slot.as_ref().is_some_and(|w| w.will_wake(waker)) {
            *slot = Some(waker.clone());
        }
    }

    /// Polls the scope's inner future with `inner`, delivering the
    /// cancellations that reach the scope: one coming down from above, one
    /// addressed to it, or one raised inside it. On `Cancelled` the caller
    /// drops the inner future.
    pub(crate) fn poll<T>(
        self: &Rc<Self>,
        cx: &mut Context<'_>,
        inner: impl FnOnce(&mut Context<'_>) -> Poll<T>,
    ) -> ScopePoll<T> {
        if let Some(error) = self.take_raised() {
            return ScopePoll::Cancelled(error);
        }
        let from_above = context::delivering();
        // A delivery from above goes first; one addressed here waits.
        let own = if from_above || !self.maybe_pending.replace(false) {
            None
        } else {
            self.pending.borrow_mut().take()
        };
        let delivering = from_above || own.is_some();
        let take = |own: Option<Pending>| match own {
            Some(own) => own.into_error(),
            None => context::claim(),
        };
        if delivering && !self.armed_below.get() {
            // Nothing below takes cancellations: take it here, without
            // polling the inner future.
            return ScopePoll::Cancelled(take(own));
        }
        let (polled, unclaimed) = {
            // A scope's own delivery never leaks to its parent, even when
            // the inner future panics.
            let _own = own.as_ref().map(OwnDelivery::start);
            let (polled, below) = watch_points(|| context::in_scope(self, || inner(cx)));
            self.armed_below.set(below);
            (polled, delivering && context::delivering())
        };
        match polled {
            Poll::Pending if unclaimed => ScopePoll::Cancelled(take(own)),
            Poll::Ready(output) => {
                // A cancellation for the next await that the inner future
                // finished without: the owner takes it (`take_late`).
                if unclaimed && let Some(Pending::Deliver(error)) = own {
                    self.cancel(Pending::Deliver(error));
                }
                ScopePoll::Ready(output)
            }
            Poll::Pending => {
                if let Some(error) = self.take_raised() {
                    return ScopePoll::Cancelled(error);
                }
                if self.maybe_pending.get() && self.pending.borrow().is_some() {
                    cx.waker().wake_by_ref();
                }
                self.remember_waker(cx.waker());
                note_point();
                ScopePoll::Pending
            }
        }
    }
}

/// A scope's own cancellation on its way down the inner future's poll.
struct OwnDelivery;

impl OwnDelivery {
    fn start(pending: &Pending) -> OwnDelivery {
        context::set_delivery(Some(Delivery::Scope(pending.error().clone())));
        OwnDelivery
    }
}

impl Drop for OwnDelivery {
    fn drop(&mut self) {
        context::set_delivery(None);
    }
}
