//! TCP: a listener and a stream, registered with the running loop.

use std::future::poll_fn;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use super::resolve::resolve;
use super::stream;
use crate::io::{Async, ByteStream};
use crate::scheduler::reactor::Direction;

/// A TCP listening socket (what `asyncio.start_server` listens on).
///
/// ```
/// use asyncio::net::{TcpListener, TcpStream};
///
/// asyncio::run(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
///     let addr = listener.local_addr().unwrap();
///     let client = asyncio::create_task(async move {
///         let stream = TcpStream::connect(addr).await.unwrap();
///         stream.write_all(b"ping").await.unwrap();
///     });
///     let (stream, _peer) = listener.accept().await.unwrap();
///     let mut buf = [0; 4];
///     stream.read_exact(&mut buf).await.unwrap();
///     assert_eq!(&buf, b"ping");
///     client.await.unwrap();
/// });
/// ```
pub struct TcpListener {
    inner: Async<std::net::TcpListener>,
}

impl TcpListener {
    /// Binds to `addr` (resolved on the blocking pool; each address tried
    /// in turn) and listens, with `SO_REUSEADDR` as asyncio sets it.
    ///
    /// # Errors
    /// The lookup failed, every address refused to bind (in use, say), or
    /// no loop is running.
    pub async fn bind<A: ToSocketAddrs + Send + 'static>(addr: A) -> io::Result<TcpListener> {
        let mut last = None;
        for addr in resolve(addr).await? {
            match Self::bind_one(addr) {
                Ok(listener) => return Ok(listener),
                Err(error) => last = Some(error),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("no address to bind")))
    }

    fn bind_one(addr: SocketAddr) -> io::Result<TcpListener> {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        socket.set_reuse_address(true)?;
        socket.set_nonblocking(true)?;
        socket.bind(&SockAddr::from(addr))?;
        socket.listen(1024)?;
        Ok(TcpListener {
            inner: Async::new(std::net::TcpListener::from(socket))?,
        })
    }

    /// Waits for a connection. Cancelled while waiting, it takes none:
    /// the next `accept` gets it.
    ///
    /// # Errors
    /// What `accept(2)` reports (out of descriptors, say).
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (stream, peer) =
            poll_fn(|cx| self.inner.poll_io(Direction::Read, cx, |l| l.accept())).await?;
        stream.set_nonblocking(true)?;
        Ok((TcpStream::from_std(stream)?, peer))
    }

    /// The address it is bound to.
    ///
    /// # Errors
    /// What `getsockname(2)` reports.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }
}

/// A TCP connection; implements `futures-io`'s `AsyncRead`, `AsyncWrite`
/// (also on `&TcpStream`, so one task may read while another writes).
pub struct TcpStream {
    inner: ByteStream<std::net::TcpStream>,
}

impl TcpStream {
    /// Connects to `addr` (resolved on the blocking pool), trying each
    /// address in turn, without blocking the loop.
    ///
    /// # Errors
    /// The lookup failed, or every address refused the connection
    /// (`ConnectionRefused`), or no loop is running.
    pub async fn connect<A: ToSocketAddrs + Send + 'static>(addr: A) -> io::Result<TcpStream> {
        let mut last = None;
        for addr in resolve(addr).await? {
            match Self::connect_one(addr).await {
                Ok(stream) => return Ok(stream),
                Err(error) => last = Some(error),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("no address to connect to")))
    }

    async fn connect_one(addr: SocketAddr) -> io::Result<TcpStream> {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        Ok(TcpStream {
            inner: stream::connect(socket, &SockAddr::from(addr)).await?,
        })
    }

    fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        Ok(TcpStream {
            inner: ByteStream::new(Async::new(stream)?),
        })
    }

    /// The peer's address.
    ///
    /// # Errors
    /// What `getpeername(2)` reports.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().peer_addr()
    }

    /// This end's address.
    ///
    /// # Errors
    /// What `getsockname(2)` reports.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }

    /// Turns Nagle's algorithm off (`true`) or on.
    ///
    /// # Errors
    /// What `setsockopt(2)` reports.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.inner.get_ref().set_nodelay(nodelay)
    }

    /// Whether Nagle's algorithm is off.
    ///
    /// # Errors
    /// What `getsockopt(2)` reports.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.inner.get_ref().nodelay()
    }
}

crate::net::stream::impl_stream!(TcpStream);

impl_as_fd!(TcpListener, TcpStream);

impl std::fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpListener")
            .field("local_addr", &self.local_addr().ok())
            .finish()
    }
}

impl std::fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpStream")
            .field("local_addr", &self.local_addr().ok())
            .field("peer_addr", &self.peer_addr().ok())
            .finish()
    }
}
