//! Sockets on the loop's reactor, over loopback only.

#[path = "../common/mod.rs"]
mod common;

mod hyper_on_loop;
mod read_ahead;
mod real_clients;
mod streams;
mod tcp;
mod tokio_bridge;
mod unix_udp;
