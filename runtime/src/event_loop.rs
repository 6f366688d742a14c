//! The public face of the loop: `EventLoop`, its builder, and the
//! thread-safe `LoopHandle`.

use std::fmt;
use std::future::Future;
use std::io;
use std::panic::Location;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, RuntimeError};
use crate::future::Future as AsyncFuture;
use crate::handle::{Handle, TimerHandle};
use crate::scheduler::clock::{nanos_to_secs, secs_to_nanos};
use crate::scheduler::shared::{Remote, Shared};
use crate::scheduler::{Core, CoreOptions, context};
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
    /// # Errors
    /// As [`EventLoopBuilder::build`].
    pub fn new() -> io::Result<Self> {
        EventLoopBuilder::default().build()
    }

    /// A builder for a loop with options.
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
    /// # Errors
    /// `AlreadyRunning`, `Closed` or `AnotherLoopRunning` when the loop cannot
    /// run here; `Os` if the OS poller failed (the loop stops).
    pub fn run_forever(&self) -> Result<(), RuntimeError> {
        self.core.run_forever()
    }

    /// Stops the loop after the callbacks that are ready now have run;
    /// callbacks scheduled meanwhile run on the next `run_*`.
    pub fn stop(&self) {
        self.core.stop();
    }

    /// Closes the loop: queued callbacks are dropped and pending tasks are
    /// destroyed (each is reported). Idempotent; an error if running.
    ///
    /// # Errors
    /// `CloseWhileRunning` when called on a running loop.
    pub fn close(&self) -> Result<(), RuntimeError> {
        self.core.close()
    }

    /// Whether the loop is running.
    pub fn is_running(&self) -> bool {
        self.core.is_running()
    }

    /// Whether the loop was closed.
    pub fn is_closed(&self) -> bool {
        self.core.is_closed()
    }

    /// The loop's clock in seconds (monotonic; starts at 0 when the loop is made).
    pub fn time(&self) -> f64 {
        nanos_to_secs(self.core.clock.now())
    }

    /// Schedules `callback` to run on the next iteration, after those
    /// already scheduled (FIFO).
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
    #[track_caller]
    pub fn create_task<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        task::spawn(&self.core, future, None, Location::caller())
    }

    /// [`create_task`](Self::create_task) with a name.
    #[track_caller]
    pub fn create_task_named<F>(&self, future: F, name: impl Into<String>) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        task::spawn(&self.core, future, Some(name.into()), Location::caller())
    }

    /// A new pending [`Future`](crate::Future) bound to this loop.
    pub fn create_future<T: 'static>(&self) -> AsyncFuture<T> {
        AsyncFuture::on(&self.core)
    }

    /// Every unfinished task of this loop.
    pub fn all_tasks(&self) -> Vec<TaskRef> {
        self.core
            .all_tasks()
            .into_iter()
            .map(TaskRef::new)
            .collect()
    }

    /// Turns debug mode on or off (see the crate docs on debug mode).
    pub fn set_debug(&self, on: bool) {
        self.core.set_debug(on);
    }

    /// Whether debug mode is on.
    pub fn get_debug(&self) -> bool {
        self.core.debug()
    }

    /// Sets how long a callback or task step may run before debug mode warns.
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

/// A `Send + Sync` handle to a loop, for other threads: schedule callbacks
/// and stop it. Wakes the loop if it is blocked in the OS.
#[derive(Clone)]
pub struct LoopHandle {
    pub(crate) shared: Arc<Shared>,
}

impl LoopHandle {
    /// Schedules `callback` on the loop's thread (Python's
    /// `call_soon_threadsafe`). `Err(Closed)` once the loop is closed.
    ///
    /// # Errors
    /// `Closed` once the loop is closed (the callback is dropped).
    pub fn call_soon_threadsafe(
        &self,
        callback: impl FnOnce() + Send + 'static,
    ) -> Result<(), RuntimeError> {
        if self.shared.push(Remote::Callback(Box::new(callback))) {
            Ok(())
        } else {
            Err(RuntimeError::Closed)
        }
    }

    /// Stops the loop, as `EventLoop::stop` would from its own thread.
    pub fn stop(&self) {
        self.shared.push(Remote::Stop);
    }

    /// Whether the loop was closed.
    pub fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }
}

impl fmt::Debug for LoopHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<LoopHandle closed={}>", self.is_closed())
    }
}

/// The loop running on this thread (Python's `asyncio.get_running_loop()`).
///
/// # Errors
/// `NoRunningLoop` outside a running loop.
pub fn get_running_loop() -> Result<EventLoop, RuntimeError> {
    context::running_core()
        .map(|core| EventLoop { core })
        .ok_or(RuntimeError::NoRunningLoop)
}

/// The running loop, else this thread's current loop, created on first use
/// (Python's `asyncio.get_event_loop()`).
///
/// # Errors
/// As [`EventLoopBuilder::build`], when a loop has to be created.
pub fn get_event_loop() -> io::Result<EventLoop> {
    let core = match context::running_core() {
        Some(core) => core,
        None => context::default_core()?,
    };
    Ok(EventLoop { core })
}

/// Sets (or clears) this thread's current loop, which `get_event_loop()`
/// returns when no loop is running.
pub fn set_event_loop(event_loop: Option<EventLoop>) {
    drop(context::set_default_core(event_loop.map(|l| l.core)));
}

/// A new loop (Python's `asyncio.new_event_loop()`); same as `EventLoop::new()`.
///
/// # Errors
/// As [`EventLoopBuilder::build`].
pub fn new_event_loop() -> io::Result<EventLoop> {
    EventLoop::new()
}
