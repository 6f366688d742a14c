//! `asyncio.run` and `asyncio.Runner`: the entry point that owns a loop.

use std::future::Future;
use std::time::Duration;

use crate::error::Error;
use crate::event_loop::EventLoop;
use crate::scheduler::context;
use crate::scheduler::report;

/// How long [`Runner::run`] waits for blocking-pool jobs still running at the
/// end (CPython's `THREAD_JOIN_TIMEOUT`).
const EXECUTOR_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(300);

/// Runs a future on a fresh loop with options (Python 3.11's `asyncio.Runner`);
/// `#[asyncio::main]` and `#[asyncio::test]` expand to this.
///
/// ```
/// let out = asyncio::Runner::new()
///     .virtual_time(true)
///     .run(async {
///         asyncio::sleep(3600.0).await; // instant on a virtual clock
///         asyncio::get_running_loop().unwrap().time()
///     });
/// assert_eq!(out, 3600.0);
/// ```
#[derive(Clone, Debug, Default)]
#[must_use = "a Runner does nothing until `run` is called"]
pub struct Runner {
    debug: Option<bool>,
    virtual_time: bool,
    max_blocking_threads: Option<usize>,
    executor_shutdown_timeout: Option<Duration>,
}

impl Runner {
    /// Default options: debug mode from `ASYNCIO_DEBUG`, the real clock.
    ///
    /// ```
    /// let out = asyncio::Runner::new().run(async { "ran" });
    /// assert_eq!(out, "ran");
    /// ```
    pub fn new() -> Self {
        Runner::default()
    }

    /// Turns debug mode on or off.
    ///
    /// ```
    /// let debug = asyncio::Runner::new()
    ///     .debug(true)
    ///     .run(async { asyncio::get_running_loop().unwrap().get_debug() });
    /// assert!(debug);
    /// ```
    pub fn debug(mut self, on: bool) -> Self {
        self.debug = Some(on);
        self
    }

    /// Runs on a virtual clock (see [`EventLoopBuilder::virtual_time`](crate::EventLoopBuilder::virtual_time)).
    ///
    /// ```
    /// let now = asyncio::Runner::new().virtual_time(true).run(async {
    ///     asyncio::sleep(86_400).await; // a day, at once
    ///     asyncio::get_running_loop().unwrap().time()
    /// });
    /// assert_eq!(now, 86_400.0);
    /// ```
    pub fn virtual_time(mut self, on: bool) -> Self {
        self.virtual_time = on;
        self
    }

    /// Caps the loop's blocking thread pool (see
    /// [`EventLoopBuilder::max_blocking_threads`](crate::EventLoopBuilder::max_blocking_threads)).
    ///
    /// ```
    /// let max = asyncio::Runner::new()
    ///     .max_blocking_threads(2)
    ///     .run(async { asyncio::get_running_loop().unwrap().blocking_pool_stats().max_threads });
    /// assert_eq!(max, 2);
    /// ```
    pub fn max_blocking_threads(mut self, n: usize) -> Self {
        self.max_blocking_threads = Some(n);
        self
    }

    /// How long `run` waits at the end for blocking-pool jobs that are
    /// still running (default 300 s, as CPython); see [`Runner::run`].
    ///
    /// ```
    /// use std::time::Duration;
    /// asyncio::Runner::new()
    ///     .executor_shutdown_timeout(Duration::from_secs(5))
    ///     .run(async {
    ///         asyncio::to_thread(|| ()).await.unwrap();
    ///     });
    /// ```
    pub fn executor_shutdown_timeout(mut self, d: Duration) -> Self {
        self.executor_shutdown_timeout = Some(d);
        self
    }

