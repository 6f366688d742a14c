//! The scheduler core: ready queue, timers, the task table, the clock and
//! the OS wait. Everything above (tasks, futures, the public `EventLoop`)
//! stands on this module; nothing here names those types.

pub(crate) mod clock;
pub(crate) mod context;
pub(crate) mod delivery;
pub(crate) mod header;
pub(crate) mod poller;
pub(crate) mod reactor;
pub(crate) mod ready;
pub(crate) mod report;
pub(crate) mod shared;
pub(crate) mod slab;
pub(crate) mod timers;
pub(crate) mod waiters;
pub(crate) mod waker;

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, Location};
use std::rc::Rc;
use std::sync::Arc;
use std::task::Waker;
use std::time::{Duration, Instant};

use self::clock::Clock;
use self::header::{TaskHeader, TaskSpec};
use self::ready::{CallbackCell, Ready};
use self::shared::{Remote, Shared};
use self::slab::{Key, Slab};
use self::timers::Timers;
use crate::error::{OsError, PanicError, RuntimeError};

/// A task as the scheduler sees it.
pub(crate) trait Runnable: 'static {
    fn header(&self) -> &TaskHeader;
    /// One step: poll the future (or its cleanups) once.
    fn run(self: Rc<Self>);
    /// The loop is closing with this task unfinished: drop its future.
    fn close(self: Rc<Self>);
    /// Lends the typed output slot (an `Option` of the output, `None`
    /// until the task finished) for `Task<T>` to downcast.
    fn with_output(&self, f: &mut dyn FnMut(&mut dyn std::any::Any));
    /// Drops a stored output (the task ended failed or cancelled after all).
    fn discard_output(&self);
    /// The type name of the task's future.
    fn coro(&self) -> &'static str;

    /// `<Task pending name='Task-2' coro=<main()> created at ...>`, for
    /// reports; formatted by `task/`, only when shown.
    fn describe(&self) -> String;
}

/// While work is ready the OS is polled (zero timeout) at most once per
/// `BUSY_POLL_PERIOD`, checked every `OS_POLL_INTERVAL` iterations, so a busy
/// loop neither pays syscalls per iteration nor starves I/O for long.
const OS_POLL_INTERVAL: u32 = 61;
const BUSY_POLL_PERIOD: Duration = Duration::from_millis(1);

/// How long an idle loop watches for a result from its thread pool before
/// blocking in the OS; a round trip to a pool thread takes a few µs.
const EXTERNAL_SPIN: Duration = Duration::from_micros(50);

/// Spinning helps only if the pool thread can run meanwhile.
static CAN_SPIN: std::sync::LazyLock<bool> =
    std::sync::LazyLock::new(|| std::thread::available_parallelism().is_ok_and(|n| n.get() > 1));

/// The default `slow_callback_duration` (as asyncio's 100 ms).
pub(crate) const DEFAULT_SLOW_CALLBACK: Duration = Duration::from_millis(100);

/// A step or callback the loop just ran, for debug mode's slow warning.
enum Ran {
    Task(Rc<dyn Runnable>),
    Callback(&'static Location<'static>),
}

/// Options fixed when a loop is made.
#[derive(Clone, Debug, Default)]
pub(crate) struct CoreOptions {
    pub(crate) virtual_time: bool,
    pub(crate) debug: Option<bool>,
    /// For the blocking pool (`threads/`), when it is made.
    pub(crate) max_blocking_threads: Option<usize>,
    pub(crate) blocking_idle_timeout: Option<Duration>,
}

/// Work the loop hands to other threads — its blocking pool, which
/// `threads/` makes on first use — as the scheduler sees it.
pub(crate) trait Offload: std::any::Any {
    /// Jobs whose outcome the loop still expects: meanwhile a virtual clock
    /// does not jump ahead, and an idle loop watches for them briefly.
    fn outstanding(&self) -> usize;
    /// The loop closes: queued jobs are abandoned, idle threads retire.
    fn close(&self);
}

