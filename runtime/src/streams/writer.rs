//! asyncio's `StreamWriter`: writes go out at once when the socket takes
//! them, else into a buffer that a flusher task empties; `drain` waits
//! while the buffer is above the high-water mark.

use std::cell::RefCell;
use std::future::poll_fn;
use std::io;
use std::net::Shutdown;
use std::rc::Rc;
use std::task::{Poll, Waker};

use super::transport::Transport;
use crate::task;

/// asyncio's default high-water mark: 64 KiB (the low one is a quarter).
pub const DEFAULT_HIGH_WATER: usize = 64 * 1024;

struct State {
    buffer: Vec<u8>,
    high: usize,
    low: usize,
    /// Whether a flusher task is running.
    flushing: bool,
    closing: bool,
    closed: bool,
    /// The first write error; later writes and drains report it.
    error: Option<io::ErrorKind>,
    /// `drain` and `wait_closed` callers waiting for the flusher.
    waiters: Vec<Waker>,
}

/// The write side of a connection (Python's `StreamWriter`).
///
/// `write` never waits: it sends what the socket takes and buffers the
/// rest for a flusher task. Await [`drain`](Self::drain) after writing, as
/// in Python, so that a slow reader makes the writer wait instead of the
/// buffer growing without bound.
pub struct StreamWriter {
    transport: Rc<dyn Transport>,
    state: Rc<RefCell<State>>,
}

impl StreamWriter {
    pub(crate) fn new(transport: Rc<dyn Transport>) -> Self {
        StreamWriter {
            transport,
            state: Rc::new(RefCell::new(State {
                buffer: Vec::new(),
                high: DEFAULT_HIGH_WATER,
                low: DEFAULT_HIGH_WATER / 4,
                flushing: false,
                closing: false,
                closed: false,
                error: None,
                waiters: Vec::new(),
            })),
        }
    }

    /// Sends `data`, buffering what the socket does not take now (Python's
    /// `write`). Ignored once closing, as Python's transport does after
    /// `close()` (it logs instead).
    pub fn write(&self, data: &[u8]) {
        let mut state = self.state.borrow_mut();
        if state.closing || state.error.is_some() || data.is_empty() {
            return;
        }
        let mut data = data;
        if state.buffer.is_empty() {
            // Straight to the socket when nothing waits before it.
            let waker = Waker::noop();
            let mut cx = std::task::Context::from_waker(waker);
            match self.transport.poll_write(&mut cx, data) {
                Poll::Ready(Ok(n)) => data = &data[n..],
                Poll::Ready(Err(error)) => {
                    state.error = Some(error.kind());
                    return;
                }
                Poll::Pending => {}
            }
        }
        if !data.is_empty() {
            state.buffer.extend_from_slice(data);
            self.start_flusher(&mut state);
        }
    }

    /// Writes each buffer in turn (Python's `writelines`).
    pub fn writelines<'a>(&self, lines: impl IntoIterator<Item = &'a [u8]>) {
        for line in lines {
            self.write(line);
        }
    }

    fn start_flusher(&self, state: &mut State) {
        if state.flushing {
            return;
        }
        state.flushing = true;
        let transport = self.transport.clone();
        let shared = self.state.clone();
        drop(task::create_task(
            async move { flush(transport, shared).await },
        ));
    }

    /// Waits until the buffer is at or below the low-water mark (at once
    /// if it is not above the high one: Python's `drain`).
    ///
    /// # Errors
    /// The connection failed while writing (reset by the peer, say).
    pub async fn drain(&self) -> io::Result<()> {
        {
            let state = self.state.borrow();
            if let Some(kind) = state.error {
                return Err(kind.into());
            }
            if state.buffer.len() <= state.high {
                return Ok(());
            }
        }
        poll_fn(|cx| {
            let mut state = self.state.borrow_mut();
            if let Some(kind) = state.error {
                return Poll::Ready(Err(kind.into()));
            }
            if state.buffer.len() <= state.low {
                return Poll::Ready(Ok(()));
            }
            state.waiters.push(cx.waker().clone());
            Poll::Pending
        })
        .await
    }

    /// Sets the write buffer's water marks (Python's
    /// `transport.set_write_buffer_limits`); `low` defaults to `high / 4`.
    pub fn set_write_buffer_limits(&self, high: usize, low: Option<usize>) {
        let mut state = self.state.borrow_mut();
        state.high = high;
        state.low = low.unwrap_or(high / 4).min(high);
    }

    /// Bytes buffered, not yet taken by the socket.
    pub fn buffer_size(&self) -> usize {
        self.state.borrow().buffer.len()
    }

    /// Closes the write side once the buffer is sent (Python's `close`);
    /// the socket closes when the reader is dropped too.
    pub fn close(&self) {
        let mut state = self.state.borrow_mut();
        if state.closing {
            return;
        }
        state.closing = true;
        if state.buffer.is_empty() && !state.flushing {
            let _ = self.transport.shutdown(Shutdown::Write);
            state.closed = true;
        }
    }

    /// Whether [`close`](Self::close) was called.
    pub fn is_closing(&self) -> bool {
        self.state.borrow().closing
    }

    /// Waits until the buffer is sent and the write side closed (Python's
    /// `wait_closed`).
    ///
    /// # Errors
    /// The connection failed while sending the rest.
    pub async fn wait_closed(&self) -> io::Result<()> {
        poll_fn(|cx| {
            let mut state = self.state.borrow_mut();
            if let Some(kind) = state.error {
                return Poll::Ready(Err(kind.into()));
            }
            if state.closed {
                return Poll::Ready(Ok(()));
            }
            state.waiters.push(cx.waker().clone());
            Poll::Pending
        })
        .await
    }

    /// The peer's address (`get_extra_info('peername')`).
    pub fn peername(&self) -> Option<String> {
        self.transport.peername()
    }

    /// This end's address (`get_extra_info('sockname')`).
    pub fn sockname(&self) -> Option<String> {
        self.transport.sockname()
    }
}

/// The flusher task: writes the buffer out as the socket takes it, wakes
/// `drain` / `wait_closed` waiters, and closes the write side after the
/// last byte if `close` was called.
async fn flush(transport: Rc<dyn Transport>, shared: Rc<RefCell<State>>) {
    let outcome = poll_fn(|cx| {
        loop {
            let mut state = shared.borrow_mut();
            if state.buffer.is_empty() {
                return Poll::Ready(Ok(()));
            }
            match transport.poll_write(cx, &state.buffer) {
                Poll::Ready(Ok(n)) => {
                    state.buffer.drain(..n);
                    if state.buffer.len() <= state.low {
                        for waker in state.waiters.drain(..) {
                            waker.wake();
                        }
                    }
                }
                Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                Poll::Pending => return Poll::Pending,
            }
        }
    })
    .await;
    let mut state = shared.borrow_mut();
    state.flushing = false;
    match outcome {
        Ok(()) => {
            if state.closing && !state.closed {
                let _ = transport.shutdown(Shutdown::Write);
                state.closed = true;
            }
        }
        Err(error) => {
            state.error = Some(error.kind());
            state.buffer.clear();
        }
    }
    for waker in state.waiters.drain(..) {
        waker.wake();
    }
}

impl std::fmt::Debug for StreamWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state.borrow();
        f.debug_struct("StreamWriter")
            .field("buffered", &state.buffer.len())
            .field("closing", &state.closing)
            .finish()
    }
}