    /// Creates a loop, runs `future` to completion as the main task, cancels
    /// any tasks left over and waits for their cleanups, waits for
    /// blocking-pool jobs still running ([`to_thread`](crate::to_thread)
    /// work cannot be interrupted; see
    /// [`EventLoop::shutdown_default_executor`]), closes the loop and
    /// returns the output.
    ///
    /// The wait for jobs is bounded (300 s unless
    /// [`executor_shutdown_timeout`](Self::executor_shutdown_timeout) says
    /// otherwise); past it a warning is reported and the loop closes anyway:
    /// the late jobs finish on their own threads, their results dropped.
    ///
    /// ```
    /// let out = asyncio::Runner::new().run(async {
    ///     let task = asyncio::create_task(async { 21 * 2 });
    ///     task.await.unwrap()
    /// });
    /// assert_eq!(out, 42);
    /// ```
    ///
    /// # Panics
    /// If called while a loop runs on this thread; if the loop cannot be
    /// created (the OS error is in the message; [`try_run`](Self::try_run)
    /// returns it instead); if the main task panics (the original panic is
    /// resumed) or is cancelled.
    #[track_caller]
    pub fn run<F>(self, future: F) -> F::Output
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        match self.try_run(future) {
            Ok(output) => output,
            Err(error) => panic!("asyncio::run(): cannot create the event loop: {error}"),
        }
    }

    /// [`run`](Self::run), with a failure to create the loop (e.g. `EMFILE`:
    /// out of file descriptors) returned as the OS error.
    ///
    /// ```
    /// let out = asyncio::Runner::new().try_run(async { 7 });
    /// assert_eq!(out.unwrap(), 7);
    /// ```
    ///
    /// # Errors
    /// The OS error when the loop's I/O poller cannot be created.
    ///
    /// # Panics
    /// As [`run`](Self::run), except for the loop's creation.
    #[track_caller]
    pub fn try_run<F>(self, future: F) -> std::io::Result<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        assert!(
            context::running_core().is_none(),
            "asyncio::run() cannot be called from a running event loop"
        );
        let mut builder = EventLoop::builder().virtual_time(self.virtual_time);
        if let Some(debug) = self.debug {
            builder = builder.debug(debug);
        }
        if let Some(n) = self.max_blocking_threads {
            builder = builder.max_blocking_threads(n);
        }
        let executor_timeout = self
            .executor_shutdown_timeout
            .unwrap_or(EXECUTOR_SHUTDOWN_TIMEOUT);
        let event_loop = builder.build()?;
        let previous = context::set_default_core(Some(event_loop.core.clone()));
        struct Restore(
            Option<Option<std::rc::Rc<crate::scheduler::Core>>>,
            EventLoop,
            Duration,
        );
        impl Drop for Restore {
            fn drop(&mut self) {
                let _ = self.1.shutdown_tasks();
                if let Err(Error::Timeout(_)) = self.1.shutdown_default_executor(Some(self.2)) {
                    report::warn(&format!(
                        "the default executor did not finish its running jobs within {:?}; \
                         closing the loop anyway (their results are dropped)",
                        self.2
                    ));
                }
                let _ = self.1.close();
                if let Some(previous) = self.0.take() {
                    context::set_default_core(previous);
                }
            }
        }
        let restore = Restore(Some(previous), event_loop.clone(), executor_timeout);
        let outcome = event_loop.run_until_complete(future);
        drop(restore);
        match outcome {
            Ok(output) => Ok(output),
            Err(Error::Panicked(panic)) => panic.resume(),
            Err(error) => panic!("asyncio::run(): the main task did not finish: {error}"),
        }
    }
}

/// Runs `future` on a new event loop and returns its output (Python's
/// `asyncio.run`). Leftover tasks are cancelled and their cleanups awaited
/// before the loop closes.
///
/// ```
/// async fn answer() -> u32 {
///     asyncio::sleep(0).await;
///     42
/// }
/// assert_eq!(asyncio::run(answer()), 42);
/// ```
///
/// # Panics
/// As [`Runner::run`].
#[track_caller]
pub fn run<F>(future: F) -> F::Output
where
    F: Future + 'static,
    F::Output: 'static,
{
    Runner::new().run(future)
}
