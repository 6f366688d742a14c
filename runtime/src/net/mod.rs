//! Sockets on the loop's reactor: TCP (`TcpListener`, `TcpStream`), UDP
//! (`UdpSocket`) and Unix domain (`UnixListener`, `UnixStream`), the
//! streams implementing `futures-io`'s `AsyncRead` /
//! `AsyncWrite`. Addresses are resolved on the blocking pool, so a slow
//! lookup never blocks the loop.

mod resolve;
pub(crate) mod split;
mod stream;
mod tcp;
mod udp;
mod unix;

pub use split::{ReadHalf, WriteHalf};
pub use tcp::{TcpListener, TcpStream};
pub use udp::UdpSocket;
pub use unix::{UnixListener, UnixStream};
