//! `asyncio.run` and `asyncio.Runner`: the entry point that owns a loop.

use std::future::Future;

use crate::core::context;
use crate::error::Error;
use crate::event_loop::EventLoop;

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
}

impl Runner {
    /// Default options: debug mode from `ASYNCIO_DEBUG`, the real clock.
    pub fn new() -> Self {
        Runner::default()
    }

    /// Turns debug mode on or off.
    pub fn debug(mut self, on: bool) -> Self {
        self.debug = Some(on);
        self
    }

    /// Runs on a virtual clock (see [`EventLoopBuilder::virtual_time`](crate::EventLoopBuilder::virtual_time)).
    pub fn virtual_time(mut self, on: bool) -> Self {
        self.virtual_time = on;
        self
    }

    /// Creates a loop, runs `future` to completion as the main task, cancels
    /// any tasks left over and waits for their cleanups, closes the loop and
    /// returns the output.
    ///
    /// # Panics
    /// If called while a loop runs on this thread; if the main task panics
    /// (the original panic is resumed) or is cancelled.
    #[track_caller]
    pub fn run<F>(self, future: F) -> F::Output
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
        let event_loop = builder.build();
        let previous = context::set_default_core(Some(event_loop.core.clone()));
        struct Restore(Option<Option<std::rc::Rc<crate::core::Core>>>, EventLoop);
        impl Drop for Restore {
            fn drop(&mut self) {
                let _ = self.1.shutdown_tasks();
                let _ = self.1.close();
                if let Some(previous) = self.0.take() {
                    context::set_default_core(previous);
                }
            }
        }
        let restore = Restore(Some(previous), event_loop.clone());
        let outcome = event_loop.run_until_complete(future);
        drop(restore);
        match outcome {
            Ok(output) => output,
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
