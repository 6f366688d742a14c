//! Per-thread state: the running loop, the task being polled, the
//! cancellation being delivered down its poll and the scope it is in, and
//! where async cleanups released by a cancellation drop are collected.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use super::delivery::{Parent, ScopeNode};
use super::shared::Shared;
use super::slab::Key;
use super::{Core, Runnable};
use crate::error::CancelledError;

/// An async cleanup handed to the loop: runs to completion in the task that
/// dropped its guard.
pub(crate) type Cleanup = Pin<Box<dyn Future<Output = ()>>>;

/// A cancellation on its way down the current task's poll, unclaimed so far.
pub(crate) enum Delivery {
    /// The task's own request (`Task::cancel`); claiming it clears the request.
    Task,
    /// A scope's cancellation, delivered into its inner future.
    Scope(CancelledError),
}

struct Context {
    running: RefCell<Option<Rc<Core>>>,
    task: RefCell<Option<Rc<dyn Runnable>>>,
    delivery: RefCell<Option<Delivery>>,
    /// The innermost cancellation scope being polled in the current task.
    scope: RefCell<Option<Rc<ScopeNode>>>,
    /// `Some` while a cancellation drop is collecting async cleanups.
    collecting: RefCell<Option<Vec<Cleanup>>>,
    /// The loop `get_event_loop()` returns when none is running.
    default: RefCell<Option<Rc<Core>>>,
}

thread_local! {
    static CX: Context = const {
        Context {
            running: RefCell::new(None),
            task: RefCell::new(None),
            delivery: RefCell::new(None),
            scope: RefCell::new(None),
            collecting: RefCell::new(None),
            default: RefCell::new(None),
        }
    };
}

/// The loop running on this thread, if any.
pub(crate) fn running_core() -> Option<Rc<Core>> {
    CX.try_with(|cx| cx.running.borrow().clone()).ok().flatten()
}

/// The running loop as a weak reference (no `Rc` clone), or a dangling one.
pub(crate) fn running_core_weak() -> std::rc::Weak<Core> {
    CX.try_with(|cx| cx.running.borrow().as_ref().map(Rc::downgrade))
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// This thread's default loop, created on first use.
pub(crate) fn default_core() -> Rc<Core> {
    CX.with(|cx| {
        cx.default
            .borrow_mut()
            .get_or_insert_with(|| Core::new(Default::default()))
            .clone()
    })
}

/// Replaces this thread's default loop, returning the previous one.
pub(crate) fn set_default_core(core: Option<Rc<Core>>) -> Option<Rc<Core>> {
    CX.with(|cx| cx.default.replace(core))
}

/// Schedules `key` directly if `shared`'s loop is the one running here.
pub(crate) fn schedule_local(shared: &Arc<Shared>, key: Key) -> bool {
    CX.try_with(|cx| match &*cx.running.borrow() {
        Some(core) if Arc::ptr_eq(&core.shared, shared) => {
            core.schedule(key);
            true
        }
        _ => false,
    })
    .unwrap_or(false)
}

/// Marks `core` as this thread's running loop until the guard drops.
pub(crate) fn enter_loop(core: Rc<Core>) -> LoopGuard {
    let previous = CX.with(|cx| cx.running.replace(Some(core)));
    LoopGuard { previous }
}

pub(crate) struct LoopGuard {
    previous: Option<Rc<Core>>,
}

impl Drop for LoopGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = CX.try_with(|cx| cx.running.replace(previous));
    }
}

/// Marks `task` as the task being polled until the guard drops.
pub(crate) fn enter_task(task: Rc<dyn Runnable>) -> TaskGuard {
    CX.with(|cx| TaskGuard {
        task: cx.task.replace(Some(task)),
        delivery: cx.delivery.take(),
        scope: cx.scope.take(),
    })
}

/// Restores the task (and its delivery state) that was being polled before.
pub(crate) struct TaskGuard {
    task: Option<Rc<dyn Runnable>>,
    delivery: Option<Delivery>,
    scope: Option<Rc<ScopeNode>>,
}

