//! Python's `contextlib` for async code: `async with` as
//! [`AsyncContextManager`] and `async_with!`, `@asynccontextmanager` as
//! `async_context!` ([`AsyncContext`]), and [`AsyncExitStack`].
//!
//! Rust has no async `Drop`; these give "acquire, use, always release —
//! even asynchronously, even when cancelled". An `async with` is a
//! cancellation scope of its own: when its body is cancelled it takes the
//! cancellation, runs the manager's exit to completion (awaits included)
//! while everything the exit borrows is still alive, and then passes the
//! cancellation on, as the exception leaves Python's `async with`.
//!
//! | Python | here |
//! |---|---|
//! | `async with cm as v: body` | `async_with!(cm as v => { body })`, or `cm.with(async \|v\| { body }).await` |
//! | `async with a as x, b as y:` | `async_with!(a as x, b as y => { .. })` |
//! | `class CM: async def __aenter__ / __aexit__` | `impl AsyncContextManager<R> for CM` |
//! | `@asynccontextmanager` | `async_context! { setup; let outcome = yield v; teardown }` |
//! | `__aexit__`'s `(exc_type, exc, tb)`, returning `True` | [`Outcome`], changed in place |
//! | `AsyncExitStack` | [`AsyncExitStack`] |
//! | `async with lock:` / `semaphore` / `condition` / `timeout(d)` | the same, through `async_with!` |

mod exit_stack;
mod generator;
mod impls;
mod outcome;
mod with;

use std::future::Future;

pub use exit_stack::AsyncExitStack;
pub use generator::AsyncContext;
pub use outcome::Outcome;
pub use with::with;

#[doc(hidden)]
pub use generator::resumed;

/// An async context manager: Python's `__aenter__`/`__aexit__` pair, for
/// bodies whose output is `R`.
///
/// Write the two methods as `async fn`s; nothing needs boxing or pinning.
/// `aenter` makes the value the body receives (`as v`); `aexit` runs after
/// the body however it ended — it returned, panicked or was cancelled —
/// and sees how in the [`Outcome`], which it may change (replace an error,
/// suppress one). A manager that does not care about the body's output
/// implements the trait for every `R`.
///
/// `aexit` does not run when `aenter` did not finish (it was cancelled or
/// panicked), as in Python.
///
/// ```
/// use asyncio::{AsyncContextManager, Outcome, async_with};
/// use std::{cell::RefCell, rc::Rc};
///
/// /// The seeds' `Connection` class.
/// struct Connection {
///     log: Rc<RefCell<Vec<String>>>,
/// }
///
/// impl<R> AsyncContextManager<R> for Connection {
///     type Value = &'static str;
///
///     async fn aenter(&mut self) -> &'static str {
///         self.log.borrow_mut().push("Setting up a connection".into());
///         asyncio::sleep(1).await;
///         "sqlite"
///     }
///
///     async fn aexit(self, _outcome: &mut Outcome<R>) {
///         asyncio::sleep(1).await;
///         self.log.borrow_mut().push("Connection is closed".into());
///     }
/// }
///
/// let log = Rc::new(RefCell::new(Vec::new()));
/// let l = log.clone();
/// asyncio::Runner::new().virtual_time(true).run(async move {
///     let cm = Connection { log: l.clone() };
///     let n = async_with!(cm as db => {
///         l.borrow_mut().push(format!("{db} is ready"));
///         7
///     });
///     assert_eq!(n, 7);
/// });
/// assert_eq!(*log.borrow(), ["Setting up a connection", "sqlite is ready", "Connection is closed"]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an async context manager for a body that returns `{R}`",
    label = "not an async context manager",
    note = "`async_with!` takes a value whose type implements `asyncio::AsyncContextManager` \
            (`&lock`, `&semaphore`, `&condition`, `timeout(..)`, an `AsyncExitStack`, an \
            `async_context!` generator or your own `impl`): `async_with!(manager as value => {{ .. }})`",
    note = "a manager that implements it only for some bodies (such as `timeout`, for bodies \
            that return a `Result` whose error comes from `TimeoutError`) rejects other bodies"
)]
pub trait AsyncContextManager<R = ()> {
    /// What the body receives: the `v` of `async with cm as v`.
    type Value;

    /// Python's `__aenter__`: sets up and makes the body's value.
    fn aenter(&mut self) -> impl Future<Output = Self::Value>;

    /// Python's `__aexit__`: tears down after the body, which ended as
    /// `outcome` says; it may change the outcome (see [`Outcome`]).
    fn aexit(self, outcome: &mut Outcome<R>) -> impl Future<Output = ()>;

    /// Runs `body` inside this manager and returns the body's output: the
    /// method form of `async_with!`.
    ///
    /// ```
    /// use asyncio::AsyncContextManager;
    ///
    /// asyncio::run(async {
    ///     let lock = asyncio::Lock::new();
    ///     let n = (&lock).with(async |_guard| 42).await;
    ///     assert_eq!(n, 42);
    ///     assert!(!lock.locked());
    /// });
    /// ```
    #[track_caller]
    fn with<B>(self, body: B) -> impl Future<Output = R>
    where
        Self: Sized,
        B: AsyncFnOnce(Self::Value) -> R,
    {
        with(self, body)
    }
}