pub(crate) struct Core {
    pub(crate) shared: Arc<Shared>,
    /// `shared`'s loop id, at hand for every local wake.
    pub(crate) id: u16,
    pub(crate) clock: Clock,
    ready: RefCell<VecDeque<Ready>>,
    timers: RefCell<Timers>,
    tasks: RefCell<Slab<Rc<dyn Runnable>>>,
    running: Cell<bool>,
    stopping: Cell<bool>,
    closed: Cell<bool>,
    debug: Cell<bool>,
    slow_callback: Cell<Duration>,
    task_numbers: Cell<u64>,
    iteration: Cell<u32>,
    /// When the OS was last polled while work was ready.
    last_busy_poll: Cell<Instant>,
    options: CoreOptions,
    /// Runs `to_thread` / `run_in_executor` work, once there is some.
    offload: std::cell::OnceCell<Box<dyn Offload>>,
    /// The I/O sources registered with the OS poller.
    pub(crate) reactor: reactor::Reactor,
}

impl Core {
    /// A new loop core; fails when the OS poller cannot be created (e.g.
    /// out of file descriptors).
    pub(crate) fn new(options: CoreOptions) -> std::io::Result<Rc<Core>> {
        let shared = Shared::new()?;
        let debug = options.debug.unwrap_or_else(|| {
            std::env::var_os("ASYNCIO_DEBUG").is_some_and(|v| !v.is_empty() && v != "0")
        });
        let core = Rc::new(Core {
            id: shared.id(),
            shared,
            clock: Clock::new(options.virtual_time),
            ready: RefCell::new(VecDeque::new()),
            timers: RefCell::new(Timers::new()),
            tasks: RefCell::new(Slab::new()),
            running: Cell::new(false),
            stopping: Cell::new(false),
            closed: Cell::new(false),
            debug: Cell::new(debug),
            slow_callback: Cell::new(DEFAULT_SLOW_CALLBACK),
            task_numbers: Cell::new(0),
            iteration: Cell::new(0),
            last_busy_poll: Cell::new(Instant::now()),
            options,
            offload: std::cell::OnceCell::new(),
            reactor: reactor::Reactor::default(),
        });
        Core::register(&core);
        Ok(core)
    }

    pub(crate) fn is_running(&self) -> bool {
        self.running.get()
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.get()
    }

    pub(crate) fn debug(&self) -> bool {
        self.debug.get()
    }

    pub(crate) fn set_debug(&self, on: bool) {
        self.debug.set(on);
    }

    pub(crate) fn slow_callback_duration(&self) -> Duration {
        self.slow_callback.get()
    }

    pub(crate) fn set_slow_callback_duration(&self, d: Duration) {
        self.slow_callback.set(d);
    }

    /// The options the loop was made with.
    pub(crate) fn options(&self) -> &CoreOptions {
        &self.options
    }

    /// The loop's offload (blocking pool), if it made one.
    pub(crate) fn offload(&self) -> Option<&dyn Offload> {
        self.offload.get().map(|o| &**o)
    }

    /// The loop's offload, made by `make` on first use.
    pub(crate) fn offload_or_init(&self, make: impl FnOnce() -> Box<dyn Offload>) -> &dyn Offload {
        &**self.offload.get_or_init(make)
    }

    /// Work on other threads whose outcome the loop still expects.
    fn outstanding(&self) -> usize {
        self.offload().map_or(0, Offload::outstanding)
    }

    /// Creates a task: `make` builds the cell around the header; the task
    /// is scheduled to start after what is already queued.
    #[track_caller]
    pub(crate) fn spawn<R: Runnable>(
        self: &Rc<Self>,
        spec: TaskSpec,
        make: impl FnOnce(TaskHeader) -> R,
    ) -> Rc<R> {
        assert!(
            !self.closed.get(),
            "cannot create a task: the event loop is closed"
        );
        let number = self.task_number(&spec);
        let key = self.tasks.borrow().next_key();
        let waker = waker::task_waker(self.id, key);
        let header = TaskHeader::new(spec, number, waker, Rc::downgrade(self));
        let task = Rc::new(make(header));
        // Marked: queued (a wake while it is queued queues nothing more).
        let inserted = self.tasks.borrow_mut().insert(task.clone(), true);
        debug_assert_eq!(inserted, key);
        self.ready.borrow_mut().push_back(Ready::Task(key));
        task
    }

