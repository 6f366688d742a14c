//! Python's asyncio for Rust.
//!
//! A single-threaded event loop with Python's `Task`/`Future`/loop API and
//! cancellation semantics, and attribute macros for entry points:
//!
//! ```
//! #[asyncio::main]
//! async fn main() {
//!     let task = asyncio::create_task(async {
//!         asyncio::sleep(0.01).await;
//!         "Hello World!"
//!     });
//!     println!("{}", task.await.unwrap());
//! }
//! ```
//!
//! See the README for the full mapping from Python's names to these.
//!
//! # Features
//! - `macros` (default): `#[asyncio::main]`, `#[asyncio::test]`,
//!   `async_gen!`, `async_context!` and `async_with!`. Without it
//!   (`default-features = false`) no proc macro, and so no `syn`, is
//!   built: the runtime alone (`asyncio::with` still runs a body inside a
//!   manager).
#![forbid(unsafe_code)]

pub use asyncio_runtime::*;

/// Runs an `async fn main` on a new event loop, like `asyncio.run(main())`.
///
/// Options: `debug = true|false` (debug mode); `crate = "path"` when the
/// dependency is renamed or re-exported (`#[aio::main(crate = "aio")]`).
/// `main` may return a `Result`.
#[cfg(feature = "macros")]
pub use asyncio_macros::main;

/// Runs an `async fn` test on a new event loop.
///
/// Options: `debug = true|false`, `virtual_time = true|false` (a clock that
/// jumps to the next timer when idle, so long sleeps are instant and exact),
/// `crate = "path"` (see [`main`]).
#[cfg(feature = "macros")]
pub use asyncio_macros::test;

/// An async generator: `async_gen! { ... yield v; ... }` as an expression,
/// or `async_gen! { async fn name(..) -> AsyncGen<Y> { .. } }` as items.
///
/// The body is ordinary async Rust plus `yield value`; the result is an
/// [`AsyncGen`], a `Stream` with Python's protocol (`anext`, `asend`,
/// `athrow`, `aclose`). See the [`generator`] module.
///
/// The generated code reaches the runtime through `$crate`, so the macro
/// works under any name the dependency is given (`aio = { package =
/// "asyncio", .. }`) and through a re-export.
///
/// `async_gen!` rewrites the `yield`s it is given, including those in the
/// arguments of macros called in the body. A `yield` that your own
/// `macro_rules!` produces is not among them: rustc reports "yield syntax
/// is experimental" at your macro. Write the `yield` in the macro's
/// arguments instead (`emit!(yield value)`), or have the macro return the
/// value and `yield` it in the body. An expression-form `async_gen!` in
/// item position (at module level) is rustc's "macro expansion ignores
/// `{`": the expression form is an expression; for items, use the fn form.
///
/// ```
/// let numbers = asyncio::async_gen! {
///     for i in 0..3u32 {
///         yield i;
///     }
/// };
/// let all = asyncio::run(async move { numbers.collect::<Vec<_>>().await });
/// assert_eq!(all, [0, 1, 2]);
/// ```
#[cfg(feature = "macros")]
#[macro_export]
macro_rules! async_gen {
    () => {
        ::core::compile_error! {
            "an empty `async_gen! {}` yields nothing: give it a body that yields, as in \
             `async_gen! { yield 1; }` (an expression), or `async fn` items that return \
             `AsyncGen<..>`, as in `async_gen! { async fn numbers() -> AsyncGen<u32> { yield 1; } }`"
        }
    };
    ($($body:tt)+) => {
        $crate::__private::async_gen! { $crate; $($body)+ }
    };
}

/// An async context manager written as a generator that yields once:
/// Python's `@asynccontextmanager`.
///
/// The code before the `yield` is the enter; the yielded value is what
/// the body of `async_with!` receives; the code after it is the exit, and
/// the `yield` evaluates to a `&mut Outcome<R>` saying how the body ended
/// (returned, panicked, cancelled), which the exit may change. The exit
/// runs however the body ends, cancellation included, awaits and all.
///
/// An expression:
///
/// ```
/// use asyncio::{async_context, async_with};
/// use std::{cell::RefCell, rc::Rc};
///
/// let log = Rc::new(RefCell::new(Vec::new()));
/// let l = log.clone();
/// asyncio::run(async move {
///     let l2 = l.clone();
///     let transaction = async_context! {
///         l2.borrow_mut().push("begin");
///         let outcome = yield 7;
///         if outcome.is_ok() {
///             l2.borrow_mut().push("commit");
///         } else {
///             l2.borrow_mut().push("rollback");
///         }
///     };
///     let out: Result<u32, String> = async_with!(transaction as n => {
///         if n > 5 {
///             return Err("too big".to_string()); // leaves the body
///         }
///         Ok(n)
///     });
///     assert!(out.is_err());
/// });
/// assert_eq!(*log.borrow(), ["begin", "rollback"]);
/// ```
///
/// Or `async fn` items returning `AsyncContext<V>` (a manager for bodies
/// of any output) or `AsyncContext<V, R>` (for bodies returning `R`):
///
/// ```
/// use asyncio::{AsyncContext, async_context, async_with};
///
/// async_context! {
///     async fn connection(driver: &'static str) -> AsyncContext<String> {
///         println!("Setting up connection");
///         asyncio::sleep(1).await;
///         yield format!("{{'driver': '{driver}'}}");
///         asyncio::sleep(1).await;
///         println!("Shutting down");
///     }
/// }
///
/// asyncio::Runner::new().virtual_time(true).run(async {
///     async_with!(connection("sqlite") as db => println!("{db} is ready"));
/// });
/// ```
///
/// The body must `yield` exactly once: none, or two on one path, is a
/// compile error; a `yield` in a closure or a nested `async` block is an
/// error at that `yield`.
#[cfg(feature = "macros")]
#[macro_export]
macro_rules! async_context {
    () => {
        ::core::compile_error! {
            "an empty `async_context! {}` has nothing to yield: write the setup, one `yield value;`, \
             then the teardown, as in `async_context! { let conn = connect().await; yield conn; }`"
        }
    };
    ($($body:tt)+) => {
        $crate::__private::async_context! { $crate; $($body)+ }
    };
}

