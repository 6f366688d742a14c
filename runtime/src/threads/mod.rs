//! Threads: blocking work off the loop (`to_thread`, `run_in_executor`)
//! and coroutines submitted to a loop from other threads
//! (`run_coroutine_threadsafe`).
//!
//! Work sent to the loop's blocking pool reports back through the loop's
//! thread-safe queue, which wakes the loop if it is blocked in the OS; the
//! loop counts such work as outstanding, so a virtual clock waits for it
//! instead of jumping ahead.

mod concurrent;
mod pool;
mod to_thread;

pub use concurrent::{ConcurrentFuture, run_coroutine_threadsafe};
pub use pool::BlockingPoolStats;
pub use to_thread::{ToThread, to_thread};
