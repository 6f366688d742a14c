//! The streams' errors, with Python's names and the data Python's carry.

use std::fmt;
use std::io;

/// A stream read that could not finish as asked.
#[derive(Debug)]
pub enum StreamError {
    /// The stream ended before the read was satisfied (Python's
    /// `IncompleteReadError`): `partial` is what was read, which is no
    /// longer in the reader; `expected` the size asked for, if any.
    IncompleteRead {
        /// The bytes read before the end.
        partial: Vec<u8>,
        /// How many were asked for (`None`: up to a separator).
        expected: Option<usize>,
    },
    /// The separator was not found within the reader's limit (Python's
    /// `LimitOverrunError`); the data stays in the reader. `consumed` is
    /// how many bytes would have to be consumed to get past the limit.
    LimitOverrun {
        /// Bytes in the buffer at the time.
        consumed: usize,
    },
    /// The socket failed (reset by the peer, say).
    Io(io::Error),
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamError::IncompleteRead { partial, expected } => match expected {
                Some(n) => write!(
                    f,
                    "{} bytes read on a total of {n} expected bytes",
                    partial.len()
                ),
                None => write!(
                    f,
                    "{} bytes read on a total of undefined expected bytes",
                    partial.len()
                ),
            },
            StreamError::LimitOverrun { consumed } => write!(
                f,
                "separator is not found, and chunk exceed the limit ({consumed} bytes buffered)"
            ),
            StreamError::Io(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for StreamError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StreamError::Io(error) => Some(error),
            _ => None,
        }
    }
}

impl From<io::Error> for StreamError {
    fn from(error: io::Error) -> Self {
        StreamError::Io(error)
    }
}