/// Python's `async with`: runs a body inside one or more async context
/// managers and evaluates to the body's value (the `.await` is included).
///
/// ```
/// use asyncio::async_with;
///
/// asyncio::run(async {
///     let lock = asyncio::Lock::new();
///     let sem = asyncio::Semaphore::new(2);
///     let total = async_with!(&lock, &sem as _permit => {
///         assert!(lock.locked());
///         1 + 2
///     });
///     assert_eq!(total, 3);
/// });
/// ```
///
/// - `async_with!(manager as value => { body })`: `value` is what the
///   manager's enter made (any pattern; without `as`, the value is held,
///   unnamed, until the body ends — a lock's guard, say).
/// - `async_with!(a as x, b as y => { .. })`: entered left to right,
///   exited right to left.
/// - The body is an async closure: `?` and `return` leave the body with
///   that value, which is the macro's value. Use `?` on the macro to pass
///   an error on.
///
/// The managers are anything implementing
/// [`AsyncContextManager`](crate::AsyncContextManager): `&Lock`,
/// `&Semaphore`, `&BoundedSemaphore`, `&Condition`, `timeout(d)`,
/// `AsyncExitStack`, `async_context!` generators and your own types.
#[cfg(feature = "macros")]
#[macro_export]
macro_rules! async_with {
    // `async_gen!` expands an `async_with!` whose body yields itself, and
    // leaves this call so that the import of the macro counts as used.
    (@used) => {
        ()
    };
    ($($input:tt)*) => {
        $crate::__private::async_with! { $crate; $($input)* }
    };
}

/// The names most programs use, for a glob import:
/// `use asyncio::prelude::*;`.
///
/// Glob-import this, not the crate root: the root's [`Future`] (Python's
/// `asyncio.Future`) would shadow the language prelude's
/// `std::future::Future` trait, and its `test` attribute would make
/// `#[test]` ambiguous. The prelude leaves out both (write
/// `asyncio::Future`, `#[asyncio::test]`), the `main` attribute, and the
/// `Stream` trait (a `futures` prelude brings its own).
///
/// ```
/// use asyncio::prelude::*;
///
/// // `Future` is still the standard trait.
/// fn answer() -> impl Future<Output = u32> {
///     async { 42 }
/// }
///
/// let out = run(async {
///     let task = create_task(answer());
///     sleep(0.01).await;
///     let evens = async_gen! {
///         for i in (0..6u32).step_by(2) {
///             yield i;
///         }
///     };
///     (task.await.unwrap(), evens.collect::<Vec<_>>().await)
/// });
/// assert_eq!(out, (42, vec![0, 2, 4]));
/// ```
pub mod prelude {
    #[cfg(feature = "macros")]
    pub use crate::{async_context, async_gen, async_with};
    pub use asyncio_runtime::{
        ALL_COMPLETED, AsyncContext, AsyncContextManager, AsyncExitStack, AsyncGen, AsyncIterator,
        Barrier, BoundedSemaphore, CancelledError, Condition, Error, Event, EventLoop,
        FIRST_COMPLETED, FIRST_EXCEPTION, LifoQueue, Lock, Outcome, PriorityQueue, Queue, Runner,
        Semaphore, Task, TaskGroup, TaskRef, TimeoutError, aiter, all_tasks, as_completed,
        catch_cancelled, create_task, create_task_named, current_task, finally, gather,
        get_running_loop, run, shield, sleep, task_group, timeout, timeout_at, to_thread, wait,
        wait_for,
    };
}

/// Items generated code refers to; not a public API.
#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "macros")]
    pub use asyncio_macros::{async_context, async_gen, async_with};
    pub use asyncio_runtime::__private::*;
}
