//! `asyncio.TaskGroup`: structured concurrency whose children may borrow.
//!
//! The group's children are tasks in every observable way (a [`Task`]
//! handle, a name, cancellation delivered at their own await, their own
//! timeouts), but the group polls them itself instead of handing them to
//! the loop. So a child may borrow the caller's locals: it can only run
//! while the group's future is polled, and if that future is leaked its
//! children are simply never polled again.
//!
//! The rules are CPython's: the first child failure (a panic, or an
//! `Err` from a [`create_try_task`](TaskGroup::create_try_task) child)
//! cancels the other children and the group's body; the group returns only
//! when every child is done; all failures come back together in one
//! [`TaskGroupError`]. The group's cancellation of its body is counted on
//! the task (`cancelling()`) and taken back when the group closes, so it
//! never turns into a cancellation of the task around it, whatever the body
//! awaits (CPython 3.13, gh-116720). A cancellation of the task from outside
//! cancels everything inside and is passed on as a cancellation; if
//! children failed too, the failures are returned and the cancellation is
//! delivered at the task's next await, so neither is lost.

mod child;
mod scope;

use self::child::{Child, ChildCell, ChildWaker, ReadyList};
use self::scope::TaskGroupScope;

use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Waker;

use crate::error::{CancelledError, Error, Exception};
use crate::scheduler::Runnable;
use crate::scheduler::context;
use crate::scheduler::delivery::{self, ScopeNode};
use crate::scheduler::header::{TaskHeader, TaskSpec};
use crate::task::{Task, drop_future, finish, run_step};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Running normally.
    Open,
    /// A child failed (or the task was cancelled): everything is cancelled.
    Aborting,
    /// The group returned; no more children.
    Closed,
}

struct Group<'env> {
    children: RefCell<Vec<Rc<Child<'env>>>>,
    ready: Arc<ReadyList>,
    unfinished: Cell<usize>,
    errors: RefCell<Vec<Error>>,
    phase: Cell<Phase>,
    /// The body's scope among the task's cancellation points.
    node: Rc<ScopeNode>,
    /// The task running the group, and its `cancelling()` count when the
    /// group started: cancellations beyond it come from outside.
    task: RefCell<Option<Rc<dyn Runnable>>>,
    entry_count: Cell<u32>,
    /// The group counted a cancellation request of its own (a child
    /// failed); it takes it back when it closes (CPython's `uncancel`).
    requested: Cell<bool>,
    /// The body was sent the group's cancellation.
    body_cancelled: Cell<bool>,
    /// The first cancellation that reached the group itself.
    cancel: RefCell<Option<CancelledError>>,
}

/// The handle a [`task_group`] body gets: creates children in the group.
///
/// Cloning gives another handle to the same group (to pass into children
/// that create siblings).
///
/// ```
/// asyncio::run(async {
///     let total = std::cell::Cell::new(0);
///     asyncio::task_group(async |tg| {
///         for n in 1..=3 {
///             let total = &total; // children may borrow
///             tg.create_task(async move { total.set(total.get() + n) });
///         }
///     })
///     .await
///     .unwrap();
///     assert_eq!(total.get(), 6);
/// });
/// ```
pub struct TaskGroup<'env> {
    group: Rc<Group<'env>>,
}

impl Clone for TaskGroup<'_> {
    fn clone(&self) -> Self {
        TaskGroup {
            group: self.group.clone(),
        }
    }
}

impl<'env> TaskGroup<'env> {
    /// Creates a child running `fut` (Python's `tg.create_task`). It starts
    /// when the body next yields. A panic in it fails the group.
    ///
    /// After the group began aborting (a child failed), the new child is
    /// cancelled before it starts. (Python raises `RuntimeError`.)
    ///
    /// ```
    /// asyncio::run(async {
    ///     let answer = asyncio::task_group(async |tg| tg.create_task(async { 42 }))
    ///         .await
    ///         .unwrap();
    ///     assert_eq!(answer.result().unwrap(), 42); // done once the group returns
    /// });
    /// ```
    ///
    /// # Panics
    /// If the group has already returned, or no loop is running.
    #[track_caller]
    pub fn create_task<F>(&self, fut: F) -> Task<F::Output>
    where
        F: Future + 'env,
        F::Output: 'static,
    {
        self.spawn::<F::Output, F>(None, Location::caller(), |cell| {
            Box::pin(async move {
                let output = fut.await;
                *cell.output.borrow_mut() = Some(output);
            })
        })
    }

