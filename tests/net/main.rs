//! Sockets on the loop's reactor, over loopback only.

#[path = "../common/mod.rs"]
mod common;

mod streams;
mod tcp;
mod unix_udp;