impl Drop for TaskGuard {
    fn drop(&mut self) {
        let _ = CX.try_with(|cx| {
            cx.delivery.replace(self.delivery.take());
            cx.scope.replace(self.scope.take());
            cx.task.replace(self.task.take())
        });
    }
}

/// The task being polled on this thread, if any.
pub(crate) fn current_task() -> Option<Rc<dyn Runnable>> {
    CX.try_with(|cx| cx.task.borrow().clone()).ok().flatten()
}

/// Whether a cancellation is being delivered down the current poll and
/// nobody claimed it yet.
pub(crate) fn delivering() -> bool {
    CX.try_with(|cx| cx.delivery.borrow().is_some())
        .unwrap_or(false)
}

pub(crate) fn set_delivery(delivery: Option<Delivery>) {
    let _ = CX.try_with(|cx| cx.delivery.replace(delivery));
}

/// The message the cancellation being delivered carries.
pub(crate) fn delivery_message() -> Option<String> {
    let scope = CX
        .try_with(|cx| match &*cx.delivery.borrow() {
            Some(Delivery::Scope(error)) => Some(error.message().map(str::to_owned)),
            _ => None,
        })
        .ok()
        .flatten();
    match scope {
        Some(message) => message,
        None => current_task().and_then(|t| t.header().cancel_message()),
    }
}

/// Takes the cancellation being delivered: the caller is the point that
/// handles it.
///
/// # Panics
/// If none is being delivered (a bug in a cancellation point).
pub(crate) fn claim() -> CancelledError {
    match CX.with(|cx| cx.delivery.take()) {
        Some(Delivery::Scope(error)) => error,
        Some(Delivery::Task) => current_task()
            .expect("a task's cancellation is delivered inside the task")
            .header()
            .claim_cancel(),
        None => panic!("claimed a cancellation that was not being delivered"),
    }
}

/// Where a cancellation point polled now hangs: the innermost scope being
/// polled, else the current task; `None` outside a task.
pub(crate) fn parent() -> Option<Parent> {
    CX.try_with(|cx| match &*cx.scope.borrow() {
        Some(scope) => Some(Parent::Scope(scope.clone())),
        None => cx.task.borrow().clone().map(Parent::Task),
    })
    .ok()
    .flatten()
}

/// Runs `f` (a scope polling its inner future) with `scope` as the parent
/// of the points it arms.
pub(crate) fn in_scope<R>(scope: &Rc<ScopeNode>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Rc<ScopeNode>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            let _ = CX.try_with(|cx| cx.scope.replace(previous));
        }
    }
    let _restore = Restore(CX.with(|cx| cx.scope.replace(Some(scope.clone()))));
    f()
}

/// Runs `f` (which drops cancelled futures) and returns the async cleanups
/// that guards released during it.
pub(crate) fn collect_cleanups(f: impl FnOnce()) -> Vec<Cleanup> {
    let previous = CX.with(|cx| cx.collecting.replace(Some(Vec::new())));
    struct Restore(Option<Option<Vec<Cleanup>>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(previous) = self.0.take() {
                let _ = CX.try_with(|cx| cx.collecting.replace(previous));
            }
        }
    }
    let mut restore = Restore(Some(previous));
    f();
    let previous = restore.0.take().unwrap_or(None);
    CX.with(|cx| cx.collecting.replace(previous))
        .unwrap_or_default()
}

/// Hands a cleanup to the enclosing collection; gives it back if there is none.
pub(crate) fn push_cleanup(cleanup: Cleanup) -> Result<(), Cleanup> {
    let mut cleanup = Some(cleanup);
    let pushed = CX
        .try_with(|cx| match cx.collecting.borrow_mut().as_mut() {
            Some(list) => {
                list.extend(cleanup.take());
                true
            }
            None => false,
        })
        .unwrap_or(false);
    match cleanup {
        Some(cleanup) if !pushed => Err(cleanup),
        _ => Ok(()),
    }
}