    /// [`create_task`](Self::create_task) with a name.
    ///
    /// ```
    /// asyncio::run(async {
    ///     asyncio::task_group(async |tg| {
    ///         let child = tg.create_task_named(async {}, "child");
    ///         assert_eq!(child.get_name(), "child");
    ///     })
    ///     .await
    ///     .unwrap();
    /// });
    /// ```
    #[track_caller]
    pub fn create_task_named<F>(&self, fut: F, name: impl Into<String>) -> Task<F::Output>
    where
        F: Future + 'env,
        F::Output: 'static,
    {
        self.spawn::<F::Output, F>(Some(name.into()), Location::caller(), |cell| {
            Box::pin(async move {
                let output = fut.await;
                *cell.output.borrow_mut() = Some(output);
            })
        })
    }

    /// Creates a child whose `Err` is a failure: the child ends failed with
    /// `Error::Exception(e)`, and the group aborts as for a panic. Its
    /// [`Task`] yields the `Ok` value.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let err = asyncio::task_group(async |tg| {
    ///         tg.create_try_task(async { Err::<(), _>(std::io::Error::other("bad input")) });
    ///     })
    ///     .await
    ///     .unwrap_err();
    ///     assert_eq!(err.errors()[0].to_string(), "bad input");
    /// });
    /// ```
    ///
    /// # Panics
    /// As [`create_task`](Self::create_task).
    #[track_caller]
    pub fn create_try_task<F, T, E>(&self, fut: F) -> Task<T>
    where
        F: Future<Output = Result<T, E>> + 'env,
        T: 'static,
        E: Into<Exception>,
    {
        self.spawn::<T, F>(None, Location::caller(), |cell| {
            Box::pin(async move {
                match fut.await {
                    Ok(output) => *cell.output.borrow_mut() = Some(output),
                    Err(error) => cell.header.set_failure(Error::Exception(error.into())),
                }
            })
        })
    }

    /// How many children have not finished yet.
    ///
    /// ```
    /// asyncio::run(async {
    ///     asyncio::task_group(async |tg| {
    ///         tg.create_task(asyncio::sleep(0.01));
    ///         assert_eq!(tg.pending(), 1);
    ///     })
    ///     .await
    ///     .unwrap();
    /// });
    /// ```
    pub fn pending(&self) -> usize {
        self.group.unfinished.get()
    }

    fn spawn<T: 'static, F>(
        &self,
        name: Option<String>,
        location: &'static Location<'static>,
        wrap: impl FnOnce(Rc<ChildCell<T>>) -> Pin<Box<dyn Future<Output = ()> + 'env>>,
    ) -> Task<T> {
        let group = &self.group;
        assert!(
            group.phase.get() != Phase::Closed,
            "TaskGroup::create_task() at {location}: the task group has already returned; \
             create children inside its body or its children"
        );
        let core = context::running_core().unwrap_or_else(|| {
            panic!("TaskGroup::create_task() at {location} needs a running event loop")
        });
        let index = group.children.borrow().len();
        let waker = Arc::new(ChildWaker {
            index,
            queued: AtomicBool::new(false),
            list: group.ready.clone(),
        });
        let spec = TaskSpec { name, location };
        let number = core.task_number(&spec);
        let header = TaskHeader::new(
            spec,
            number,
            Waker::from(waker.clone()),
            Rc::downgrade(&core),
        );
        let cell = Rc::new(ChildCell {
            header,
            output: RefCell::new(None),
            coro: std::any::type_name::<F>(),
        });
        let future = wrap(cell.clone());
        let cell: Rc<dyn Runnable> = cell;
        group.children.borrow_mut().push(Rc::new(Child {
            cell: cell.clone(),
            waker: waker.clone(),
            future: RefCell::new(Some(future)),
        }));
        group.unfinished.set(group.unfinished.get() + 1);
        if group.phase.get() == Phase::Aborting {
            cell.header().request_cancel(None);
        }
        Waker::from(waker).wake();
        Task::from_raw(cell)
    }
}

