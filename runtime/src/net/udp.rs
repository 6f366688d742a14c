//! UDP: a datagram socket.

use std::future::poll_fn;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};

use super::resolve::resolve;
use crate::io::Async;
use crate::scheduler::reactor::Direction;

/// A UDP socket (what `loop.create_datagram_endpoint` opens).
///
/// ```
/// use asyncio::net::UdpSocket;
///
/// asyncio::run(async {
///     let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
///     let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
///     a.send_to(b"datagram", b.local_addr().unwrap()).await.unwrap();
///     let mut buf = [0; 16];
///     let (n, from) = b.recv_from(&mut buf).await.unwrap();
///     assert_eq!((&buf[..n], from), (&b"datagram"[..], a.local_addr().unwrap()));
/// });
/// ```
pub struct UdpSocket {
    inner: Async<std::net::UdpSocket>,
}

impl UdpSocket {
    /// Binds to `addr` (resolved on the blocking pool).
    ///
    /// # Errors
    /// The lookup failed, every address refused to bind, or no loop is
    /// running.
    pub async fn bind<A: ToSocketAddrs + Send + 'static>(addr: A) -> io::Result<UdpSocket> {
        let mut last = None;
        for addr in resolve(addr).await? {
            match std::net::UdpSocket::bind(addr) {
                Ok(socket) => {
                    socket.set_nonblocking(true)?;
                    return Ok(UdpSocket {
                        inner: Async::new(socket)?,
                    });
                }
                Err(error) => last = Some(error),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("no address to bind")))
    }

    /// Sets the default peer for [`send`](Self::send) and
    /// [`recv`](Self::recv) (resolved on the blocking pool).
    ///
    /// # Errors
    /// The lookup failed or `connect(2)` refused.
    pub async fn connect<A: ToSocketAddrs + Send + 'static>(&self, addr: A) -> io::Result<()> {
        let mut last = None;
        for addr in resolve(addr).await? {
            match self.inner.get_ref().connect(addr) {
                Ok(()) => return Ok(()),
                Err(error) => last = Some(error),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("no address to connect to")))
    }

    /// Sends one datagram to `target`.
    ///
    /// # Errors
    /// What `sendto(2)` reports.
    pub async fn send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        poll_fn(|cx| {
            self.inner
                .poll_io(Direction::Write, cx, |s| s.send_to(buf, target))
        })
        .await
    }

    /// Receives one datagram and its sender. Cancelled while waiting, it
    /// has received nothing.
    ///
    /// # Errors
    /// What `recvfrom(2)` reports.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        poll_fn(|cx| {
            self.inner
                .poll_io(Direction::Read, cx, |s| s.recv_from(buf))
        })
        .await
    }

    /// Sends one datagram to the connected peer.
    ///
    /// # Errors
    /// Not connected, or what `send(2)` reports.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        poll_fn(|cx| self.inner.poll_io(Direction::Write, cx, |s| s.send(buf))).await
    }

    /// Receives one datagram from the connected peer.
    ///
    /// # Errors
    /// Not connected, or what `recv(2)` reports (`ConnectionRefused` after
    /// an ICMP port-unreachable).
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| self.inner.poll_io(Direction::Read, cx, |s| s.recv(buf))).await
    }

    /// The address it is bound to.
    ///
    /// # Errors
    /// What `getsockname(2)` reports.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }

    /// The connected peer's address.
    ///
    /// # Errors
    /// Not connected.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().peer_addr()
    }
}

impl_as_fd!(UdpSocket);

impl std::fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UdpSocket")
            .field("local_addr", &self.local_addr().ok())
            .finish()
    }
}
