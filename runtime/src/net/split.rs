//! Owned halves of a byte stream, for a reader task and a writer task
//! (`&stream` is both already; these own it, so each half can move into a
//! task of its own).

use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

/// The read half of a stream split with `into_split`.
#[derive(Debug)]
pub struct ReadHalf<T> {
    stream: Rc<T>,
}

/// The write half of a stream split with `into_split`; closing it (or
/// `poll_close`) shuts the write direction down.
#[derive(Debug)]
pub struct WriteHalf<T> {
    stream: Rc<T>,
}

/// Splits `stream` into owned halves.
pub(crate) fn split<T>(stream: T) -> (ReadHalf<T>, WriteHalf<T>) {
    let stream = Rc::new(stream);
    (
        ReadHalf {
            stream: stream.clone(),
        },
        WriteHalf { stream },
    )
}

impl<T> ReadHalf<T> {
    /// Puts the halves back together; gives them back if they are not
    /// halves of the same stream.
    ///
    /// # Errors
    /// The halves come from different streams.
    pub fn reunite(self, other: WriteHalf<T>) -> Result<T, (ReadHalf<T>, WriteHalf<T>)> {
        if !Rc::ptr_eq(&self.stream, &other.stream) {
            return Err((self, other));
        }
        drop(other);
        Ok(Rc::into_inner(self.stream).expect("only the two halves held the stream"))
    }

    /// The stream both halves share.
    pub fn get_ref(&self) -> &T {
        &self.stream
    }
}

impl<T> WriteHalf<T> {
    /// The stream both halves share.
    pub fn get_ref(&self) -> &T {
        &self.stream
    }
}

impl<T> AsyncRead for ReadHalf<T>
where
    for<'a> &'a T: AsyncRead,
{
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut &*self.stream).poll_read(cx, buf)
    }
}

impl<T> AsyncWrite for WriteHalf<T>
where
    for<'a> &'a T: AsyncWrite,
{
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut &*self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut &*self.stream).poll_write_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut &*self.stream).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut &*self.stream).poll_close(cx)
    }
}
