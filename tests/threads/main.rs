//! Threads: `to_thread`, `run_in_executor`, cross-thread wakes and `run_coroutine_threadsafe`.
//!
//! One test binary per area (linking dominates the build); each module
//! was once a binary of its own.

#[path = "../common/mod.rs"]
mod common;

mod run_coroutine_threadsafe;
mod threads;
mod to_thread;
