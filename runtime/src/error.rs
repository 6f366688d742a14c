//! Errors are values: Python's asyncio exceptions as Rust types.
//!
//! Each Python exception class that user code observes gets a type here, and
//! [`Error`] is the sum that awaiting a task or future, or asking for its
//! result, can produce.

use std::any::Any;
use std::fmt;
use std::sync::{Arc, Mutex};

/// The work was cancelled (Python's `asyncio.CancelledError`).
///
/// Carries the optional message given to `cancel(msg)`.
///
/// ```
/// asyncio::run(async {
///     let task = asyncio::create_task(asyncio::sleep(3600));
///     asyncio::sleep(0).await;
///     task.cancel_with("bye");
///     match asyncio::catch_cancelled(task).await {
///         // The awaiter's own cancellation (none here) would be the outer
///         // `Err`; the task's cancellation comes back inside.
///         Ok(Err(asyncio::Error::Cancelled(e))) => assert_eq!(e.to_string(), "cancelled: bye"),
///         other => panic!("unexpected: {other:?}"),
///     }
/// });
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CancelledError {
    message: Option<String>,
}

impl CancelledError {
    /// A cancellation with an optional message.
    pub fn new(message: Option<String>) -> Self {
        CancelledError { message }
    }

    /// The message passed to `cancel`, if any.
    ///
    /// ```
    /// let e = asyncio::CancelledError::new(Some("shutdown".into()));
    /// assert_eq!(e.message(), Some("shutdown"));
    /// assert_eq!(asyncio::CancelledError::new(None).message(), None);
    /// ```
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
}

impl fmt::Display for CancelledError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.message {
            Some(msg) => write!(f, "cancelled: {msg}"),
            None => f.write_str("cancelled"),
        }
    }
}

impl std::error::Error for CancelledError {}

/// The deadline passed before the work finished (Python's `TimeoutError`).
///
/// ```
/// asyncio::Runner::new().virtual_time(true).run(async {
///     let out = asyncio::wait_for(asyncio::sleep(10), 1).await;
///     assert_eq!(out, Err(asyncio::TimeoutError));
/// });
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeoutError;

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the operation timed out")
    }
}

impl std::error::Error for TimeoutError {}

/// An operation was not valid in the object's current state (Python's
/// `asyncio.InvalidStateError`), such as asking for the result of a pending
/// future or setting a result twice.
///
/// ```
/// let fut = asyncio::Future::<u8>::new();
/// fut.set_result(1).unwrap();
/// let e: asyncio::InvalidStateError = fut.set_result(2).unwrap_err();
/// assert_eq!(e.reason(), "the result is already set");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidStateError {
    reason: &'static str,
}

impl InvalidStateError {
    pub(crate) const NOT_DONE: Self = Self::new("the result is not set yet");
    pub(crate) const ALREADY_DONE: Self = Self::new("the result is already set");
    pub(crate) const TAKEN: Self = Self::new("the result was already taken by an await");
    pub(crate) const TIMEOUT_FINISHED: Self =
        Self::new("the timeout already expired or its scope exited");

    pub(crate) const fn new(reason: &'static str) -> Self {
        InvalidStateError { reason }
    }

    /// Why the state was invalid.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

impl fmt::Display for InvalidStateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid state: {}", self.reason)
    }
}

impl std::error::Error for InvalidStateError {}

/// A task panicked; the loop caught the panic and kept running.
///
/// Holds the panic message for display and the original payload, which
/// [`PanicError::resume`] re-raises on the caller's thread.
///
/// ```
/// asyncio::run(async {
///     let task = asyncio::create_task(async { panic!("worker failed") });
///     match task.await {
///         Err(asyncio::Error::Panicked(p)) => assert_eq!(p.message(), "worker failed"),
///         other => panic!("unexpected: {other:?}"),
///     }
/// });
/// ```
#[derive(Clone)]
pub struct PanicError {
    message: String,
    payload: Arc<Mutex<Option<Box<dyn Any + Send>>>>,
}