impl fmt::Debug for TaskGroup<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let group = &self.group;
        write!(
            f,
            "<TaskGroup {:?} tasks={} errors={}>",
            group.phase.get(),
            group.unfinished.get(),
            group.errors.borrow().len()
        )
    }
}

/// The failures of a [`task_group`]'s children (and body), in the order
/// they happened: Python's `ExceptionGroup` from a `TaskGroup`.
#[derive(Clone, Debug)]
pub struct TaskGroupError {
    errors: Vec<Error>,
}

impl TaskGroupError {
    /// Every failure, in the order it happened.
    pub fn errors(&self) -> &[Error] {
        &self.errors
    }

    /// Takes the failures out.
    pub fn into_errors(self) -> Vec<Error> {
        self.errors
    }
}

impl fmt::Display for TaskGroupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        write!(
            f,
            "unhandled errors in a TaskGroup ({n} sub-exception{})",
            if n == 1 { "" } else { "s" }
        )?;
        for (i, error) in self.errors.iter().enumerate() {
            write!(f, "\n  [{}] {error}", i + 1)?;
        }
        Ok(())
    }
}

/// The failures are all in the `Display` text (and in [`errors`](TaskGroupError::errors)),
/// so `source()` is `None`: a reporter prints each failure once.
impl std::error::Error for TaskGroupError {}