    /// The `Task-N` number for a new task; as in CPython, only unnamed tasks
    /// use one up.
    pub(crate) fn task_number(&self, spec: &TaskSpec) -> u64 {
        if spec.name.is_some() {
            return 0;
        }
        let number = self.task_numbers.get() + 1;
        self.task_numbers.set(number);
        number
    }

    /// Queues the task in `key` unless it is already queued (or gone).
    #[inline]
    pub(crate) fn schedule(&self, key: Key) {
        if self.tasks.borrow().mark(key) == Some(false) {
            self.ready.borrow_mut().push_back(Ready::Task(key));
        }
    }

    /// Forgets a finished task.
    pub(crate) fn remove_task(&self, key: Key) {
        let slot = self.tasks.borrow_mut().remove(key);
        drop(slot);
    }

    pub(crate) fn all_tasks(&self) -> Vec<Rc<dyn Runnable>> {
        self.tasks.borrow().iter().cloned().collect()
    }

    #[track_caller]
    pub(crate) fn call_soon(&self, callback: Box<dyn FnOnce()>) -> Rc<CallbackCell> {
        let cell = CallbackCell::new(callback, Location::caller());
        if !self.closed.get() {
            self.ready
                .borrow_mut()
                .push_back(Ready::Callback(cell.clone()));
        }
        cell
    }

    /// Schedules `callback` at `when` (nanoseconds on the loop clock).
    #[track_caller]
    pub(crate) fn call_at(&self, when: u64, callback: Box<dyn FnOnce()>) -> Rc<CallbackCell> {
        let cell = CallbackCell::new(callback, Location::caller());
        if !self.closed.get() && when != u64::MAX {
            self.timers
                .borrow_mut()
                .push(when, Ready::Callback(cell.clone()));
        }
        cell
    }

    /// Arms a sleep's timer at `when`, or returns `None` for "never".
    pub(crate) fn arm_timer(&self, when: u64, waker: &Waker) -> Option<Key> {
        if self.closed.get() || when == u64::MAX {
            return None;
        }
        Some(self.timers.borrow_mut().arm(when, waker))
    }

    /// Whether a sleep's timer is still waiting to fire.
    pub(crate) fn timer_armed(&self, key: Key) -> bool {
        self.timers.borrow().is_armed(key)
    }

    pub(crate) fn set_timer_waker(&self, key: Key, waker: &Waker) {
        self.timers.borrow_mut().set_waker(key, waker);
    }

    /// Cancels a sleep's timer (its heap entry is skipped later).
    pub(crate) fn disarm_timer(&self, key: Key) {
        let waker = match self.timers.try_borrow_mut() {
            Ok(mut timers) => timers.disarm(key),
            Err(_) => None,
        };
        drop(waker);
    }

    /// A timer entry was cancelled (lets the heap compact).
    pub(crate) fn timer_cancelled(&self) {
        if let Ok(mut timers) = self.timers.try_borrow_mut() {
            timers.note_cancelled();
        }
    }

    pub(crate) fn stop(&self) {
        self.stopping.set(true);
    }

    /// Checks that the loop may start running on this thread.
    pub(crate) fn check_can_run(self: &Rc<Self>) -> Result<(), RuntimeError> {
        if self.closed.get() {
            return Err(RuntimeError::Closed);
        }
        if self.running.get() {
            return Err(RuntimeError::AlreadyRunning);
        }
        if context::running_core().is_some() {
            return Err(RuntimeError::AnotherLoopRunning);
        }
        Ok(())
    }

