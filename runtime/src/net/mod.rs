//! Sockets on the loop's reactor: TCP (`TcpListener`, `TcpStream`), UDP
//! (`UdpSocket`) and Unix domain (`UnixListener`, `UnixStream`), the
//! streams implementing `futures-io`'s `AsyncRead` /
//! `AsyncWrite`. Addresses are resolved on the blocking pool, so a slow
//! lookup never blocks the loop.

/// The descriptor under a socket, for socket options this crate does not
/// wrap (`SO_LINGER`, `SO_KEEPALIVE`, ...) through `socket2` or `libc`, as
/// tokio's sockets offer it. Reading or writing through the descriptor
/// itself bypasses the stream's read-ahead buffer and readiness tracking.
macro_rules! impl_as_fd {
    ($($socket:ty),*) => {$(
        impl std::os::fd::AsFd for $socket {
            fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
                self.inner.get_ref().as_fd()
            }
        }

        impl std::os::fd::AsRawFd for $socket {
            fn as_raw_fd(&self) -> std::os::fd::RawFd {
                std::os::fd::AsRawFd::as_raw_fd(self.inner.get_ref())
            }
        }
    )*};
}

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