/// Runs `body` with a [`TaskGroup`] and returns once the body and every
/// child it created are done (Python's `async with asyncio.TaskGroup()`).
///
/// `Ok(body's output)` if nothing failed; otherwise `Err(TaskGroupError)`
/// listing every failure: the first one cancels the other children and the
/// body. Children may borrow from the caller, since the group polls them.
///
/// ```
/// use std::cell::RefCell;
/// asyncio::Runner::new().virtual_time(true).run(async {
///     let log = RefCell::new(Vec::new()); // borrowed by the children
///     let out = asyncio::task_group(async |tg| {
///         let a = tg.create_task(async {
///             asyncio::sleep(2).await;
///             log.borrow_mut().push("a");
///             1
///         });
///         tg.create_task(async {
///             asyncio::sleep(1).await;
///             log.borrow_mut().push("b");
///         });
///         a // a Task: its result is there once the group returns
///     })
///     .await
///     .unwrap();
///     assert_eq!(out.result().unwrap(), 1);
///     assert_eq!(*log.borrow(), ["b", "a"]);
///
///     // A failing child cancels its siblings; the errors come back together.
///     let err = asyncio::task_group(async |tg| {
///         tg.create_task(async { asyncio::sleep(3600).await });
///         tg.create_task(async {
///             asyncio::sleep(1).await;
///             panic!("boom");
///         });
///     })
///     .await
///     .unwrap_err();
///     assert_eq!(err.errors().len(), 1);
///     assert!(err.errors()[0].is_panic());
/// });
/// ```
pub fn task_group<'env, F, R>(body: F) -> impl Future<Output = Result<R, TaskGroupError>>
where
    F: AsyncFnOnce(TaskGroup<'env>) -> R,
{
    let group = Rc::new(Group {
        children: RefCell::new(Vec::new()),
        ready: Arc::new(ReadyList::default()),
        unfinished: Cell::new(0),
        errors: RefCell::new(Vec::new()),
        phase: Cell::new(Phase::Open),
        node: ScopeNode::new(),
        task: RefCell::new(None),
        entry_count: Cell::new(0),
        requested: Cell::new(false),
        body_cancelled: Cell::new(false),
        cancel: RefCell::new(None),
    });
    let handle = TaskGroup {
        group: group.clone(),
    };
    TaskGroupScope {
        group,
        body: Some(body(handle)),
        output: None,
        cleanups: Vec::new(),
        passing_on: false,
    }
}

impl<'env> Group<'env> {
    /// Notes the task running the group at its first poll.
    fn enter(&self) {
        if self.task.borrow().is_some() {
            return;
        }
        if let Some(task) = context::current_task() {
            self.entry_count.set(task.header().cancel_count());
            *self.task.borrow_mut() = Some(task);
        }
    }

    /// Records a failure; the first one aborts the group, with a
    /// cancellation request of the group's own on the task (counted, as
    /// CPython's TaskGroup cancels its parent task).
    fn fail(&self, error: Error) {
        self.errors.borrow_mut().push(error);
        if self.phase.get() == Phase::Open
            && !self.requested.replace(true)
            && let Some(task) = &*self.task.borrow()
        {
            task.header().add_cancel_count();
        }
        self.abort();
    }

    /// A cancellation reached the group (from outside, or its own raised
    /// back up through the body): everything inside is cancelled.
    fn cancelled(&self, error: CancelledError) {
        self.cancel.borrow_mut().get_or_insert(error);
        self.abort();
    }

    /// Cancels every unfinished child; the scope then cancels the body.
    fn abort(&self) {
        if self.phase.get() != Phase::Open {
            return;
        }
        self.phase.set(Phase::Aborting);
        let children: Vec<_> = self.children.borrow().clone();
        for child in children {
            child.cell.header().request_cancel(None);
        }
    }

    /// Everything inside is done: the group's outcome (CPython 3.13's
    /// `__aexit__`), or `None` when a cancellation leaves the group (it is
    /// raised in the task).
    fn close<R>(&self, output: Option<R>) -> Option<Result<R, TaskGroupError>> {
        self.phase.set(Phase::Closed);
        let task = self.task.borrow().clone();
        if self.requested.replace(false)
            && let Some(task) = &task
        {
            task.header().uncancel();
        }
        // Requests beyond the group's own: the task is cancelled from outside.
        let outside = task
            .as_ref()
            .is_some_and(|t| t.header().cancel_count() > self.entry_count.get());
        let cancel = self.cancel.borrow_mut().take();
        let errors = std::mem::take(&mut *self.errors.borrow_mut());
        if !errors.is_empty() {
            // Failures win; an outside cancellation stays pending for the
            // task's next await, so neither is lost.
            if outside {
                let message = task.as_ref().and_then(|t| t.header().cancel_message());
                delivery::deliver_later(cancel.unwrap_or(CancelledError::new(message)));
            }
            return Some(Err(TaskGroupError { errors }));
        }
        match (output, cancel) {
            (Some(output), None) => Some(Ok(output)),
            (Some(output), Some(_)) if !outside => Some(Ok(output)),
            (_, cancel) => {
                delivery::raise(cancel.unwrap_or_default());
                None
            }
        }
    }

    /// Steps each child woken since the last pass, in wake order.
    fn run_children(&self) {
        for index in self.ready.take() {
            let child = self.children.borrow()[index].clone();
            child.waker.queued.store(false, Ordering::Release);
            if child.cell.header().is_done() {
                continue;
            }
            let finished = {
                let _current = context::enter_nested_task(child.cell.clone());
                run_step(&*child.cell, &*child)
            };
            if finished {
                self.child_finished(&child);
            }
        }
    }

    fn child_finished(&self, child: &Child<'_>) {
        finish(child.cell.clone());
        self.unfinished.set(self.unfinished.get() - 1);
        let header = child.cell.header();
        if header.raised()
            && let Some(error) = header.failure()
        {
            self.fail(error);
        }
    }

    /// The group's future is gone before its children finished (the loop
    /// closed, or the future was dropped unpolled): end them cancelled.
    fn shut_down(&self) {
        if self.requested.replace(false)
            && let Some(task) = &*self.task.borrow()
        {
            task.header().uncancel();
        }
        self.phase.set(Phase::Closed);
        let children: Vec<_> = self.children.borrow().clone();
        for child in children {
            let header = child.cell.header();
            if header.is_done() {
                continue;
            }
            let cancelled = CancelledError::new(Some("its task group was dropped".into()));
            drop_future(&*child.cell, &*child, Some(Error::Cancelled(cancelled)));
            for cleanup in header.take_cleanups() {
                crate::cancel::hand_over(cleanup, header.location);
            }
            header.mark_retrieved();
            finish(child.cell.clone());
        }
        self.unfinished.set(0);
    }
}
