//! Unix domain sockets: a listener and a stream on a filesystem path.

use std::future::poll_fn;
use std::io;
use std::os::unix::net::SocketAddr;
use std::path::Path;

use socket2::{Domain, SockAddr, Socket, Type};

use super::stream;
use crate::io::{Async, ByteStream};
use crate::scheduler::reactor::Direction;

/// A Unix domain listening socket (`asyncio.start_unix_server`'s).
///
/// ```
/// use asyncio::net::{UnixListener, UnixStream};
///
/// asyncio::run(async {
///     let path = std::env::temp_dir().join(format!("asyncio-doc-{}.sock", std::process::id()));
///     let _ = std::fs::remove_file(&path);
///     let listener = UnixListener::bind(&path).unwrap();
///     let client = {
///         let path = path.clone();
///         asyncio::create_task(async move {
///             let stream = UnixStream::connect(&path).await.unwrap();
///             stream.write_all(b"hi").await.unwrap();
///         })
///     };
///     let (stream, _) = listener.accept().await.unwrap();
///     let mut buf = [0; 2];
///     stream.read_exact(&mut buf).await.unwrap();
///     assert_eq!(&buf, b"hi");
///     client.await.unwrap();
///     std::fs::remove_file(&path).unwrap();
/// });
/// ```
pub struct UnixListener {
    inner: Async<std::os::unix::net::UnixListener>,
}

impl UnixListener {
    /// Binds to `path` and listens. (A path is not looked up, so this does
    /// not wait.)
    ///
    /// # Errors
    /// The path is in use or cannot be created, or no loop is running.
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        let listener = std::os::unix::net::UnixListener::bind(path)?;
        listener.set_nonblocking(true)?;
        Ok(UnixListener {
            inner: Async::new(listener)?,
        })
    }

    /// Waits for a connection. Cancelled while waiting, it takes none.
    ///
    /// # Errors
    /// What `accept(2)` reports.
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        let (stream, peer) =
            poll_fn(|cx| self.inner.poll_io(Direction::Read, cx, |l| l.accept())).await?;
        stream.set_nonblocking(true)?;
        Ok((
            UnixStream {
                inner: ByteStream::new(Async::new(stream)?),
            },
            peer,
        ))
    }

    /// The address it is bound to.
    ///
    /// # Errors
    /// What `getsockname(2)` reports.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }
}

/// A Unix domain stream; implements `futures-io`'s `AsyncRead`,
/// `AsyncWrite` (also on `&UnixStream`).
pub struct UnixStream {
    inner: ByteStream<std::os::unix::net::UnixStream>,
}

impl UnixStream {
    /// Connects to the socket at `path` without blocking the loop.
    ///
    /// # Errors
    /// Nobody listens there (`ConnectionRefused`, `NotFound`), or no loop
    /// is running.
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let socket = Socket::new(Domain::UNIX, Type::STREAM, None)?;
        let addr = SockAddr::unix(path)?;
        Ok(UnixStream {
            inner: stream::connect(socket, &addr).await?,
        })
    }

    /// A connected pair (Python's `socket.socketpair()`).
    ///
    /// # Errors
    /// What `socketpair(2)` reports, or no loop is running.
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = std::os::unix::net::UnixStream::pair()?;
        a.set_nonblocking(true)?;
        b.set_nonblocking(true)?;
        Ok((
            UnixStream {
                inner: ByteStream::new(Async::new(a)?),
            },
            UnixStream {
                inner: ByteStream::new(Async::new(b)?),
            },
        ))
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
}

stream::impl_stream!(UnixStream);

impl_as_fd!(UnixListener, UnixStream);

impl std::fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnixListener")
            .field("local_addr", &self.local_addr().ok())
            .finish()
    }
}

impl std::fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnixStream")
            .field("peer_addr", &self.peer_addr().ok())
            .finish()
    }
}
