//! asyncio's streams: `open_connection` / `start_server` and their Unix
//! variants, giving a [`StreamReader`] (buffered reads: `readline`,
//! `readuntil`, `readexactly`) and a [`StreamWriter`] (buffered writes
//! with `drain` flow control) over a TCP or Unix socket.
//!
//! ```
//! use asyncio::streams::{open_connection, start_server};
//!
//! asyncio::run(async {
//!     // An echo server, line by line.
//!     let server = start_server(
//!         |mut reader, writer| async move {
//!             while let Ok(line) = reader.readline().await {
//!                 if line.is_empty() {
//!                     break;
//!                 }
//!                 writer.write(&line);
//!                 let _ = writer.drain().await;
//!             }
//!         },
//!         "127.0.0.1:0",
//!     )
//!     .await
//!     .unwrap();
//!     let (mut reader, writer) = open_connection(server.addrs()[0]).await.unwrap();
//!     writer.write(b"hello\n");
//!     writer.drain().await.unwrap();
//!     assert_eq!(reader.readline().await.unwrap(), b"hello\n");
//!     server.close();
//! });
//! ```

mod error;
mod reader;
mod server;
mod transport;
mod writer;

use std::future::Future;
use std::io;
use std::net::ToSocketAddrs;
use std::path::Path;
use std::rc::Rc;

pub use error::StreamError;
pub use reader::{DEFAULT_LIMIT, StreamReader};
pub use server::Server;
pub use writer::{DEFAULT_HIGH_WATER, StreamWriter};

use crate::net::{TcpListener, TcpStream, UnixListener, UnixStream};
use transport::Transport;

fn split(transport: Rc<dyn Transport>) -> (StreamReader, StreamWriter) {
    (
        StreamReader::new(transport.clone(), DEFAULT_LIMIT),
        StreamWriter::new(transport),
    )
}

/// Connects to `addr` (`"host:port"`, `(host, port)`, a `SocketAddr`) and
/// returns the connection's reader and writer (Python's
/// `asyncio.open_connection(host, port)`).
///
/// # Errors
/// The lookup failed or the connection was refused.
pub async fn open_connection<A: ToSocketAddrs + Send + 'static>(
    addr: A,
) -> io::Result<(StreamReader, StreamWriter)> {
    let stream = TcpStream::connect(addr).await?;
    Ok(split(Rc::new(stream)))
}

/// Connects to the Unix socket at `path` (Python's
/// `asyncio.open_unix_connection`).
///
/// # Errors
/// Nobody listens there.
pub async fn open_unix_connection(
    path: impl AsRef<Path>,
) -> io::Result<(StreamReader, StreamWriter)> {
    let stream = UnixStream::connect(path).await?;
    Ok(split(Rc::new(stream)))
}

/// Listens on `addr` and runs `callback(reader, writer)` in a task of its
/// own for each connection (Python's `asyncio.start_server`).
///
/// # Errors
/// The lookup failed or the address could not be bound (in use, say).
pub async fn start_server<F, Fut, A>(callback: F, addr: A) -> io::Result<Server>
where
    F: Fn(StreamReader, StreamWriter) -> Fut + 'static,
    Fut: Future<Output = ()> + 'static,
    A: ToSocketAddrs + Send + 'static,
{
    let listener = TcpListener::bind(addr).await?;
    let addrs = vec![listener.local_addr()?];
    Ok(server::serve(
        listener,
        addrs,
        DEFAULT_LIMIT,
        Rc::new(move |reader, writer| Box::pin(callback(reader, writer))),
    ))
}

/// Listens on the Unix socket `path` (Python's
/// `asyncio.start_unix_server`).
///
/// # Errors
/// The path is in use or cannot be created, or no loop is running.
pub fn start_unix_server<F, Fut>(callback: F, path: impl AsRef<Path>) -> io::Result<Server>
where
    F: Fn(StreamReader, StreamWriter) -> Fut + 'static,
    Fut: Future<Output = ()> + 'static,
{
    let listener = UnixListener::bind(path)?;
    Ok(server::serve(
        listener,
        Vec::new(),
        DEFAULT_LIMIT,
        Rc::new(move |reader, writer| Box::pin(callback(reader, writer))),
    ))
}
