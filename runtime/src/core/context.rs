//! Per-thread state: the running loop, the task being polled, whether a
//! cancellation request is being delivered, and where async cleanups
//! released by a cancellation drop are collected.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use super::shared::Shared;
use super::slab::Key;
use super::{Core, Runnable};

/// An async cleanup handed to the loop: runs to completion in the task that
/// dropped its guard.
pub(crate) type Cleanup = Pin<Box<dyn Future<Output = ()>>>;

struct Context {
    running: RefCell<Option<Rc<Core>>>,
    task: RefCell<Option<Rc<dyn Runnable>>>,
    /// True while the current task's cancellation request is unclaimed.
    delivering: Cell<bool>,
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
            delivering: Cell::new(false),
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
    let previous = CX.with(|cx| {
        let previous = cx.task.replace(Some(task));
        (previous, cx.delivering.replace(false))
    });
    TaskGuard { previous }
}

pub(crate) struct TaskGuard {
    previous: (Option<Rc<dyn Runnable>>, bool),
}

impl Drop for TaskGuard {
    fn drop(&mut self) {
        let (task, delivering) = (self.previous.0.take(), self.previous.1);
        let _ = CX.try_with(|cx| {
            cx.delivering.set(delivering);
            cx.task.replace(task)
        });
    }
}

/// The task being polled on this thread, if any.
pub(crate) fn current_task() -> Option<Rc<dyn Runnable>> {
    CX.try_with(|cx| cx.task.borrow().clone()).ok().flatten()
}

/// Whether the current task has a cancellation request nobody claimed yet.
///
/// While this is true the runtime's own leaf futures refuse to complete, so
/// nothing they would hand over is lost when a catch point drops them.
pub(crate) fn delivering() -> bool {
    CX.try_with(|cx| cx.delivering.get()).unwrap_or(false)
}

pub(crate) fn set_delivering(on: bool) {
    let _ = CX.try_with(|cx| cx.delivering.set(on));
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
