//! Per-thread state: the running loop, the task being polled, the
//! cancellation being delivered down its poll and the scope it is in, and
//! where async cleanups released by a cancellation drop are collected.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use super::delivery::{Parent, ScopeNode};

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

/// Which cancellation is on its way down (`Delivery` without its payload,
/// so that entering a task saves and restores a plain value).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    None,
    Task,
    Scope,
}

struct Context {
    running: RefCell<Option<Rc<Core>>>,
    task: RefCell<Option<Rc<dyn Runnable>>>,
    /// The error of a `Delivery::Scope`.
    scope_error: Cell<Option<CancelledError>>,
    /// The innermost cancellation scope being polled in the current task.
    scope: Cell<Option<Rc<ScopeNode>>>,
    /// `Some` while a cancellation drop is collecting async cleanups.
    collecting: RefCell<Option<Vec<Cleanup>>>,
    /// The loop `get_event_loop()` returns when none is running.
    default: RefCell<Option<Rc<Core>>>,
}

thread_local! {
    /// Which cancellation is on its way down: apart from `CX`, as a plain
    /// `Copy` cell needs no destructor and so costs no check per access
    /// (every scope reads it at every poll).
    static DELIVERY: Cell<Mode> = const { Cell::new(Mode::None) };

    static CX: Context = const {
        Context {
            running: RefCell::new(None),
            task: RefCell::new(None),
            scope_error: Cell::new(None),
            scope: Cell::new(None),
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

/// Whether `core` is the loop running on this thread.
pub(crate) fn is_running(core: &std::rc::Weak<Core>) -> bool {
    CX.try_with(|cx| {
        cx.running
            .borrow()
            .as_ref()
            .is_some_and(|running| std::ptr::eq(Rc::as_ptr(running), core.as_ptr()))
    })
    .unwrap_or(false)
}

/// This thread's default loop, created on first use.
pub(crate) fn default_core() -> std::io::Result<Rc<Core>> {
    CX.with(|cx| {
        let mut default = cx.default.borrow_mut();
        if let Some(core) = &*default {
            return Ok(core.clone());
        }
        let core = Core::new(Default::default())?;
        *default = Some(core.clone());
        Ok(core)
    })
}

/// Replaces this thread's default loop, returning the previous one.
pub(crate) fn set_default_core(core: Option<Rc<Core>>) -> Option<Rc<Core>> {
    CX.with(|cx| cx.default.replace(core))
}

/// Schedules `key` directly if loop `loop_id` is the one running here.
#[inline]
pub(crate) fn schedule_local(loop_id: u16, key: Key) -> bool {
    CX.try_with(|cx| match &*cx.running.borrow() {
        Some(core) if core.id == loop_id => {
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

/// Marks `task`, stepped by the loop itself, as the task being polled
/// until the guard drops. Between the loop's steps no cancellation is
/// being delivered and no scope is being polled, so only the task changes.
pub(crate) fn enter_task(task: Rc<dyn Runnable>) -> TaskGuard {
    let previous = CX.with(|cx| {
        debug_assert!(DELIVERY.get() == Mode::None, "a step inside a delivery");
        cx.task.replace(Some(task))
    });
    TaskGuard { previous }
}

/// Restores the task that was being polled before.
pub(crate) struct TaskGuard {
    previous: Option<Rc<dyn Runnable>>,
}

impl Drop for TaskGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = CX.try_with(|cx| cx.task.replace(previous));
    }
}

/// Marks `task`, stepped inside another task's poll (a task group's
/// child), as the task being polled until the guard drops; the outer
/// task's delivery state is set aside meanwhile.
pub(crate) fn enter_nested_task(task: Rc<dyn Runnable>) -> NestedTaskGuard {
    CX.with(|cx| {
        let delivery = DELIVERY.replace(Mode::None);
        NestedTaskGuard {
            task: cx.task.replace(Some(task)),
            delivery,
            // Only a scope's delivery has a payload to keep aside.
            scope_error: match delivery {
                Mode::Scope => cx.scope_error.take(),
                _ => None,
            },
            scope: cx.scope.take(),
        }
    })
}

/// Restores the task (and its delivery state) that was being polled before.
pub(crate) struct NestedTaskGuard {
    task: Option<Rc<dyn Runnable>>,
    delivery: Mode,
    scope_error: Option<CancelledError>,
    scope: Option<Rc<ScopeNode>>,
}

impl Drop for NestedTaskGuard {
    fn drop(&mut self) {
        DELIVERY.set(self.delivery);
        let _ = CX.try_with(|cx| {
            if self.delivery == Mode::Scope {
                cx.scope_error.set(self.scope_error.take());
            }
            cx.scope.set(self.scope.take());
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
#[inline]
pub(crate) fn delivering() -> bool {
    DELIVERY.get() != Mode::None
}

pub(crate) fn set_delivery(delivery: Option<Delivery>) {
    let _ = CX.try_with(|cx| match delivery {
        None => DELIVERY.set(Mode::None),
        Some(Delivery::Task) => DELIVERY.set(Mode::Task),
        Some(Delivery::Scope(error)) => {
            cx.scope_error.set(Some(error));
            DELIVERY.set(Mode::Scope);
        }
    });
}

/// The message the cancellation being delivered carries.
pub(crate) fn delivery_message() -> Option<String> {
    let scope = CX
        .try_with(|cx| match DELIVERY.get() {
            Mode::Scope => {
                let error = cx.scope_error.take();
                let message = error.as_ref().and_then(|e| e.message().map(str::to_owned));
                cx.scope_error.set(error);
                Some(message)
            }
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
    match (
        DELIVERY.replace(Mode::None),
        CX.with(|cx| cx.scope_error.take()),
    ) {
        (Mode::Scope, error) => error.unwrap_or_default(),
        (Mode::Task, _) => current_task()
            .expect("a task's cancellation is delivered inside the task")
            .header()
            .claim_cancel(),
        (Mode::None, _) => panic!("claimed a cancellation that was not being delivered"),
    }
}

/// Where a cancellation point polled now hangs: the innermost scope being
/// polled, else the current task; `None` outside a task.
pub(crate) fn parent() -> Option<Parent> {
    CX.try_with(|cx| {
        let scope = cx.scope.take();
        let parent = scope.clone().map(Parent::Scope);
        cx.scope.set(scope);
        parent.or_else(|| cx.task.borrow().clone().map(Parent::Task))
    })
    .ok()
    .flatten()
}

/// Runs `f` (a scope polling its inner future) with `scope` as the parent
/// that the points inside raise cancellations to.
pub(crate) fn in_scope<R>(scope: &Rc<ScopeNode>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Rc<ScopeNode>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            let _ = CX.try_with(|cx| cx.scope.set(previous));
        }
    }
    let _restore = Restore(CX.with(|cx| cx.scope.replace(Some(scope.clone()))));
    f()
}

/// Runs `f` (which drops cancelled futures) and returns the async cleanups
/// that guards released during it.
pub(crate) fn collect_cleanups(f: impl FnOnce()) -> Vec<Cleanup> {
    // At thread exit (a loop closed by the unclosed-loop sweep) the
    // thread's state may be gone: then nothing is collected, and released
    // cleanups are reported as not run.
    let Ok(previous) = CX.try_with(|cx| cx.collecting.replace(Some(Vec::new()))) else {
        f();
        return Vec::new();
    };
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
    CX.try_with(|cx| cx.collecting.replace(previous))
        .ok()
        .flatten()
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