impl PanicError {
    pub(crate) fn new(payload: Box<dyn Any + Send>) -> Self {
        let message = if let Some(s) = payload.downcast_ref::<&'static str>() {
            (*s).to_owned()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "Box<dyn Any>".to_owned()
        };
        PanicError {
            message,
            payload: Arc::new(Mutex::new(Some(payload))),
        }
    }

    /// The panic message (`"Box<dyn Any>"` when the payload was not a string).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Re-raises the original panic on this thread.
    ///
    /// The first call resumes with the original payload; later calls (from
    /// clones) panic with the message.
    pub fn resume(self) -> ! {
        let payload = self.payload.lock().ok().and_then(|mut p| p.take());
        match payload {
            Some(payload) => std::panic::resume_unwind(payload),
            None => panic!("{}", self.message),
        }
    }
}

impl fmt::Debug for PanicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PanicError")
            .field("message", &self.message)
            .finish()
    }
}

impl fmt::Display for PanicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "panicked: {}", self.message)
    }
}

impl std::error::Error for PanicError {}

/// An error value set on a [`Future`](crate::Future) with `set_exception`.
///
/// Cloneable and thread-safe so one failure can be handed to every awaiter.
///
/// ```
/// let e = asyncio::Exception::new(std::io::Error::other("disk full"));
/// assert_eq!(e.to_string(), "disk full");
/// assert!(e.downcast_ref::<std::io::Error>().is_some());
/// ```
#[derive(Clone)]
pub struct Exception(Arc<dyn std::error::Error + Send + Sync>);

impl Exception {
    /// Wraps any error.
    pub fn new(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Exception(Arc::new(error))
    }

    /// The wrapped error, if it has type `E`.
    pub fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        self.0.downcast_ref()
    }

    /// The wrapped error.
    pub fn inner(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for Exception {
    fn from(error: E) -> Self {
        Exception::new(error)
    }
}

impl fmt::Debug for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

/// The event loop was used wrongly (Python raises `RuntimeError` for these).
///
/// ```
/// assert_eq!(asyncio::get_running_loop().unwrap_err(), asyncio::RuntimeError::NoRunningLoop);
/// asyncio::run(async {
///     let lp = asyncio::get_running_loop().unwrap();
///     assert_eq!(lp.close(), Err(asyncio::RuntimeError::CloseWhileRunning));
/// });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuntimeError {
    /// An API that needs a running loop was called outside one.
    NoRunningLoop,
    /// An API that needs a current task was called outside one (e.g. from a callback).
    NoCurrentTask,
    /// `run_forever`/`run_until_complete` on a loop that is already running.
    AlreadyRunning,
    /// A loop was started while another loop runs on this thread.
    AnotherLoopRunning,
    /// The loop was closed.
    Closed,
    /// `close()` on a running loop.
    CloseWhileRunning,
    /// `stop()` was called before the future given to `run_until_complete` finished.
    StoppedBeforeComplete,
    /// Work was sent to the loop's blocking thread pool after
    /// `shutdown_default_executor` (Python: "Executor shutdown has been called").
    ExecutorShutdown,
    /// A thread was about to block waiting for work that only its own event
    /// loop can run (e.g. `ConcurrentFuture::result` on the loop's thread).
    WouldDeadlock,
    /// The operating system failed the loop's wait for I/O; the loop
    /// stopped. (`EINTR` is retried, never reported.)
    Os(OsError),
    /// A task was awaited on a loop other than its own, where it could
    /// never run (Python: "attached to a different loop").
    DifferentLoop,
}

/// An operating-system error the loop met, as a copyable value: its kind
/// and, when the OS gave one, its `errno`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OsError {
    kind: std::io::ErrorKind,
    code: Option<i32>,
}

impl OsError {
    /// The error's kind.
    pub fn kind(&self) -> std::io::ErrorKind {
        self.kind
    }

    /// The OS error code (`errno`), if there was one.
    pub fn raw_os_error(&self) -> Option<i32> {
        self.code
    }
}

impl From<&std::io::Error> for OsError {
    fn from(error: &std::io::Error) -> Self {
        OsError {
            kind: error.kind(),
            code: error.raw_os_error(),
        }
    }
}

