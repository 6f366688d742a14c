//! Async generators: Python's `async def` with `yield`, as a [`Stream`].
//!
//! An [`AsyncGen`] runs its body (an ordinary `async` block) up to each
//! `yield`, hands the value to whoever iterates it, and waits there until it
//! is resumed. Write one with the `async_gen!` macro (an expression, or
//! `async fn` items inside it), or without macros via [`from_fn`] and a
//! [`Co`] handle. The protocol is Python's:
//!
//! | Python | here |
//! |---|---|
//! | `async for x in agen` | `while let Some(x) = agen.next().await` (or any `Stream` consumer) |
//! | `await agen.__anext__()` / `anext(agen)` | `agen.anext().await` → `Result<Y, AsyncGenError>` |
//! | `await agen.asend(v)`, `x = yield y` | `agen.asend(v).await`; the body's `yield` evaluates to `v` |
//! | `await agen.athrow(exc)` | `agen.athrow(e).await`; the `yield` evaluates to `Err(e)` |
//! | `await agen.aclose()` | `agen.aclose().await`: ends the body at its `yield`, runs its async cleanup |
//! | `StopAsyncIteration` | `None` from `next`, `Err(StopAsyncIteration)` from `anext` |
//! | `return` (a value, unlike Python) | [`AsyncGen::take_return`] once it finished |
//!
//! No thread-local carries the values and nothing is allocated per item:
//! the generator is one heap block holding the body and a one-value slot.
//!
//! A `yield` belongs to the body itself: anywhere an `.await` of the body
//! could stand, macro arguments included (`println!("{}", yield x)`,
//! `select!` arms). One inside a closure, a nested `async` block or a
//! nested `fn` is a compile error at that `yield`, as is one that a macro
//! wraps in a closure or `async` block of its own (rustc then reports an
//! unreachable label named `'yield_in_a_macro_closure_or_async_block…`):
//! that `yield` would run as part of a separate future, not the generator.

#![allow(unsafe_code)] // audited: see ARCHITECTURE.md, "unsafe"

mod aiter;
mod block;
mod co;
mod consume;
mod protocol;
mod slot;
#[cfg(test)]
mod tests;

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll};

use futures_core::{FusedStream, Stream};

use self::block::{Block, CLOSED, FINISHED, RUNNING};

pub use self::aiter::{AsyncIterator, aiter};
pub use self::co::{Co, Yield, from_fn};
#[doc(hidden)]
pub use self::co::{RawCo, RawYield};
pub use self::protocol::{AClose, ANext, ASend, AnextValue, AsyncGenError, Next};

/// An async generator: a body that `yield`s values of type `Y`, returns an
/// `R`, and receives an `S` at each `yield` it is resumed from.
///
/// It implements [`Stream<Item = Y>`](Stream), is `Unpin` (no `pin!`
/// needed), and is `Send` exactly when its body, `Y`, `R` and `S` are.
/// `F` is the body's future type: name it as `impl Future<Output = R>` in
/// a return type, or erase it with [`boxed`](Self::boxed) to store the
/// generator in a struct field as `AsyncGen<Y, R>`.
///
/// ```
/// use asyncio::generator::{AsyncGen, Co, from_fn};
///
/// fn countdown(from: u32) -> AsyncGen<u32, &'static str, (), impl Future<Output = &'static str>> {
///     from_fn(async move |co: &Co<u32>| {
///         for i in (1..=from).rev() {
///             co.yield_(i).await;
///         }
///         "liftoff"
///     })
/// }
///
/// asyncio::run(async {
///     let mut agen = countdown(3);
///     let mut seen = Vec::new();
///     while let Some(i) = agen.next().await {
///         seen.push(i);
///     }
///     assert_eq!(seen, [3, 2, 1]);
///     assert_eq!(agen.take_return(), Some("liftoff"));
/// });
/// ```
///
/// A generator is not a future: `agen.await` is a compile error (rustc's
/// "is not a future"), as Python's `await agen` is a `TypeError`. Take one
/// item with `agen.next().await`, all of them with `agen.collect().await`.
pub struct AsyncGen<Y, R = (), S = (), F: ?Sized = dyn Future<Output = R>> {
    core: NonNull<Block<Y, R, S, F>>,
    _owns: PhantomData<Box<Block<Y, R, S, F>>>,
}

// SAFETY: the generator owns its block; moving it to another thread moves
// the body, the slot and any values in them, which is sound when each of
// them is `Send`. The body's handle points into the same block, so it moves
// along with it.
unsafe impl<Y: Send, R: Send, S: Send, F: ?Sized + Send> Send for AsyncGen<Y, R, S, F> {}

// SAFETY: through `&AsyncGen` the block is reached only by the protocol
// calls, which take the run lock (an atomic swap) before touching the body
// or the slot, and by queries of atomics. So, as with a `Mutex<T>`, sharing
// it needs only that the contents may be used from whichever thread holds
// the lock: `Send`.
unsafe impl<Y: Send, R: Send, S: Send, F: ?Sized + Send> Sync for AsyncGen<Y, R, S, F> {}

impl<Y, R, F: Future<Output = R>, S> AsyncGen<Y, R, S, F> {
    /// Builds a generator whose body `make` creates from the slot's address.
    pub(crate) fn build(make: impl FnOnce(NonNull<slot::Slot<Y, S>>) -> F) -> Self {
        AsyncGen {
            core: self::block::build(make),
            _owns: PhantomData,
        }
    }

