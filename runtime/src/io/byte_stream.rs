//! A connected byte stream's descriptor ([`ByteStream`]), read and written
//! with as few system calls as the kernel allows.
//!
//! On an edge-triggered socket a read that comes back short of its buffer
//! has drained the kernel's queue, and a short write has filled it; either
//! way the next operation can wait for the poller's report instead of
//! paying a system call to hear `WouldBlock` (tokio does the same). A read
//! that fills the caller's buffer proves nothing, so each read also offers
//! the kernel a per-thread block past the caller's buffer: if that block
//! is not filled too, the read was short. Bytes that land in the block are
//! kept here, and served before the socket is read again.

use std::cell::{Cell, RefCell};
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::os::fd::AsFd;
use std::task::{Context, Poll};

use super::Async;
use crate::scheduler::reactor::Direction;

/// The size of the block a read offers past the caller's buffer.
const AHEAD: usize = 4096;

thread_local! {
    /// The thread's spare block; a stream that keeps bytes keeps the
    /// block they are in, and hands it back once they are read.
    static SPARE: Cell<Option<Box<[u8]>>> = const { Cell::new(None) };
}

fn take_spare() -> Box<[u8]> {
    SPARE
        .take()
        .unwrap_or_else(|| vec![0; AHEAD].into_boxed_slice())
}

fn give_spare(block: Box<[u8]>) {
    SPARE.set(Some(block));
}

/// Bytes read past what a caller asked for, in the block they landed in.
#[derive(Default)]
struct Ahead {
    block: Option<Box<[u8]>>,
    start: usize,
    end: usize,
}

/// A registered, connected byte-stream descriptor (TCP or Unix).
pub(crate) struct ByteStream<T: AsFd> {
    io: Async<T>,
    ahead: RefCell<Ahead>,
}

impl<T: AsFd> ByteStream<T>
where
    for<'a> &'a T: Read + Write,
{
    /// Wraps a registered descriptor.
    pub(crate) fn new(io: Async<T>) -> Self {
        ByteStream {
            io,
            ahead: RefCell::default(),
        }
    }

    /// The wrapped descriptor.
    pub(crate) fn get_ref(&self) -> &T {
        self.io.get_ref()
    }

    /// Reads what is there into `buf` (at least one byte), or 0 at end of
    /// stream: first any bytes read ahead, else from the socket.
    pub(crate) fn poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if let Some(n) = self.take_ahead(buf) {
            return Poll::Ready(Ok(n));
        }
        let mut block = take_spare();
        let polled = self.io.poll_io(Direction::Read, cx, |mut s| {
            s.read_vectored(&mut [IoSliceMut::new(buf), IoSliceMut::new(&mut block)])
        });
        let Poll::Ready(Ok(n)) = polled else {
            give_spare(block);
            return polled;
        };
        if n > 0 && n < buf.len() + block.len() {
            self.io.clear(Direction::Read);
        }
        if n > buf.len() {
            *self.ahead.borrow_mut() = Ahead {
                block: Some(block),
                start: 0,
                end: n - buf.len(),
            };
        } else {
            give_spare(block);
        }
        Poll::Ready(Ok(n.min(buf.len())))
    }

    /// Copies bytes read ahead into `buf`, if there are any.
    fn take_ahead(&self, buf: &mut [u8]) -> Option<usize> {
        let mut ahead = self.ahead.borrow_mut();
        let Ahead { block, start, end } = &mut *ahead;
        let bytes = &block.as_deref()?[*start..*end];
        let n = bytes.len().min(buf.len());
        buf[..n].copy_from_slice(&bytes[..n]);
        *start += n;
        if start == end {
            let block = ahead.block.take().expect("checked above");
            give_spare(block);
        }
        Some(n)
    }

    /// Writes some of `buf`.
    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let polled = self.io.poll_io(Direction::Write, cx, |mut s| s.write(buf));
        self.after_write(polled, buf.len())
    }

    /// Writes some of `bufs`, in order.
    pub(crate) fn poll_write_vectored(
        &self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = self
            .io
            .poll_io(Direction::Write, cx, |mut s| s.write_vectored(bufs));
        self.after_write(polled, bufs.iter().map(|b| b.len()).sum())
    }

    /// A write that took less than it was offered filled the kernel's
    /// buffer: the next one waits for room to be reported.
    fn after_write(
        &self,
        polled: Poll<io::Result<usize>>,
        offered: usize,
    ) -> Poll<io::Result<usize>> {
        if let Poll::Ready(Ok(n)) = polled
            && n > 0
            && n < offered
        {
            self.io.clear(Direction::Write);
        }
        polled
    }
}