impl From<OsError> for std::io::Error {
    fn from(error: OsError) -> Self {
        match error.code {
            Some(code) => std::io::Error::from_raw_os_error(code),
            None => std::io::Error::from(error.kind),
        }
    }
}

impl fmt::Display for OsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&std::io::Error::from(*self), f)
    }
}

impl std::error::Error for OsError {}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RuntimeError::NoRunningLoop => "no running event loop",
            RuntimeError::NoCurrentTask => "not called from inside a task",
            RuntimeError::AlreadyRunning => "this event loop is already running",
            RuntimeError::AnotherLoopRunning => {
                "cannot run the event loop while another loop is running on this thread"
            }
            RuntimeError::Closed => "the event loop is closed",
            RuntimeError::CloseWhileRunning => "cannot close a running event loop",
            RuntimeError::StoppedBeforeComplete => "event loop stopped before the future completed",
            RuntimeError::ExecutorShutdown => {
                "cannot run new work: the default executor was shut down"
            }
            RuntimeError::WouldDeadlock => {
                "blocking the event loop's own thread to wait for work that loop must run \
                 would deadlock; await the work instead"
            }
            RuntimeError::DifferentLoop => {
                "the task belongs to an event loop that is not the one running here; \
                 await it on its own loop"
            }
            RuntimeError::Os(error) => {
                return write!(f, "the event loop's I/O poller failed: {error}");
            }
        })
    }
}

impl std::error::Error for RuntimeError {}

/// Everything awaiting a task or future, or asking for its result, can report.
///
/// Python raises one of several exceptions from `await`/`result()`; here they
/// are the variants of one enum so `?` and `match` both work.
///
/// ```
/// asyncio::run(async {
///     let task = asyncio::create_task(async { panic!("boom") });
///     let error: asyncio::Error = task.await.unwrap_err();
///     assert!(error.is_panic() && !error.is_cancelled());
///     assert_eq!(error.to_string(), "panicked: boom");
/// });
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Error {
    /// The task or future was cancelled.
    Cancelled(CancelledError),
    /// A deadline passed.
    Timeout(TimeoutError),
    /// The object was not in a state that allows the operation.
    InvalidState(InvalidStateError),
    /// The task panicked.
    Panicked(PanicError),
    /// An error set with [`Future::set_exception`](crate::Future::set_exception).
    Exception(Exception),
    /// The event loop was misused.
    Runtime(RuntimeError),
}

impl Error {
    /// Whether this is a cancellation.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Error::Cancelled(_))
    }

    /// Whether this is a panic.
    pub fn is_panic(&self) -> bool {
        matches!(self, Error::Panicked(_))
    }

    /// Whether this is a timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout(_))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Cancelled(e) => e.fmt(f),
            Error::Timeout(e) => e.fmt(f),
            Error::InvalidState(e) => e.fmt(f),
            Error::Panicked(e) => e.fmt(f),
            Error::Exception(e) => e.fmt(f),
            Error::Runtime(e) => e.fmt(f),
        }
    }
}

/// `Error` is transparent: its `Display` is the inner error's, and its
/// `source()` is the inner error's source, so error reporters (anyhow, eyre)
/// print each cause once.
impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Cancelled(e) => e.source(),
            Error::Timeout(e) => e.source(),
            Error::InvalidState(e) => e.source(),
            Error::Panicked(e) => e.source(),
            Error::Exception(e) => e.inner().source(),
            Error::Runtime(e) => e.source(),
        }
    }
}

macro_rules! from_variant {
    ($($ty:ty => $variant:ident),* $(,)?) => {$(
        impl From<$ty> for Error {
            fn from(e: $ty) -> Self {
                Error::$variant(e)
            }
        }
    )*};
}

from_variant! {
    CancelledError => Cancelled,
    TimeoutError => Timeout,
    InvalidStateError => InvalidState,
    PanicError => Panicked,
    Exception => Exception,
    RuntimeError => Runtime,
}
