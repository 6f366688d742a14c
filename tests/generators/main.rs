//! Async generators: `async_gen!`, the protocol, cleanup, concurrency, consumption and ports of other crates' behaviours.
//!
//! One test binary per area (linking dominates the build); each module
//! was once a binary of its own.

#[path = "../common/mod.rs"]
mod common;

mod generator_basics;
mod generator_cleanup;
mod generator_concurrency;
mod generator_consume;
mod generator_ports;
mod generator_protocol;