    /// Runs iterations until `stop()`.
    pub(crate) fn run_forever(self: &Rc<Self>) -> Result<(), RuntimeError> {
        self.check_can_run()?;
        struct Running<'a>(&'a Core, #[allow(dead_code)] context::LoopGuard);
        impl Drop for Running<'_> {
            fn drop(&mut self) {
                self.0.running.set(false);
                self.0.stopping.set(false);
            }
        }
        self.running.set(true);
        let _running = Running(self, context::enter_loop(self.clone()));
        loop {
            self.run_once()?;
            if self.stopping.get() {
                break;
            }
        }
        Ok(())
    }

    /// One iteration: wait for the OS (or not), move due timers behind the
    /// ready work, then run exactly the work that was ready at that point.
    fn run_once(self: &Rc<Self>) -> Result<(), RuntimeError> {
        let iteration = self.iteration.get().wrapping_add(1);
        self.iteration.set(iteration);
        let busy = self.stopping.get() || !self.ready.borrow().is_empty();
        if busy {
            if iteration.is_multiple_of(OS_POLL_INTERVAL) {
                let now = Instant::now();
                // With sockets open, readiness may not wait a millisecond.
                if self.reactor.has_sources()
                    || now.duration_since(self.last_busy_poll.get()) >= BUSY_POLL_PERIOD
                {
                    self.last_busy_poll.set(now);
                    self.wait_os(Some(Duration::ZERO))?;
                }
            }
        } else {
            let deadline = self.timers.borrow_mut().next_deadline();
            let timeout = match deadline {
                None => None,
                // A virtual clock jumps, unless another thread is still
                // working for the loop: then wait for it in real time.
                Some(when) if self.clock.is_virtual() => {
                    if when <= self.clock.now() || self.outstanding() == 0 {
                        Some(Duration::ZERO)
                    } else {
                        None
                    }
                }
                Some(when) => Some(Duration::from_nanos(when.saturating_sub(self.clock.now()))),
            };
            self.wait_os(timeout)?;
        }
        self.drain_remote();
        self.expire_timers();

        let count = self.ready.borrow().len();
        for _ in 0..count {
            let item = self.ready.borrow_mut().pop_front();
            match item {
                Some(item) => self.run_item(item),
                None => break,
            }
        }
        Ok(())
    }

    fn wait_os(&self, timeout: Option<Duration>) -> Result<(), RuntimeError> {
        // Spin briefly only while another thread works for us and a second
        // core can be running it.
        let spin = if *CAN_SPIN && self.outstanding() > 0 {
            EXTERNAL_SPIN
        } else {
            Duration::ZERO
        };
        let waited = self
            .shared
            .wait(timeout, spin, &mut self.reactor.reports())
            .map_err(|e| RuntimeError::Os(OsError::from(&e)));
        self.reactor.dispatch();
        waited
    }

    fn drain_remote(self: &Rc<Self>) {
        if !self.shared.has_pending() {
            return;
        }
        for remote in self.shared.take() {
            match remote {
                Remote::Wake(key) => self.schedule(key),
                Remote::Callback(callback) => {
                    self.call_soon(callback);
                }
                Remote::Completed(work) => work.complete(self),
                Remote::Stop => {
                    let core = Rc::downgrade(self);
                    self.call_soon(Box::new(move || {
                        if let Some(core) = core.upgrade() {
                            core.stop();
                        }
                    }));
                }
            }
        }
    }

    fn expire_timers(&self) {
        let mut timers = self.timers.borrow_mut();
        if timers.is_empty() {
            return;
        }
        let mut ready = self.ready.borrow_mut();
        if self.clock.is_virtual()
            && ready.is_empty()
            && !self.stopping.get()
            && self.outstanding() == 0
            && let Some(when) = timers.next_deadline()
        {
            self.clock.advance_to(when);
        }
        let now = self.clock.now();
        while let Some(item) = timers.pop_expired(now) {
            ready.push_back(item);
        }
    }

    fn run_item(self: &Rc<Self>, item: Ready) {
        let started = self.debug.get().then(Instant::now);
        // What ran, named only if it ran too long (debug mode's warning).
        let ran: Option<Ran> = match item {
            Ready::Task(key) => {
                let task = {
                    let tasks = self.tasks.borrow();
                    let Some(task) = tasks.unmark(key) else {
                        return;
                    };
                    task.clone()
                };
                // Kept for the warning only in debug mode: no extra
                // reference count traffic on the normal path.
                let kept = started.map(|_| task.clone());
                task.run();
                kept.map(Ran::Task)
            }
            Ready::Callback(cell) => {
                let Some(callback) = cell.take() else { return };
                if let Err(payload) = std::panic::catch_unwind(AssertUnwindSafe(callback)) {
                    let panic = PanicError::new(payload);
                    report::error(&format!(
                        "callback scheduled at {} panicked: {}",
                        cell.location,
                        panic.message()
                    ));
                }
                Some(Ran::Callback(cell.location))
            }
            Ready::Wake(key) => {
                let waker = self.timers.borrow_mut().fire(key);
                if let Some(waker) = waker {
                    waker.wake();
                }
                None
            }
        };
        if let (Some(started), Some(ran)) = (started, ran) {
            let took = started.elapsed();
            if took >= self.slow_callback.get() {
                let what = match ran {
                    Ran::Task(task) => task.describe(),
                    Ran::Callback(location) => format!("callback scheduled at {location}"),
                };
                report::warn(&format!(
                    "executing {what} took {:.3} seconds",
                    took.as_secs_f64()
                ));
            }
        }
    }

    /// Closes the loop: drops queued callbacks and timers, and every task
    /// still pending (each is reported).
    pub(crate) fn close(&self) -> Result<(), RuntimeError> {
        if self.running.get() {
            return Err(RuntimeError::CloseWhileRunning);
        }
        if self.closed.replace(true) {
            return Ok(());
        }
        drop(self.shared.close());
        if let Some(offload) = self.offload() {
            offload.close();
        }
        let ready = std::mem::take(&mut *self.ready.borrow_mut());
        drop(ready);
        let timers = self.timers.borrow_mut().clear();
        drop(timers);
        let tasks = self.tasks.borrow_mut().drain();
        for task in tasks {
            task.close();
        }
        Ok(())
    }
}

