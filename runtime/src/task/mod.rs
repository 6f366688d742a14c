//! Tasks: a future scheduled on the loop (Python's `asyncio.Task`).

mod cell;
mod describe;
pub(crate) use cell::{Body, drop_future, finish, run_step};
pub(crate) use describe::describe;
mod handle;

pub use handle::{Task, TaskRef, TaskWait};

use std::future::Future;
use std::panic::Location;
use std::rc::Rc;

use crate::error::RuntimeError;
use crate::scheduler::Core;
use crate::scheduler::context;
use crate::scheduler::header::TaskSpec;
use cell::TaskCell;

/// Creates a task on `core`.
#[track_caller]
pub(crate) fn spawn<F>(
    core: &Rc<Core>,
    future: F,
    name: Option<String>,
    location: &'static Location<'static>,
) -> Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let spec = TaskSpec { name, location };
    let cell = core.spawn(spec, |header| TaskCell::new(header, future));
    Task::from_raw(cell)
}

#[track_caller]
fn running_core_or_panic(what: &str) -> Rc<Core> {
    // No closure: `#[track_caller]` reaches the user's line only directly.
    let Some(core) = context::running_core() else {
        panic!(
            "{what} needs a running event loop: {}; call it from inside \
             asyncio::run(...) or a task",
            RuntimeError::NoRunningLoop
        )
    };
    core
}

/// Schedules `future` as a task on the running loop (Python's
/// `asyncio.create_task`). The task starts after the caller yields, tasks
/// start in creation order, and the loop owns it: dropping the returned
/// handle never cancels it.
///
/// The future need not be `Send`: it may hold `Rc` and `RefCell`.
///
/// ```
/// use std::{cell::RefCell, rc::Rc};
/// asyncio::run(async {
///     let log = Rc::new(RefCell::new(Vec::new()));
///     let l = log.clone();
///     let task = asyncio::create_task(async move { l.borrow_mut().push("task runs") });
///     log.borrow_mut().push("creator first");
///     task.await.unwrap();
///     assert_eq!(*log.borrow(), ["creator first", "task runs"]);
///     // A dropped handle detaches the task: the loop still runs it.
///     drop(asyncio::create_task(async {}));
/// });
/// ```
///
/// # Panics
/// If no event loop is running on this thread.
#[track_caller]
pub fn create_task<F>(future: F) -> Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let core = running_core_or_panic("asyncio::create_task()");
    spawn(&core, future, None, Location::caller())
}

/// [`create_task`] with a name (Python's `create_task(coro, name=...)`).
///
/// ```
/// asyncio::run(async {
///     let task = asyncio::create_task_named(async {}, "worker");
///     assert_eq!(task.get_name(), "worker");
/// });
/// ```
#[track_caller]
pub fn create_task_named<F>(future: F, name: impl Into<String>) -> Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let core = running_core_or_panic("asyncio::create_task_named()");
    spawn(&core, future, Some(name.into()), Location::caller())
}

/// The task being run (Python's `asyncio.current_task()`).
///
/// `Err(NoRunningLoop)` outside a loop, `Err(NoCurrentTask)` in a loop but
/// outside a task (e.g. in a `call_soon` callback).
///
/// ```
/// assert!(asyncio::current_task().is_err()); // no loop
/// asyncio::run(async {
///     let me = asyncio::current_task().unwrap();
///     assert!(!me.done());
/// });
/// ```
///
/// # Errors
/// `NoRunningLoop` outside a loop, `NoCurrentTask` in a loop but outside a
/// task.
pub fn current_task() -> Result<TaskRef, RuntimeError> {
    if context::running_core().is_none() {
        return Err(RuntimeError::NoRunningLoop);
    }
    context::current_task()
        .map(TaskRef::new)
        .ok_or(RuntimeError::NoCurrentTask)
}

/// Every unfinished task of the running loop (Python's `asyncio.all_tasks()`).
///
/// ```
/// asyncio::run(async {
///     let _worker = asyncio::create_task_named(asyncio::sleep(1), "worker");
///     let names: Vec<String> = asyncio::all_tasks().unwrap().iter().map(|t| t.get_name()).collect();
///     assert!(names.contains(&"worker".to_owned()));
/// });
/// ```
///
/// # Errors
/// `NoRunningLoop` outside a running loop.
pub fn all_tasks() -> Result<Vec<TaskRef>, RuntimeError> {
    let core = context::running_core().ok_or(RuntimeError::NoRunningLoop)?;
    Ok(core.all_tasks().into_iter().map(TaskRef::new).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn handles_are_two_words_or_less() {
        use std::mem::size_of;
        assert!(size_of::<super::Task<u64>>() <= 16);
        assert!(size_of::<super::TaskRef>() <= 16);
        assert!(size_of::<crate::Future<u64>>() <= 16);
    }

    /// The header is allocated with every task: 104 bytes keeps a trivial
    /// task's cell in glibc's 144-byte size class (112 bytes took it to 160).
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn the_task_header_stays_small() {
        assert!(std::mem::size_of::<crate::scheduler::header::TaskHeader>() <= 104);
    }
}
