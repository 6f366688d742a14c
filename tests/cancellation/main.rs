//! Cancellation: catch points, async cleanup, foreign futures, timeouts and task groups.
//!
//! One test binary per area (linking dominates the build); each module
//! was once a binary of its own.

#[path = "../common/mod.rs"]
mod common;

mod cancel_foreign;
mod cancellation;
mod task_group;
mod task_group_abort;
mod timeouts;