impl Drop for Core {
    /// A loop dropped without `close()` is reported (Python's "unclosed
    /// event loop" warning) and closed: its tasks are destroyed (each
    /// reported), and other threads' requests are refused instead of
    /// waiting forever. The offload (blocking pool) shuts down as it drops.
    fn drop(&mut self) {
        if !self.closed.get() {
            self.report_unclosed();
            let _ = self.close();
        }
        drop(self.shared.close());
    }
}

impl Core {
    fn report_unclosed(&self) {
        report::warn(&format!(
            "unclosed event loop <EventLoop running={} closed=false debug={}>: it was \
             dropped without close(); closing it now",
            self.running.get(),
            self.debug.get()
        ));
    }

    /// Registers a new loop for the thread-exit sweep (see [`Unclosed`]).
    fn register(core: &Rc<Core>) {
        let _ = UNCLOSED.try_with(|unclosed| {
            let mut loops = unclosed.0.borrow_mut();
            loops.retain(|weak| weak.upgrade().is_some_and(|core| !core.is_closed()));
            loops.push(Rc::downgrade(core));
        });
    }
}

/// The loops made on this thread that may still be open. A loop whose
/// handles live only inside its own tasks and callbacks (a task holding
/// `get_running_loop()`, a timer holding a clone) keeps itself alive
/// after the program dropped its last handle without `close()`: at thread
/// exit each such loop is reported and closed, which drops those tasks and
/// breaks the cycle. (A loop whose last handle is dropped without a cycle
/// is closed at once, by `Core`'s `Drop`.)
struct Unclosed(RefCell<Vec<std::rc::Weak<Core>>>);

impl Drop for Unclosed {
    fn drop(&mut self) {
        for weak in self.0.take() {
            if let Some(core) = weak.upgrade()
                && !core.is_closed()
                && !core.is_running()
            {
                core.report_unclosed();
                let _ = core.close();
            }
        }
    }
}

thread_local! {
    static UNCLOSED: Unclosed = const { Unclosed(RefCell::new(Vec::new())) };
}
