//! Async context managers: `async_context!`, `AsyncContextManager`,
//! `async_with!`, `AsyncExitStack`, and the runtime's own managers.
//!
//! Ports the behaviours CPython's `test_contextlib_async` checks for
//! `asynccontextmanager` and `AsyncExitStack` (written afresh), plus
//! cancellation, panics and the loop's async cleanup.

#[path = "../common/mod.rs"]
mod common;

mod cancellation;
mod exit_stack;
mod generator_form;
mod in_generators;
mod interleavings;
mod primitives;
mod trait_form;
