//! Procedural macros behind the [`asyncio`] crate.
//!
//! Use them through the facade: `#[asyncio::main]`, `#[asyncio::test]`,
//! `asyncio::async_gen!`, `asyncio::async_context!` and
//! `asyncio::async_with!`. This crate is an implementation detail; its
//! generated code names the runtime only through the facade's hidden
//! `__private` module, so a user crate needs the one `asyncio` dependency.
//! The function-like macros reach the facade through `$crate` (the
//! facade's `macro_rules!` shims pass it first), so they work under any
//! dependency name; the attributes take `crate = "path"` for a renamed or re-exported
//! dependency, as tokio's do.
//!
//! [`asyncio`]: https://docs.rs/asyncio

#![forbid(unsafe_code)]

mod context;
mod entry;
mod errors;
mod generator;
mod with;

use proc_macro::TokenStream;

/// Runs an `async fn` to completion on a fresh asyncio event loop.
///
/// ```
/// #[asyncio::main]
/// async fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let task = asyncio::create_task(async { 21 * 2 });
///     assert_eq!(task.await?, 42);
///     Ok(())
/// }
/// ```
///
/// The function keeps its attributes, visibility and return type; its body
/// runs inside an `async move` block, so `return` and `?` work as usual.
///
/// # Options
///
/// - `debug = true | false`: turn the loop's debug mode on or off (slow
///   callback warnings and friends), like Python's `loop.set_debug()`.
/// - `crate = "path"`: where the `asyncio` crate is, when the dependency is
///   renamed (`crate = "aio"`) or used through a re-export
///   (`crate = "my_lib::asyncio"`). Default: `::asyncio`.
///
/// The function must be an `async fn` without arguments, generic parameters
/// or a `where` clause; anything else is a compile error at the offending
/// token.
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::expand(entry::Kind::Main, args.into(), item.into()).into()
}

/// Turns an `async fn` into a `#[test]` that runs on a fresh asyncio event
/// loop.
///
/// ```
/// # // A doctest is not built with `--test`, so this only checks it compiles.
/// #[asyncio::test(virtual_time = true)]
/// async fn sleeps_are_instant() {
///     let lp = asyncio::get_running_loop().unwrap();
///     asyncio::sleep(3600.0).await; // returns at once on the virtual clock
///     assert_eq!(lp.time(), 3600.0);
/// }
/// # fn main() {}
/// ```
///
/// The generated function carries `#[test]` (do not add your own) and keeps
/// the other attributes, such as `#[should_panic]` or `#[ignore]`. A test may
/// return a `Result`.
///
/// # Options
///
/// - `debug = true | false`: turn the loop's debug mode on or off.
/// - `virtual_time = true | false`: run the loop on a virtual clock that jumps
///   to the next timer deadline whenever nothing is ready, so timer-heavy
///   tests are exact and instant.
/// - `crate = "path"`: as for `main`.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::expand(entry::Kind::Test, args.into(), item.into()).into()
}

/// An async generator: ordinary async Rust plus `yield value`, as an
/// expression or as `async fn` items. See `asyncio::generator` for the
/// protocol (`anext`, `asend`, `athrow`, `aclose`). Called through the
/// facade's `asyncio::async_gen!`, which passes `$crate;` first.
///
/// ```
/// use asyncio::{AsyncGen, async_gen};
///
/// // The expression form.
/// let tens = async_gen! {
///     for i in 0..3u32 {
///         yield i * 10;
///     }
/// };
///
/// // The fn form: the return type says what it yields.
/// async_gen! {
///     async fn evens(limit: u64) -> AsyncGen<u64> {
///         for i in (0..limit).step_by(2) {
///             yield i;
///         }
///     }
/// }
///
/// asyncio::run(async move {
///     assert_eq!(tens.collect::<Vec<_>>().await, [0, 10, 20]);
///     assert_eq!(evens(7).collect::<Vec<_>>().await, [0, 2, 4, 6]);
/// });
/// ```
#[proc_macro]
pub fn async_gen(input: TokenStream) -> TokenStream {
    generator::expand(input.into()).into()
}

/// An async context manager written as a generator that yields once
/// (Python's `@asynccontextmanager`), as an expression or as `async fn`
/// items returning `AsyncContext<V>`. Called through the facade's
/// `asyncio::async_context!`, which passes `$crate;` first.
///
/// ```
/// use asyncio::{async_context, async_with};
///
/// asyncio::run(async {
///     let cm = async_context! {
///         let outcome = yield "ready";
///         assert!(outcome.is_returned());
///     };
///     assert_eq!(async_with!(cm as v => v.len()), 5);
/// });
/// ```
#[proc_macro]
pub fn async_context(input: TokenStream) -> TokenStream {
    context::expand(input.into()).into()
}

/// Python's `async with`: `async_with!(manager as value => { body })`.
/// Called through the facade's `asyncio::async_with!`, which passes
/// `$crate;` first.
///
/// ```
/// asyncio::run(async {
///     let lock = asyncio::Lock::new();
///     let n = asyncio::async_with!(&lock as _guard => 1 + 1);
///     assert_eq!(n, 2);
/// });
/// ```
#[proc_macro]
pub fn async_with(input: TokenStream) -> TokenStream {
    with::expand(input.into()).into()
}
