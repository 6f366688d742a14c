//! The thread's loops: the running one, and the current one that
//! `get_event_loop()` returns when none runs (Python's event loop policy,
//! per thread).

use std::io;

use super::EventLoop;
use crate::error::RuntimeError;
use crate::scheduler::context;

/// The loop running on this thread (Python's `asyncio.get_running_loop()`).
///
/// ```
/// assert!(asyncio::get_running_loop().is_err()); // no loop runs here
/// asyncio::run(async {
///     let lp = asyncio::get_running_loop().unwrap();
///     assert!(lp.is_running());
/// });
/// ```
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
/// ```
/// use std::{cell::Cell, rc::Rc};
/// let lp = asyncio::new_event_loop().unwrap();
/// asyncio::set_event_loop(Some(lp.clone()));
/// let ran = Rc::new(Cell::new(false));
/// let r = ran.clone();
/// // Scheduled through the thread's current loop: it runs when `lp` runs.
/// asyncio::get_event_loop().unwrap().call_soon(move || r.set(true));
/// lp.run_until_complete(asyncio::sleep(0)).unwrap();
/// assert!(ran.get());
/// asyncio::set_event_loop(None);
/// lp.close().unwrap();
/// ```
///
/// # Errors
/// As [`EventLoopBuilder::build`](crate::EventLoopBuilder::build), when a loop has to be created.
pub fn get_event_loop() -> io::Result<EventLoop> {
    let core = match context::running_core() {
        Some(core) => core,
        None => context::default_core()?,
    };
    Ok(EventLoop { core })
}

/// Sets (or clears) this thread's current loop, which `get_event_loop()`
/// returns when no loop is running.
///
/// ```
/// let lp = asyncio::new_event_loop().unwrap();
/// asyncio::set_event_loop(Some(lp.clone()));
/// assert!(!asyncio::get_event_loop().unwrap().is_closed());
/// lp.close().unwrap();
/// assert!(asyncio::get_event_loop().unwrap().is_closed()); // still the one set
/// asyncio::set_event_loop(None);
/// ```
pub fn set_event_loop(event_loop: Option<EventLoop>) {
    drop(context::set_default_core(event_loop.map(|l| l.core)));
}

/// A new loop (Python's `asyncio.new_event_loop()`); same as `EventLoop::new()`.
///
/// ```
/// let lp = asyncio::new_event_loop().unwrap();
/// assert_eq!(lp.run_until_complete(async { "ran" }).unwrap(), "ran");
/// lp.close().unwrap();
/// ```
///
/// # Errors
/// As [`EventLoopBuilder::build`](crate::EventLoopBuilder::build).
pub fn new_event_loop() -> io::Result<EventLoop> {
    EventLoop::new()
}
