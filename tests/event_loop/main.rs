//! The event loop, tasks and futures: ordering, `run`, introspection, debug reports, OS error paths, error values and names.
//!
//! One test binary per area (linking dominates the build); each module
//! was once a binary of its own.

#[path = "../common/mod.rs"]
mod common;

mod debug_reports;
mod errors;
mod futures;
mod introspection;
mod loop_ordering;
mod names;
mod os_errors;
mod run;
mod tasks;
