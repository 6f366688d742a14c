//! The concurrency toolkit: gather, wait, as_completed and the sync primitives.
//!
//! One test binary per area (linking dominates the build); each module
//! was once a binary of its own.

#[path = "../common/mod.rs"]
mod common;

mod as_completed;
mod gather;
mod sync_barrier;
mod sync_condition;
mod sync_event;
mod sync_lock;
mod sync_queue;
mod sync_semaphore;
mod sync_timeouts;
mod wait;
