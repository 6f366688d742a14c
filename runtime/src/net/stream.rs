//! What every connected byte stream here offers (TCP and Unix alike): the
//! inherent `read` / `write` family, and `futures-io`'s `AsyncRead` /
//! `AsyncWrite` on the stream and on a shared reference to it.

use std::future::poll_fn;
use std::io::{self, Read, Write};
use std::os::fd::AsFd;

use socket2::{SockAddr, Socket};

use crate::io::{Async, ByteStream};
use crate::scheduler::reactor::Direction;

/// `EINPROGRESS` on Linux: a non-blocking connect under way.
const EINPROGRESS: i32 = 115;

/// Starts a non-blocking connect of `socket` to `addr` and waits, without
/// blocking the loop, until it is established; then registers the socket
/// as `T`.
pub(crate) async fn connect<T>(socket: Socket, addr: &SockAddr) -> io::Result<ByteStream<T>>
where
    T: AsFd + From<Socket>,
    for<'a> &'a T: Read + Write,
{
    socket.set_nonblocking(true)?;
    match socket.connect(addr) {
        Ok(()) => {}
        Err(error)
            if error.raw_os_error() == Some(EINPROGRESS)
                || error.kind() == io::ErrorKind::WouldBlock => {}
        Err(error) => return Err(error),
    }
    let probe = socket.try_clone()?;
    let inner = Async::new(T::from(socket))?;
    // Writable once the handshake is over; the outcome is SO_ERROR.
    poll_fn(|cx| {
        inner.poll_io(Direction::Write, cx, |_| match probe.take_error()? {
            Some(error) => Err(error),
            None => match probe.peer_addr() {
                Ok(_) => Ok(()),
                Err(error) if error.kind() == io::ErrorKind::NotConnected => {
                    Err(io::ErrorKind::WouldBlock.into())
                }
                Err(error) => Err(error),
            },
        })
    })
    .await?;
    Ok(ByteStream::new(inner))
}

/// Reads what is there (at least one byte), or 0 at end of stream.
pub(crate) async fn read<T: AsFd>(inner: &ByteStream<T>, buf: &mut [u8]) -> io::Result<usize>
where
    for<'a> &'a T: Read + Write,
{
    poll_fn(|cx| inner.poll_read(cx, buf)).await
}

/// Writes some of `buf`.
pub(crate) async fn write<T: AsFd>(inner: &ByteStream<T>, buf: &[u8]) -> io::Result<usize>
where
    for<'a> &'a T: Read + Write,
{
    poll_fn(|cx| inner.poll_write(cx, buf)).await
}

/// Reads until `buf` is full.
pub(crate) async fn read_exact<T: AsFd>(inner: &ByteStream<T>, mut buf: &mut [u8]) -> io::Result<()>
where
    for<'a> &'a T: Read + Write,
{
    while !buf.is_empty() {
        match read(inner, buf).await? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => buf = &mut buf[n..],
        }
    }
    Ok(())
}

/// Writes all of `buf`.
pub(crate) async fn write_all<T: AsFd>(inner: &ByteStream<T>, mut buf: &[u8]) -> io::Result<()>
where
    for<'a> &'a T: Read + Write,
{
    while !buf.is_empty() {
        match write(inner, buf).await? {
            0 => return Err(io::ErrorKind::WriteZero.into()),
            n => buf = &buf[n..],
        }
    }
    Ok(())
}

/// The inherent byte-stream methods and the `futures-io` impls for `$ty`,
/// a struct whose `inner` field is a `ByteStream` of a std stream.
macro_rules! impl_stream {
    ($ty:ident) => {
        impl $ty {
            /// Reads what is there (at least one byte), or 0 at end of
            /// stream. Cancelled while waiting, it has read nothing.
            ///
            /// # Errors
            /// What `read(2)` reports (`ConnectionReset`, say).
            pub async fn read(&self, buf: &mut [u8]) -> std::io::Result<usize> {
                $crate::net::stream::read(&self.inner, buf).await
            }

            /// Reads exactly `buf.len()` bytes.
            ///
            /// # Errors
            /// `UnexpectedEof` if the stream ends first, or a read's error.
            pub async fn read_exact(&self, buf: &mut [u8]) -> std::io::Result<()> {
                $crate::net::stream::read_exact(&self.inner, buf).await
            }

            /// Writes some of `buf`; returns how much.
            ///
            /// # Errors
            /// What `write(2)` reports (`BrokenPipe`, say).
            pub async fn write(&self, buf: &[u8]) -> std::io::Result<usize> {
                $crate::net::stream::write(&self.inner, buf).await
            }

            /// Writes all of `buf`.
            ///
            /// # Errors
            /// A write's error; `WriteZero` if the socket takes nothing.
            pub async fn write_all(&self, buf: &[u8]) -> std::io::Result<()> {
                $crate::net::stream::write_all(&self.inner, buf).await
            }

            /// Splits the stream into owned read and write halves, each
            /// implementing `futures-io`'s trait, to move into tasks of
            /// their own (`&stream` serves when borrowing will do).
            pub fn into_split(
                self,
            ) -> ($crate::net::ReadHalf<$ty>, $crate::net::WriteHalf<$ty>) {
                $crate::net::split::split(self)
            }

            /// Shuts one or both directions down (`Shutdown::Write`: a
            /// half-close, the peer reads end of stream).
            ///
            /// # Errors
            /// What `shutdown(2)` reports.
            pub fn shutdown(&self, how: std::net::Shutdown) -> std::io::Result<()> {
                self.inner.get_ref().shutdown(how)
            }
        }

        $crate::net::stream::impl_stream!(@io $ty);
        $crate::net::stream::impl_stream!(@io &$ty);
    };
    (@io $ty:ty) => {
        impl futures_io::AsyncRead for $ty {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut [u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                self.inner.poll_read(cx, buf)
            }
        }

        impl futures_io::AsyncWrite for $ty {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                self.inner.poll_write(cx, buf)
            }

            fn poll_write_vectored(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                self.inner.poll_write_vectored(cx, bufs)
            }

            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                // Nothing is buffered here.
                std::task::Poll::Ready(Ok(()))
            }

            fn poll_close(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(self.inner.get_ref().shutdown(std::net::Shutdown::Write))
            }
        }
    };
}

pub(crate) use impl_stream;
