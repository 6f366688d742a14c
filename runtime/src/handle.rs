//! Handles to scheduled callbacks (Python's `asyncio.Handle` and `TimerHandle`).

use std::fmt;
use std::rc::{Rc, Weak};

use crate::scheduler::Core;
use crate::scheduler::clock::nanos_to_secs;
use crate::scheduler::ready::CallbackCell;

/// A callback scheduled with `call_soon`; `cancel()` stops it from running.
///
/// ```
/// let lp = asyncio::EventLoop::new().unwrap();
/// let handle = lp.call_soon(|| unreachable!("cancelled before it ran"));
/// handle.cancel();
/// assert!(handle.cancelled());
/// lp.run_until_complete(asyncio::sleep(0)).unwrap();
/// lp.close().unwrap();
/// ```
pub struct Handle {
    cell: Rc<CallbackCell>,
}

impl Handle {
    pub(crate) fn new(cell: Rc<CallbackCell>) -> Self {
        Handle { cell }
    }

    /// Stops the callback from running (no effect if it already ran).
    ///
    /// ```
    /// let lp = asyncio::EventLoop::new().unwrap();
    /// let handle = lp.call_soon(|| unreachable!("cancelled before it ran"));
    /// handle.cancel();
    /// lp.run_until_complete(asyncio::sleep(0)).unwrap();
    /// lp.close().unwrap();
    /// ```
    pub fn cancel(&self) {
        self.cell.cancel();
    }

    /// Whether `cancel()` stopped the callback before it ran.
    ///
    /// ```
    /// let lp = asyncio::EventLoop::new().unwrap();
    /// let handle = lp.call_soon(|| ());
    /// assert!(!handle.cancelled());
    /// handle.cancel();
    /// assert!(handle.cancelled());
    /// lp.close().unwrap();
    /// ```
    pub fn cancelled(&self) -> bool {
        self.cell.was_cancelled()
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.cancelled() { "cancelled " } else { "" };
        write!(f, "<Handle {state}scheduled at {}>", self.cell.location)
    }
}

/// A callback scheduled with `call_later`/`call_at`.
///
/// ```
/// let lp = asyncio::EventLoop::builder().virtual_time(true).build().unwrap();
/// let timer = lp.call_later(5, || unreachable!("cancelled before its deadline"));
/// assert_eq!(timer.when(), 5.0);
/// timer.cancel();
/// lp.run_until_complete(asyncio::sleep(10)).unwrap();
/// assert!(timer.cancelled());
/// lp.close().unwrap();
/// ```
pub struct TimerHandle {
    cell: Rc<CallbackCell>,
    when: u64,
    core: Weak<Core>,
}

impl TimerHandle {
    pub(crate) fn new(cell: Rc<CallbackCell>, when: u64, core: Weak<Core>) -> Self {
        TimerHandle { cell, when, core }
    }

    /// Stops the callback from running (no effect if it already ran).
    ///
    /// ```
    /// let lp = asyncio::EventLoop::builder().virtual_time(true).build().unwrap();
    /// let timer = lp.call_later(1, || unreachable!("cancelled before its deadline"));
    /// timer.cancel();
    /// lp.run_until_complete(asyncio::sleep(2)).unwrap();
    /// lp.close().unwrap();
    /// ```
    pub fn cancel(&self) {
        if self.cell.cancel()
            && let Some(core) = self.core.upgrade()
        {
            core.timer_cancelled();
        }
    }

    /// Whether `cancel()` stopped the callback before it ran.
    ///
    /// ```
    /// let lp = asyncio::EventLoop::new().unwrap();
    /// let timer = lp.call_later(1, || ());
    /// assert!(!timer.cancelled());
    /// timer.cancel();
    /// assert!(timer.cancelled());
    /// lp.close().unwrap();
    /// ```
    pub fn cancelled(&self) -> bool {
        self.cell.was_cancelled()
    }

    /// When the callback is due, on the loop's clock (`EventLoop::time`).
    ///
    /// ```
    /// let lp = asyncio::EventLoop::builder().virtual_time(true).build().unwrap();
    /// lp.run_until_complete(asyncio::sleep(2)).unwrap();
    /// let timer = lp.call_later(3, || ());
    /// assert_eq!(timer.when(), 5.0); // loop time, not the delay
    /// lp.close().unwrap();
    /// ```
    pub fn when(&self) -> f64 {
        nanos_to_secs(self.when)
    }
}

impl fmt::Debug for TimerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.cancelled() { "cancelled " } else { "" };
        write!(
            f,
            "<TimerHandle {state}when={:.3} scheduled at {}>",
            self.when(),
            self.cell.location
        )
    }
}
