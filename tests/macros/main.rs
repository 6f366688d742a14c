//! The macros: `#[asyncio::main]`, `#[asyncio::test]` and the compile-fail / compile-pass UI cases.
//!
//! One test binary per area (linking dominates the build); each module
//! was once a binary of its own.

mod macros;
mod ui;
