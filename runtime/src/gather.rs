//! `asyncio.gather`: run futures as tasks, collect results in argument order.
//!
//! As in CPython: without `return_exceptions` the first failure (a panic or
//! a cancelled child) is returned at once while the other children keep
//! running; cancelling the task that awaits a gather cancels every
//! unfinished child, waits for them, and then delivers the cancellation.

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::error::{CancelledError, Error};
use crate::scheduler::context;
use crate::scheduler::delivery;
use crate::scheduler::waiters::WaiterSlot;
use crate::task::{self, Task, TaskRef};

/// Waits on a set of tasks; shared by [`Gather`] and [`GatherTuple`].
#[derive(Default)]
struct Join {
    /// One waiter slot per task.
    slots: Vec<WaiterSlot>,
    /// The awaiting task's cancellation, passed on to the children.
    delegated: Option<CancelledError>,
    /// The children finished after a cancellation, which was raised in the
    /// awaiting task; only waits to be dropped.
    passing_on: bool,
    /// Children before this index are done and were checked: later polls
    /// skip them, so a gather of many children does not rescan them all.
    checked: usize,
}

impl Join {
    /// Ready(Ok) when every task is done; Ready(Err) at the first failure
    /// unless `all`.
    fn poll<'a>(
        &mut self,
        tasks: impl Iterator<Item = &'a TaskRef> + Clone,
        all: bool,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), Error>> {
        if self.passing_on {
            return Poll::Pending;
        }
        if self.slots.is_empty() {
            self.slots = tasks.clone().map(|_| WaiterSlot::new()).collect();
        }
        if context::delivering() {
            self.delegate(tasks.clone());
            if context::delivering() {
                // Nothing left to cancel: the cancellation goes on up and
                // this await does not complete, so no output is lost.
                return Poll::Pending;
            }
        }
        let mut pending = false;
        let mut prefix = true;
        let unchecked = tasks.clone().zip(&self.slots).skip(self.checked);
        for (task, slot) in unchecked {
            if !task.done() {
                pending = true;
                prefix = false;
                task.raw
                    .header()
                    .waiters
                    .borrow_mut()
                    .register(slot, cx.waker());
                continue;
            }
            // A done task's waiters were taken: nothing to unregister later.
            slot.clear();
            if !all
                && self.delegated.is_none()
                && task.raw.header().raised_or_cancelled()
                && let Some(error) = failure(task)
            {
                self.forget(tasks);
                return Poll::Ready(Err(error));
            }
            if prefix {
                self.checked += 1;
            }
        }
        if pending {
            delivery::note_point();
            return Poll::Pending;
        }
        if let Some(cancel) = self.delegated.take() {
            // Every child is done: the cancellation comes back to us.
            delivery::raise(cancel);
            self.passing_on = true;
            return Poll::Pending;
        }
        Poll::Ready(Ok(()))
    }

    /// Cancels every unfinished child on behalf of the awaiting task.
    fn delegate<'a>(&mut self, tasks: impl Iterator<Item = &'a TaskRef>) {
        let message = context::delivery_message();
        let mut cancelled_any = false;
        for task in tasks {
            cancelled_any |= task.raw.header().request_cancel(message.clone());
        }
        if cancelled_any {
            self.delegated = Some(context::claim());
        }
    }

    fn forget<'a>(&self, tasks: impl Iterator<Item = &'a TaskRef>) {
        for (task, slot) in tasks.zip(&self.slots) {
            task.raw.header().forget_waiter(slot);
        }
    }
}

/// A done task's failure (marks it retrieved).
fn failure(task: &TaskRef) -> Option<Error> {
    match task.exception() {
        Ok(error) => error,
        Err(error) => Some(error),
    }
}

/// The future of [`gather`]: `Ok(outputs)` in argument order, or the first
/// failure.
#[must_use = "futures do nothing unless awaited"]
pub struct Gather<T: 'static> {
    tasks: Rc<[Task<T>]>,
    join: Join,
}

/// The future of [`Gather::return_exceptions`]: every child's outcome, in
/// argument order.
#[must_use = "futures do nothing unless awaited"]
pub struct GatherAll<T: 'static> {
    tasks: Rc<[Task<T>]>,
    join: Join,
}

