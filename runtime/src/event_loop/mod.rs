//! The public face of the loop: `EventLoop` and its builder; the
//! thread-safe `LoopHandle` (`handle.rs`); the thread's current loop
//! (`current.rs`).

mod current;
mod handle;

pub use current::{get_event_loop, get_running_loop, new_event_loop, set_event_loop};
pub use handle::LoopHandle;

use std::fmt;
use std::future::Future;
use std::io;
use std::panic::Location;
use std::rc::Rc;
use std::time::Duration;

use crate::error::{Error, RuntimeError};
use crate::future::Future as AsyncFuture;
use crate::handle::{Handle, TimerHandle};
use crate::scheduler::clock::{nanos_to_secs, secs_to_nanos};
use crate::scheduler::{Core, CoreOptions};
use crate::sleep::Delay;
use crate::task::{self, Task, TaskRef};

/// An event loop (Python's `asyncio` loop): runs tasks and callbacks on
/// the thread that runs it, and blocks in the OS when idle.
///
/// `EventLoop` is a cheap, cloneable handle and is not `Send`; use
/// [`EventLoop::handle`] to reach the loop from other threads.
///
/// ```
/// use std::{cell::RefCell, rc::Rc};
/// let lp = asyncio::EventLoop::new().unwrap();
/// let log = Rc::new(RefCell::new(Vec::new()));
/// let (l1, l2) = (log.clone(), log.clone());
/// lp.call_later(0.01, move || l1.borrow_mut().push("later"));
/// lp.call_soon(move || l2.borrow_mut().push("soon"));
/// let out = lp.run_until_complete(async { asyncio::sleep(0.02).await; 7 });
/// assert_eq!(out.unwrap(), 7);
/// assert_eq!(*log.borrow(), ["soon", "later"]);
/// lp.close().unwrap();
/// ```
#[derive(Clone)]
pub struct EventLoop {
    pub(crate) core: Rc<Core>,
}

/// Options for a new [`EventLoop`].
#[derive(Clone, Debug, Default)]
pub struct EventLoopBuilder {
    options: CoreOptions,
    slow_callback: Option<Duration>,
}

impl EventLoopBuilder {
    /// Debug mode (default: on if `ASYNCIO_DEBUG` is set and not `0`).
    pub fn debug(mut self, on: bool) -> Self {
        self.options.debug = Some(on);
        self
    }

    /// A virtual clock: when nothing is ready the clock jumps to the next
    /// timer's deadline instead of waiting, so timer-heavy tests are exact
    /// and instant.
    ///
    /// The clock stands still while the loop waits for work it sent to
    /// another thread ([`to_thread`](crate::to_thread),
    /// [`run_in_executor`](EventLoop::run_in_executor)): the loop then
    /// blocks in real time until that work reports back, so a thread's
    /// result arrives "instantly" in virtual time. (A job that never ends
    /// therefore stops a virtual clock for as long as it is awaited.)
    pub fn virtual_time(mut self, on: bool) -> Self {
        self.options.virtual_time = on;
        self
    }

    /// The most threads the loop's blocking pool (for
    /// [`to_thread`](crate::to_thread) and
    /// [`run_in_executor`](EventLoop::run_in_executor)) runs at once;
    /// further jobs wait in FIFO order. Default: `min(32, cpus + 4)`, as
    /// CPython's default executor. At least 1.
    pub fn max_blocking_threads(mut self, n: usize) -> Self {
        self.options.max_blocking_threads = Some(n.max(1));
        self
    }

    /// How long a blocking-pool thread waits for new work before it exits
    /// (default 10 s). Threads start again on demand.
    pub fn blocking_idle_timeout(mut self, d: Duration) -> Self {
        self.options.blocking_idle_timeout = Some(d);
        self
    }

    /// How long a callback or task step may run before debug mode warns.
    pub fn slow_callback_duration(mut self, d: Duration) -> Self {
        self.slow_callback = Some(d);
        self
    }

    /// Makes the loop.
    ///
    /// # Errors
    /// The OS error when the loop's I/O poller cannot be created (e.g.
    /// `EMFILE`: the process is out of file descriptors).
    pub fn build(self) -> io::Result<EventLoop> {
        let core = Core::new(self.options)?;
        if let Some(d) = self.slow_callback {
            core.set_slow_callback_duration(d);
        }
        Ok(EventLoop { core })
    }
}

