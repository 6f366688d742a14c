//! `LoopHandle`: the `Send + Sync` way to reach a loop from other threads.

use std::fmt;
use std::sync::Arc;

use crate::error::RuntimeError;
use crate::scheduler::shared::{Remote, Shared};

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
    /// ```
    /// use std::sync::mpsc;
    /// let lp = asyncio::EventLoop::new().unwrap();
    /// let handle = lp.handle();
    /// let (tx, rx) = mpsc::channel();
    /// std::thread::spawn(move || {
    ///     let stopper = handle.clone();
    ///     handle
    ///         .call_soon_threadsafe(move || {
    ///             tx.send(std::thread::current().id()).unwrap();
    ///             stopper.stop();
    ///         })
    ///         .unwrap();
    /// });
    /// lp.run_forever().unwrap(); // woken by the other thread's callback
    /// assert_eq!(rx.recv().unwrap(), std::thread::current().id()); // ran here
    /// lp.close().unwrap();
    /// assert!(lp.handle().call_soon_threadsafe(|| ()).is_err());
    /// ```
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
    ///
    /// ```
    /// let lp = asyncio::EventLoop::new().unwrap();
    /// let handle = lp.handle();
    /// lp.call_later(0.01, move || {
    ///     std::thread::spawn(move || handle.stop()).join().unwrap();
    /// });
    /// lp.run_forever().unwrap();
    /// lp.close().unwrap();
    /// ```
    pub fn stop(&self) {
        self.shared.push(Remote::Stop);
    }

    /// Whether the loop was closed.
    ///
    /// ```
    /// let lp = asyncio::EventLoop::new().unwrap();
    /// let handle = lp.handle();
    /// lp.close().unwrap();
    /// assert!(std::thread::spawn(move || handle.is_closed()).join().unwrap());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }
}

impl fmt::Debug for LoopHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<LoopHandle closed={}>", self.is_closed())
    }
}