/// Runs each future as a task and collects their outputs in argument order
/// (Python's `asyncio.gather(*aws)`). The tasks start at once; an empty
/// gather completes at once.
///
/// ```
/// asyncio::Runner::new().virtual_time(true).run(async {
///     let delays = [3, 1, 2];
///     let out = asyncio::gather(delays.map(|d| async move {
///         asyncio::sleep(d).await;
///         d * 10
///     }))
///     .await;
///     assert_eq!(out.unwrap(), [30, 10, 20]); // argument order
/// });
/// ```
///
/// # Panics
/// If no event loop is running on this thread.
#[track_caller]
pub fn gather<I>(futures: I) -> Gather<<I::Item as Future>::Output>
where
    I: IntoIterator,
    I::Item: Future + 'static,
    <I::Item as Future>::Output: 'static,
{
    let core = context::running_core()
        .expect("asyncio::gather() needs a running event loop: no running event loop");
    let location = Location::caller();
    let tasks = futures
        .into_iter()
        .map(|fut| task::spawn(&core, fut, None, location))
        .collect();
    Gather {
        tasks,
        join: Join::default(),
    }
}

impl<T: 'static> Gather<T> {
    /// Python's `return_exceptions=True`: wait for every child and return
    /// each outcome, failures included.
    ///
    /// ```
    /// asyncio::Runner::new().virtual_time(true).run(async {
    ///     let job = |delay: u32| async move {
    ///         asyncio::sleep(delay).await;
    ///         delay
    ///     };
    ///     let all = asyncio::gather([job(1), job(3600)]);
    ///     all.tasks()[1].cancel();
    ///     let outcomes = all.return_exceptions().await;
    ///     assert_eq!(*outcomes[0].as_ref().unwrap(), 1);
    ///     assert!(outcomes[1].as_ref().unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn return_exceptions(self) -> GatherAll<T> {
        GatherAll {
            tasks: self.tasks.clone(),
            join: Join::default(),
        }
    }

    /// The children's tasks, in argument order.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let double = |n: u32| async move { n * 2 };
    ///     let all = asyncio::gather([double(1), double(2)]);
    ///     assert_eq!(all.tasks().len(), 2);
    ///     assert!(all.tasks()[0].get_name().starts_with("Task-"));
    ///     assert_eq!(all.await.unwrap(), [2, 4]);
    /// });
    /// ```
    pub fn tasks(&self) -> &[Task<T>] {
        &self.tasks
    }
}

impl<T: 'static> Future for Gather<T> {
    type Output = Result<Vec<T>, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let refs = this.tasks.iter().map(Task::as_task_ref);
        match this.join.poll(refs, false, cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
            Poll::Ready(Ok(())) => Poll::Ready(this.tasks.iter().map(Task::take_outcome).collect()),
        }
    }
}

impl<T: 'static> Future for GatherAll<T> {
    type Output = Vec<Result<T, Error>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let refs = this.tasks.iter().map(Task::as_task_ref);
        match this.join.poll(refs, true, cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(_) => Poll::Ready(this.tasks.iter().map(Task::take_outcome).collect()),
        }
    }
}

impl<T: 'static> Drop for Gather<T> {
    fn drop(&mut self) {
        self.join.forget(self.tasks.iter().map(Task::as_task_ref));
    }
}

impl<T: 'static> Drop for GatherAll<T> {
    fn drop(&mut self) {
        self.join.forget(self.tasks.iter().map(Task::as_task_ref));
    }
}

/// Tuples of tasks that `gather!` waits on; implemented for arities 1–12.
pub trait TaskTuple {
    /// The outputs, as a tuple.
    type Output;
    /// Each outcome, as a tuple of `Result`s.
    type Outcomes;
    /// The tasks, in argument order.
    fn refs(&self) -> impl Iterator<Item = &TaskRef> + Clone;
    /// Takes every output, or the first error.
    ///
    /// # Errors
    /// The first task's failure (a panic or a cancellation), in argument order.
    fn take(&self) -> Result<Self::Output, Error>;
    /// Takes every outcome.
    fn take_outcomes(&self) -> Self::Outcomes;
}

macro_rules! task_tuple {
    ($($name:ident $index:tt),+) => {
        impl<$($name: 'static),+> TaskTuple for ($(Task<$name>,)+) {
            type Output = ($($name,)+);
            type Outcomes = ($(Result<$name, Error>,)+);

            fn refs(&self) -> impl Iterator<Item = &TaskRef> + Clone {
                [$(self.$index.as_task_ref()),+].into_iter()
            }

            fn take(&self) -> Result<Self::Output, Error> {
                Ok(($(self.$index.take_outcome()?,)+))
            }

            fn take_outcomes(&self) -> Self::Outcomes {
                ($(self.$index.take_outcome(),)+)
            }
        }
    };
}