impl EventLoop {
    /// A new loop with default options (Python's `new_event_loop()`).
    ///
    /// ```
    /// let lp = asyncio::EventLoop::new()?;
    /// assert_eq!(lp.run_until_complete(async { 1 + 1 }).unwrap(), 2);
    /// lp.close().unwrap();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`EventLoopBuilder::build`].
    pub fn new() -> io::Result<Self> {
        EventLoopBuilder::default().build()
    }

    /// A builder for a loop with options.
    ///
    /// ```
    /// let lp = asyncio::EventLoop::builder().virtual_time(true).build().unwrap();
    /// let now = lp.run_until_complete(async {
    ///     asyncio::sleep(3600).await; // instant on the virtual clock
    ///     asyncio::get_running_loop().unwrap().time()
    /// });
    /// assert_eq!(now.unwrap(), 3600.0);
    /// lp.close().unwrap();
    /// ```
    pub fn builder() -> EventLoopBuilder {
        EventLoopBuilder::default()
    }

    /// Runs the loop until `future` completes and returns its output.
    ///
    /// The future runs as a task (named `Task-N`). Errors: the loop is
    /// running or closed, another loop runs on this thread,
    /// `stop()` was called first (the loop stays usable and the task stays
    /// scheduled), or the task panicked or was cancelled.
    ///
    /// ```
    /// let lp = asyncio::EventLoop::new().unwrap();
    /// let out = lp.run_until_complete(async {
    ///     asyncio::sleep(0.01).await;
    ///     "done"
    /// });
    /// assert_eq!(out.unwrap(), "done");
    /// // `stop()` before the future finishes: an error, the task stays scheduled.
    /// let stopper = lp.clone();
    /// lp.call_soon(move || stopper.stop());
    /// assert!(lp.run_until_complete(asyncio::sleep(1)).is_err());
    /// lp.close().unwrap();
    /// ```
    ///
    /// # Errors
    /// `Runtime(AlreadyRunning)`, `Runtime(Closed)` or
    /// `Runtime(AnotherLoopRunning)` when the loop cannot run here;
    /// `Runtime(StoppedBeforeComplete)` after `stop()`; `Runtime(Os)` if the OS
    /// poller failed; `Panicked` or `Cancelled` as the task ended.
    #[track_caller]
    pub fn run_until_complete<F>(&self, future: F) -> Result<F::Output, Error>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.core.check_can_run()?;
        let task = task::spawn(&self.core, future, None, Location::caller());
        let core = Rc::downgrade(&self.core);
        let id = task.add_done_callback(move |_| {
            if let Some(core) = core.upgrade() {
                core.stop();
            }
        });
        self.core.run_forever()?;
        task.remove_done_callback(id);
        if !task.done() {
            return Err(RuntimeError::StoppedBeforeComplete.into());
        }
        take_outcome(task)
    }

    /// Runs the loop until [`stop`](Self::stop) is called.
    ///
    /// ```
    /// let lp = asyncio::EventLoop::new().unwrap();
    /// let stopper = lp.clone();
    /// lp.call_later(0.01, move || stopper.stop());
    /// lp.run_forever().unwrap(); // returns once stopped
    /// assert!(!lp.is_running());
    /// lp.close().unwrap();
    /// ```
    ///
    /// # Errors
    /// `AlreadyRunning`, `Closed` or `AnotherLoopRunning` when the loop cannot
    /// run here; `Os` if the OS poller failed (the loop stops).
    pub fn run_forever(&self) -> Result<(), RuntimeError> {
        self.core.run_forever()
    }

    /// Stops the loop after the callbacks that are ready now have run;
    /// callbacks scheduled meanwhile run on the next `run_*`.
    ///
    /// ```
    /// use std::{cell::RefCell, rc::Rc};
    /// let lp = asyncio::EventLoop::new().unwrap();
    /// let log = Rc::new(RefCell::new(Vec::new()));
    /// let (stopper, l1, l2) = (lp.clone(), log.clone(), log.clone());
    /// lp.call_soon(move || stopper.stop());
    /// lp.call_soon(move || l1.borrow_mut().push("ready with the stop: runs"));
    /// lp.call_later(1, move || l2.borrow_mut().push("later: waits"));
    /// lp.run_forever().unwrap();
    /// assert_eq!(*log.borrow(), ["ready with the stop: runs"]);
    /// lp.close().unwrap();
    /// ```
    pub fn stop(&self) {
        self.core.stop();
    }

    /// Closes the loop: queued callbacks are dropped and pending tasks are
    /// destroyed (each is reported). Idempotent; an error if running.
    ///
    /// ```
    /// let lp = asyncio::EventLoop::new().unwrap();
    /// lp.close().unwrap();
    /// lp.close().unwrap(); // idempotent
    /// assert!(lp.is_closed());
    /// assert!(lp.run_until_complete(async {}).is_err());
    /// ```
    ///
    /// # Errors
    /// `CloseWhileRunning` when called on a running loop.
    pub fn close(&self) -> Result<(), RuntimeError> {
        self.core.close()
    }

    /// Whether the loop is running.
    ///
    /// ```
    /// let lp = asyncio::EventLoop::new().unwrap();
    /// assert!(!lp.is_running());
    /// let inside = lp.run_until_complete(async { asyncio::get_running_loop().unwrap().is_running() });
    /// assert!(inside.unwrap());
    /// lp.close().unwrap();
    /// ```
    pub fn is_running(&self) -> bool {
        self.core.is_running()
    }

    /// Whether the loop was closed.
    ///
    /// ```
    /// let lp = asyncio::EventLoop::new().unwrap();
    /// assert!(!lp.is_closed());
    /// lp.close().unwrap();
    /// assert!(lp.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.core.is_closed()
    }

    /// The loop's clock in seconds (monotonic; starts at 0 when the loop is made).
    ///
    /// ```
    /// let lp = asyncio::EventLoop::builder().virtual_time(true).build().unwrap();
    /// assert_eq!(lp.time(), 0.0);
    /// lp.run_until_complete(asyncio::sleep(1.5)).unwrap();
    /// assert_eq!(lp.time(), 1.5);
    /// lp.close().unwrap();
    /// ```
    pub fn time(&self) -> f64 {
        nanos_to_secs(self.core.clock.now())
    }

    /// Schedules `callback` to run on the next iteration, after those
    /// already scheduled (FIFO).
    ///
    /// ```
    /// use std::{cell::RefCell, rc::Rc};
    /// let lp = asyncio::EventLoop::new().unwrap();
    /// let log = Rc::new(RefCell::new(Vec::new()));
    /// for i in 0..3 {
    ///     let log = log.clone();
    ///     lp.call_soon(move || log.borrow_mut().push(i));
    /// }
    /// let l = log.clone();
    /// let handle = lp.call_soon(move || l.borrow_mut().push(99));
    /// handle.cancel();
    /// lp.run_until_complete(asyncio::sleep(0)).unwrap();
    /// assert_eq!(*log.borrow(), [0, 1, 2]); // FIFO; the cancelled one never ran
    /// lp.close().unwrap();
    /// ```
    ///
    /// # Panics
    /// If the loop is closed.
    #[track_caller]
    pub fn call_soon(&self, callback: impl FnOnce() + 'static) -> Handle {
        self.check_open("call_soon");
        Handle::new(self.core.call_soon(Box::new(callback)))
    }

    /// Schedules `callback` after `delay` (seconds or a `Duration`).
    ///
    /// ```
    /// use std::{cell::RefCell, rc::Rc};
    /// let lp = asyncio::EventLoop::builder().virtual_time(true).build().unwrap();
    /// let log = Rc::new(RefCell::new(Vec::new()));
    /// let (l1, l2) = (log.clone(), log.clone());
    /// lp.call_later(2, move || l1.borrow_mut().push("2 s"));
    /// let handle = lp.call_later(1.0, move || l2.borrow_mut().push("1 s"));
    /// assert_eq!(handle.when(), 1.0);
    /// lp.run_until_complete(asyncio::sleep(3)).unwrap();
    /// assert_eq!(*log.borrow(), ["1 s", "2 s"]);
    /// lp.close().unwrap();
    /// ```
    ///
    /// # Panics
    /// If the loop is closed.
    #[track_caller]
    pub fn call_later(
        &self,
        delay: impl Into<Delay>,
        callback: impl FnOnce() + 'static,
    ) -> TimerHandle {
        let when = self.core.clock.now().saturating_add(delay.into().0);
        self.call_at_nanos(when, Box::new(callback))
    }

    /// Schedules `callback` at loop time `when` (see [`time`](Self::time)).
    /// Equal deadlines run in the order they were scheduled.
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc};
    /// let lp = asyncio::EventLoop::builder().virtual_time(true).build().unwrap();
    /// let at = Rc::new(Cell::new(0.0));
    /// let (a, clock) = (at.clone(), lp.clone());
    /// let handle = lp.call_at(lp.time() + 5.0, move || a.set(clock.time()));
    /// assert_eq!(handle.when(), 5.0);
    /// lp.run_until_complete(asyncio::sleep(10)).unwrap();
    /// assert_eq!(at.get(), 5.0);
    /// lp.close().unwrap();
    /// ```
    ///
    /// # Panics
    /// If the loop is closed or `when` is NaN.
    #[track_caller]
    pub fn call_at(&self, when: f64, callback: impl FnOnce() + 'static) -> TimerHandle {
        self.call_at_nanos(secs_to_nanos(when), Box::new(callback))
    }

    #[track_caller]
    fn call_at_nanos(&self, when: u64, callback: Box<dyn FnOnce()>) -> TimerHandle {
        self.check_open("call_later/call_at");
        let cell = self.core.call_at(when, callback);
        TimerHandle::new(cell, when, Rc::downgrade(&self.core))
    }

    #[track_caller]
    fn check_open(&self, what: &str) {
        assert!(!self.core.is_closed(), "{what}() on a closed event loop");
    }

    /// Schedules `future` as a task on this loop (it starts when the loop runs).
    ///
    /// ```
    /// let lp = asyncio::EventLoop::new().unwrap();
    /// let task = lp.create_task(async { 6 * 7 });
    /// assert_eq!(lp.run_until_complete(task).unwrap().unwrap(), 42);
    /// lp.close().unwrap();
    /// ```
    #[track_caller]
    pub fn create_task<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        task::spawn(&self.core, future, None, Location::caller())
    }

    /// [`create_task`](Self::create_task) with a name.
    ///
    /// ```
    /// let lp = asyncio::EventLoop::new().unwrap();
    /// let task = lp.create_task_named(async {}, "fetcher");
    /// assert_eq!(task.get_name(), "fetcher");
    /// lp.run_until_complete(task).unwrap().unwrap();
    /// lp.close().unwrap();
    /// ```
    #[track_caller]
    pub fn create_task_named<F>(&self, future: F, name: impl Into<String>) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        task::spawn(&self.core, future, Some(name.into()), Location::caller())
    }

    /// A new pending [`Future`](crate::Future) bound to this loop.
    ///
    /// ```
    /// let lp = asyncio::EventLoop::new().unwrap();
    /// let fut = lp.create_future::<u8>();
    /// let setter = fut.clone();
    /// lp.call_soon(move || setter.set_result(5).unwrap());
    /// assert_eq!(lp.run_until_complete(fut).unwrap().unwrap(), 5);
    /// lp.close().unwrap();
    /// ```
    pub fn create_future<T: 'static>(&self) -> AsyncFuture<T> {
        AsyncFuture::on(&self.core)
    }

    /// Every unfinished task of this loop.
    ///
    /// ```
    /// let lp = asyncio::EventLoop::new().unwrap();
    /// let task = lp.create_task_named(asyncio::sleep(0.01), "sleeper");
    /// assert_eq!(lp.all_tasks()[0].get_name(), "sleeper");
    /// lp.run_until_complete(task).unwrap().unwrap();
    /// assert!(lp.all_tasks().is_empty());
    /// lp.close().unwrap();
    /// ```
    pub fn all_tasks(&self) -> Vec<TaskRef> {
        self.core
            .all_tasks()
            .into_iter()
            .map(TaskRef::new)
            .collect()
    }

    /// Turns debug mode on or off (see the crate docs on debug mode).
    ///
    /// ```
    /// let lp = asyncio::EventLoop::builder().debug(false).build().unwrap();
    /// lp.set_debug(true);
    /// assert!(lp.get_debug());
    /// lp.close().unwrap();
    /// ```
    pub fn set_debug(&self, on: bool) {
        self.core.set_debug(on);
    }

    /// Whether debug mode is on.
    ///
    /// ```
    /// let lp = asyncio::EventLoop::builder().debug(true).build().unwrap();
    /// assert!(lp.get_debug());
    /// lp.close().unwrap();
    /// ```
    pub fn get_debug(&self) -> bool {
        self.core.debug()
    }

    /// Sets how long a callback or task step may run before debug mode warns.
    ///
    /// ```
    /// use std::time::Duration;
    /// let lp = asyncio::EventLoop::new().unwrap();
    /// assert_eq!(lp.slow_callback_duration(), Duration::from_millis(100));
    /// lp.set_slow_callback_duration(Duration::from_millis(20));
    /// assert_eq!(lp.slow_callback_duration(), Duration::from_millis(20));
    /// lp.close().unwrap();
    /// ```
    pub fn set_slow_callback_duration(&self, d: Duration) {
        self.core.set_slow_callback_duration(d);
    }

    /// The threshold for debug mode's slow-callback warning (default 100 ms).
    pub fn slow_callback_duration(&self) -> Duration {
        self.core.slow_callback_duration()
    }

    /// Whether this loop runs on a virtual clock.
    pub fn is_virtual_time(&self) -> bool {
        self.core.clock.is_virtual()
    }

    /// A `Send + Sync` handle for other threads.
    ///
    /// ```
    /// let lp = asyncio::EventLoop::new().unwrap();
    /// let handle = lp.handle();
    /// let worker = std::thread::spawn(move || handle.stop()); // from another thread
    /// worker.join().unwrap();
    /// lp.run_forever().unwrap(); // the stop request was waiting
    /// lp.close().unwrap();
    /// ```
    pub fn handle(&self) -> LoopHandle {
        LoopHandle {
            shared: self.core.shared.clone(),
        }
    }

    /// Cancels every unfinished task and runs the loop until they are done
    /// (cleanups included), repeating for tasks that cleanups start, a few
    /// rounds at most. Used by [`run`](crate::run()) before closing.
    ///
    /// # Errors
    /// As [`run_until_complete`](Self::run_until_complete) when the loop cannot
    /// run.
    pub fn shutdown_tasks(&self) -> Result<(), RuntimeError> {
        const ROUNDS: usize = 8;
        for _ in 0..ROUNDS {
            let tasks = self.all_tasks();
            if tasks.is_empty() {
                break;
            }
            let remaining = Rc::new(std::cell::Cell::new(tasks.len()));
            for task in &tasks {
                // Released async cleanups (of `finally` guards, of dropped
                // generators) run to completion: asyncio's
                // `shutdown_asyncgens`. Everything else is cancelled.
                if !task.raw.header().is_cleanup() {
                    task.cancel();
                }
                let remaining = remaining.clone();
                let core = Rc::downgrade(&self.core);
                task.add_done_callback(move |_| {
                    remaining.set(remaining.get() - 1);
                    if remaining.get() == 0
                        && let Some(core) = core.upgrade()
                    {
                        core.stop();
                    }
                });
            }
            self.core.run_forever()?;
        }
        Ok(())
    }
}

/// Takes a finished task's outcome (polling a done task completes at once).
fn take_outcome<T: 'static>(task: Task<T>) -> Result<T, Error> {
    let mut task = task;
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    match std::pin::Pin::new(&mut task).poll(&mut cx) {
        std::task::Poll::Ready(outcome) => outcome,
        std::task::Poll::Pending => Err(RuntimeError::StoppedBeforeComplete.into()),
    }
}

impl fmt::Debug for EventLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "<EventLoop running={} closed={} debug={}>",
            self.is_running(),
            self.is_closed(),
            self.get_debug()
        )
    }
}
