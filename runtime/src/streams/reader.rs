//! asyncio's `StreamReader`: a buffer over the socket's read side.

use std::future::poll_fn;
use std::io;
use std::rc::Rc;
use std::task::Poll;

use super::error::StreamError;
use super::transport::Transport;

/// asyncio's default limit for `readline` / `readuntil`: 64 KiB.
pub const DEFAULT_LIMIT: usize = 64 * 1024;

/// How much one read from the socket asks for, at most.
const CHUNK: usize = 64 * 1024;

/// A read through the stack, when the buffer has no room of its own.
const SMALL_CHUNK: usize = 4 * 1024;

/// The read side of a connection (Python's `StreamReader`), made by
/// [`open_connection`](super::open_connection) and
/// [`start_server`](super::start_server).
///
/// Every method reads into the reader's buffer first and takes from it only
/// when it returns, so a read that is cancelled (a `wait_for` that timed
/// out) loses nothing: the bytes stay for the next read.
pub struct StreamReader {
    transport: Rc<dyn Transport>,
    buffer: Vec<u8>,
    eof: bool,
    limit: usize,
}

impl StreamReader {
    pub(crate) fn new(transport: Rc<dyn Transport>, limit: usize) -> Self {
        StreamReader {
            transport,
            buffer: Vec::new(),
            eof: false,
            limit,
        }
    }