task_tuple!(A 0);
task_tuple!(A 0, B 1);
task_tuple!(A 0, B 1, C 2);
task_tuple!(A 0, B 1, C 2, D 3);
task_tuple!(A 0, B 1, C 2, D 3, E 4);
task_tuple!(A 0, B 1, C 2, D 3, E 4, F 5);
task_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
task_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
task_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
task_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
task_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
task_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);

/// The future of [`gather!`](crate::gather!): a tuple of outputs.
///
/// ```
/// asyncio::run(async {
///     let (n, s) = asyncio::gather!(async { 1 }, async { "one" }).await.unwrap();
///     assert_eq!((n, s), (1, "one"));
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct GatherTuple<T: TaskTuple> {
    tasks: T,
    join: Join,
    all: bool,
}

impl<T: TaskTuple> GatherTuple<T> {
    ///
    /// ```
    /// asyncio::run(async {
    ///     let a = asyncio::create_task(async { 'a' });
    ///     let b = asyncio::create_task(async { 2.5 });
    ///     let (c, f) = asyncio::GatherTuple::new((a, b)).await.unwrap();
    ///     assert_eq!((c, f), ('a', 2.5));
    /// });
    /// ```
    #[doc(hidden)]
    pub fn new(tasks: T) -> Self {
        GatherTuple {
            tasks,
            join: Join::default(),
            all: false,
        }
    }

    /// Python's `return_exceptions=True`: a tuple of every outcome.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let (a, b) = asyncio::gather!(async { 1 }, async { panic!("boom") })
    ///         .return_exceptions()
    ///         .await;
    ///     assert_eq!(a.unwrap(), 1);
    ///     assert!(b.unwrap_err().is_panic());
    /// });
    /// ```
    pub fn return_exceptions(mut self) -> GatherTupleAll<T> {
        self.all = true;
        GatherTupleAll(self)
    }

    fn poll_join(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.join.poll(self.tasks.refs(), self.all, cx)
    }
}

impl<T: TaskTuple + Unpin> Future for GatherTuple<T> {
    type Output = Result<T::Output, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.poll_join(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
            Poll::Ready(Ok(())) => Poll::Ready(self.tasks.take()),
        }
    }
}

impl<T: TaskTuple> Drop for GatherTuple<T> {
    fn drop(&mut self) {
        self.join.forget(self.tasks.refs());
    }
}

/// The future of `gather!(..).return_exceptions()`.
#[must_use = "futures do nothing unless awaited"]
pub struct GatherTupleAll<T: TaskTuple>(GatherTuple<T>);

impl<T: TaskTuple + Unpin> Future for GatherTupleAll<T> {
    type Output = T::Outcomes;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.0.poll_join(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(_) => Poll::Ready(self.0.tasks.take_outcomes()),
        }
    }
}

/// Runs each future as a task and awaits them all, giving a tuple of their
/// outputs in argument order (Python's `asyncio.gather(a, b, c)`); the
/// futures may have different output types.
///
/// `gather!(a, b).await` is `Ok((a_out, b_out))` or the first failure;
/// `gather!(a, b).return_exceptions().await` is `(Result, Result)`.
///
/// ```
/// asyncio::Runner::new().virtual_time(true).run(async {
///     let (n, s) = asyncio::gather!(
///         async { asyncio::sleep(2).await; 1 },
///         async { asyncio::sleep(1).await; "one" },
///     )
///     .await
///     .unwrap();
///     assert_eq!((n, s), (1, "one"));
/// });
/// ```
#[macro_export]
macro_rules! gather {
    ($($fut:expr),+ $(,)?) => {
        $crate::GatherTuple::new(($($crate::create_task($fut),)+))
    };
}

impl<T> std::fmt::Debug for Gather<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gather")
            .field("tasks", &self.tasks)
            .finish_non_exhaustive()
    }
}

impl<T> std::fmt::Debug for GatherAll<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatherAll")
            .field("tasks", &self.tasks)
            .finish_non_exhaustive()
    }
}

impl<T: TaskTuple> std::fmt::Debug for GatherTuple<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatherTuple")
            .field("tasks", &self.tasks.refs().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl<T: TaskTuple> std::fmt::Debug for GatherTupleAll<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("GatherTupleAll").field(&self.0).finish()
    }
}
