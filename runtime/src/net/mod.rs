//! Sockets on the loop's reactor: TCP for now (`TcpListener`,
//! `TcpStream`), each implementing `futures-io`'s `AsyncRead` /
//! `AsyncWrite`. Addresses are resolved on the blocking pool, so a slow
//! lookup never blocks the loop.

mod resolve;
mod tcp;

pub use tcp::{TcpListener, TcpStream};