    /// Reads from the socket once, appending to the buffer; `false` at end
    /// of stream.
    async fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        let transport = self.transport.clone();
        let buffer = &mut self.buffer;
        let n = poll_fn(|cx| {
            let spare = buffer.capacity() - buffer.len();
            if spare >= SMALL_CHUNK {
                // Into the buffer's own spare room, grown and shrunk within
                // one poll: a read that is cancelled leaves it as it was.
                let start = buffer.len();
                buffer.resize(start + spare.min(CHUNK), 0);
                let polled = transport.poll_read(cx, &mut buffer[start..]);
                let got = match &polled {
                    Poll::Ready(Ok(n)) => *n,
                    _ => 0,
                };
                buffer.truncate(start + got);
                return polled;
            }
            // No room: through the stack, so that an idle connection's
            // reader holds no buffer while it waits.
            let mut chunk = [0u8; SMALL_CHUNK];
            let polled = transport.poll_read(cx, &mut chunk);
            if let Poll::Ready(Ok(n)) = &polled {
                buffer.extend_from_slice(&chunk[..*n]);
            }
            polled
        })
        .await?;
        if n == 0 {
            self.eof = true;
        }
        Ok(n > 0)
    }

    fn take(&mut self, n: usize) -> Vec<u8> {
        let rest = self.buffer.split_off(n);
        std::mem::replace(&mut self.buffer, rest)
    }

    /// Up to `n` bytes: what is buffered, else one read's worth; empty at
    /// end of stream (Python's `read(n)`).
    ///
    /// # Errors
    /// The socket failed.
    pub async fn read(&mut self, n: usize) -> io::Result<Vec<u8>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        if self.buffer.is_empty() {
            self.fill().await?;
        }
        let n = n.min(self.buffer.len());
        Ok(self.take(n))
    }

    /// Everything up to the end of stream (Python's `read()` / `read(-1)`).
    ///
    /// # Errors
    /// The socket failed.
    pub async fn read_to_end(&mut self) -> io::Result<Vec<u8>> {
        while self.fill().await? {}
        let n = self.buffer.len();
        Ok(self.take(n))
    }

    /// Exactly `n` bytes (Python's `readexactly`).
    ///
    /// # Errors
    /// [`StreamError::IncompleteRead`] with what was there if the stream
    /// ends first; [`StreamError::Io`] if the socket failed.
    pub async fn readexactly(&mut self, n: usize) -> Result<Vec<u8>, StreamError> {
        while self.buffer.len() < n {
            if !self.fill().await? {
                let partial = self.take(self.buffer.len());
                return Err(StreamError::IncompleteRead {
                    partial,
                    expected: Some(n),
                });
            }
        }
        Ok(self.take(n))
    }

    /// The data up to and including `separator` (Python's `readuntil`).
    ///
    /// # Errors
    /// [`StreamError::LimitOverrun`] if the separator is not within the
    /// limit (the data stays buffered); [`StreamError::IncompleteRead`] at
    /// end of stream without it (with the data, now taken);
    /// [`StreamError::Io`] if the socket failed.
    ///
    /// # Panics
    /// If `separator` is empty (Python's `ValueError`).
    pub async fn readuntil(&mut self, separator: &[u8]) -> Result<Vec<u8>, StreamError> {
        assert!(
            !separator.is_empty(),
            "readuntil: the separator must not be empty"
        );
        let mut searched = 0;
        loop {
            if let Some(at) = find(&self.buffer[searched..], separator) {
                let end = searched + at + separator.len();
                if end > self.limit {
                    return Err(StreamError::LimitOverrun {
                        consumed: searched + at,
                    });
                }
                return Ok(self.take(end));
            }
            searched = self.buffer.len().saturating_sub(separator.len() - 1);
            if self.buffer.len() > self.limit {
                return Err(StreamError::LimitOverrun {
                    consumed: self.buffer.len(),
                });
            }
            if !self.fill().await? {
                let partial = self.take(self.buffer.len());
                return Err(StreamError::IncompleteRead {
                    partial,
                    expected: None,
                });
            }
        }
    }

    /// One line, `\n` included; at end of stream what is left (maybe
    /// empty) (Python's `readline`).
    ///
    /// # Errors
    /// [`StreamError::LimitOverrun`] if the line is longer than the limit:
    /// as in Python, the overlong data is dropped (up to the separator if
    /// it is buffered) so the next read starts afresh.
    pub async fn readline(&mut self) -> Result<Vec<u8>, StreamError> {
        match self.readuntil(b"\n").await {
            Ok(line) => Ok(line),
            Err(StreamError::IncompleteRead { partial, .. }) => Ok(partial),
            Err(StreamError::LimitOverrun { consumed }) => {
                match find(&self.buffer, b"\n") {
                    Some(at) => drop(self.take(at + 1)),
                    None => self.buffer.clear(),
                }
                Err(StreamError::LimitOverrun { consumed })
            }
            Err(other) => Err(other),
        }
    }

    /// Whether the stream ended and the buffer is empty.
    pub fn at_eof(&self) -> bool {
        self.eof && self.buffer.is_empty()
    }

    /// The limit for `readuntil` / `readline`.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Sets the limit for `readuntil` / `readline` (Python's `limit=`
    /// argument of `open_connection` and `start_server`).
    pub fn set_limit(&mut self, limit: usize) {
        self.limit = limit;
    }
}

/// Where `needle` starts in `haystack`: a scan for its first byte (which
/// the compiler vectorizes), then a comparison at each hit.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut from = 0;
    while from + needle.len() <= haystack.len() {
        let at = from + haystack[from..].iter().position(|&b| b == first)?;
        if haystack[at + 1..].starts_with(rest) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

impl std::fmt::Debug for StreamReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamReader")
            .field("buffered", &self.buffer.len())
            .field("eof", &self.eof)
            .field("limit", &self.limit)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::find;

    #[test]
    fn find_separators() {
        assert_eq!(find(b"GET / HTTP/1.1\r\n\r\nrest", b"\r\n\r\n"), Some(14));
        assert_eq!(find(b"\r\n\r", b"\r\n\r\n"), None, "a separator cut short");
        assert_eq!(find(b"a\nb\n", b"\n"), Some(1));
        assert_eq!(find(b"", b"x"), None);
        assert_eq!(find(b"xxy", b"xy"), Some(1), "a false start");
        assert_eq!(find(b"abc", b""), None);
    }
}
