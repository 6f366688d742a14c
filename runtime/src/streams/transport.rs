//! What a stream's reader and writer share: the connected socket (TCP or
//! Unix), behind one trait so the streams need not be generic.

use std::io;
use std::net::Shutdown;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use crate::net::{TcpStream, UnixStream};

/// A connected byte stream the streams read from and write to.
pub(crate) trait Transport {
    fn poll_read(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>>;
    fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>>;
    fn shutdown(&self, how: Shutdown) -> io::Result<()>;
    /// The peer's address, as text (`get_extra_info('peername')`).
    fn peername(&self) -> Option<String>;
    /// This end's address, as text (`get_extra_info('sockname')`).
    fn sockname(&self) -> Option<String>;
}

macro_rules! transport {
    ($ty:ty) => {
        impl Transport for $ty {
            fn poll_read(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
                Pin::new(&mut &*self).poll_read(cx, buf)
            }

            fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
                Pin::new(&mut &*self).poll_write(cx, buf)
            }

            fn shutdown(&self, how: Shutdown) -> io::Result<()> {
                <$ty>::shutdown(self, how)
            }

            fn peername(&self) -> Option<String> {
                self.peer_addr().ok().map(|a| format!("{a:?}"))
            }

            fn sockname(&self) -> Option<String> {
                self.local_addr().ok().map(|a| format!("{a:?}"))
            }
        }
    };
}

transport!(TcpStream);
transport!(UnixStream);