    /// Erases the body's type, so the generator can be named as
    /// `AsyncGen<Y, R>` (for example in a struct field). Costs nothing: the
    /// generator is already one heap block, and it is only re-typed.
    ///
    /// ```
    /// use asyncio::generator::{AsyncGen, Co, from_fn};
    ///
    /// struct Feed {
    ///     items: AsyncGen<String>,
    /// }
    ///
    /// let feed = Feed {
    ///     items: from_fn(async |co: &Co<String>| co.yield_("first".to_string()).await).boxed(),
    /// };
    /// # drop(feed);
    /// ```
    pub fn boxed<'a>(self) -> AsyncGen<Y, R, S, dyn Future<Output = R> + 'a>
    where
        F: 'a,
    {
        let core: NonNull<Block<Y, R, S, dyn Future<Output = R> + 'a>> = self.core;
        std::mem::forget(self);
        AsyncGen {
            core,
            _owns: PhantomData,
        }
    }

    /// As [`boxed`](Self::boxed), keeping the body's `Send`.
    ///
    /// ```
    /// let agen: asyncio::AsyncGen<u8, (), (), dyn std::future::Future<Output = ()> + Send> =
    ///     asyncio::async_gen! { yield 1u8; }.boxed_send();
    /// std::thread::spawn(move || {
    ///     let all = asyncio::run(async move { agen.collect::<Vec<_>>().await });
    ///     assert_eq!(all, [1]);
    /// })
    /// .join()
    /// .unwrap();
    /// ```
    pub fn boxed_send<'a>(self) -> AsyncGen<Y, R, S, dyn Future<Output = R> + Send + 'a>
    where
        F: Send + 'a,
    {
        let core: NonNull<Block<Y, R, S, dyn Future<Output = R> + Send + 'a>> = self.core;
        std::mem::forget(self);
        AsyncGen {
            core,
            _owns: PhantomData,
        }
    }
}

impl<Y, R, F: ?Sized, S> AsyncGen<Y, R, S, F> {
    fn core(&self) -> &Block<Y, R, S, F> {
        // SAFETY: the block lives as long as the generator.
        unsafe { self.core.as_ref() }
    }

    /// The body's return value, once it returned; `None` before that, after
    /// it was taken, or if the generator was closed first. Moves it out.
    ///
    /// ```
    /// use asyncio::AsyncGen;
    /// asyncio::async_gen! {
    ///     async fn count(to: u32) -> AsyncGen<u32, &'static str> {
    ///         for i in 0..to {
    ///             yield i;
    ///         }
    ///         "counted"
    ///     }
    /// }
    /// asyncio::run(async {
    ///     let mut agen = count(2);
    ///     while agen.next().await.is_some() {}
    ///     assert_eq!(agen.take_return(), Some("counted"));
    ///     assert_eq!(agen.take_return(), None); // moved out
    /// });
    /// ```
    pub fn take_return(&mut self) -> Option<R> {
        // SAFETY: `&mut self` is exclusive access.
        unsafe { Block::take_result(self.core) }
    }

    /// Whether a step is in flight: the body was resumed and has not
    /// reached a `yield` yet (Python's `ag_running`). A protocol call that
    /// finds this is refused as "already running".
    ///
    /// ```
    /// asyncio::run(async {
    ///     let agen = asyncio::async_gen! { yield 1u8; };
    ///     assert!(!agen.is_running());
    ///     assert_eq!(agen.anext().await, Ok(1));
    ///     assert!(!agen.is_running()); // suspended at its `yield`, not running
    /// });
    /// ```
    pub fn is_running(&self) -> bool {
        self.core().is_locked() || self.core().state() == RUNNING
    }

    /// Whether the generator is over: its body returned, was closed by
    /// [`aclose`](Self::aclose), or panicked. It yields nothing more.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let mut agen = asyncio::async_gen! { yield 1u8; };
    ///     assert!(!agen.is_finished());
    ///     while agen.next().await.is_some() {}
    ///     assert!(agen.is_finished());
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        matches!(self.core().state(), FINISHED | CLOSED)
    }
}

impl<Y, R, F: ?Sized, S> Drop for AsyncGen<Y, R, S, F> {
    /// Drops the body where it stands. Its sync destructors run now; async
    /// cleanups it registered with [`finally`](crate::finally) are handed
    /// to the running loop (or to the cancellation that is dropping us),
    /// which runs them: asyncio's async-generator finalizer.
    fn drop(&mut self) {
        // SAFETY: `&mut self` is exclusive and the block is not used again.
        unsafe { Block::free(self.core) }
    }
}

impl<Y, R, F: Future<Output = R> + ?Sized, S: AnextValue> Stream for AsyncGen<Y, R, S, F> {
    type Item = Y;

    /// Resumes the body (with `S::anext_value()` at a `yield`) and polls it
    /// to its next `yield`. A step left in flight by a dropped `next()`
    /// simply continues, so iterating inside `select!` loses nothing.
    #[inline(always)]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Y>> {
        // SAFETY: `&mut self` is exclusive access to the generator.
        unsafe { Block::next_exclusive(self.get_mut().core, cx, S::anext_value) }
    }
}

impl<Y, R, F: Future<Output = R> + ?Sized, S: AnextValue> FusedStream for AsyncGen<Y, R, S, F> {
    fn is_terminated(&self) -> bool {
        self.is_finished()
    }
}

impl<Y, R, F: ?Sized, S> std::fmt::Debug for AsyncGen<Y, R, S, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.core().state() {
            self::block::UNSTARTED => "created",
            RUNNING => "running",
            self::block::SUSPENDED => "suspended",
            FINISHED => "finished",
            _ => "closed",
        };
        write!(f, "<async_generator {state}>")
    }
}
