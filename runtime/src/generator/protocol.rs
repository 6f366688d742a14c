//! Python's async-generator protocol: `anext`, `asend`, `athrow`, `aclose`,
//! with Python's misuse errors as values.

#![allow(unsafe_code)] // audited: see ARCHITECTURE.md, "unsafe"

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::Location;
use std::pin::Pin;
use std::ptr::NonNull;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::AsyncGen;
use super::block::{Block, CLOSED, FINISHED, RUNNING, SUSPENDED, Step, UNSTARTED};
use crate::cancel::hand_over;
use crate::error::CancelledError;
use crate::scheduler::context::{self, Cleanup};
use crate::scheduler::delivery::{Pending, ScopeNode, ScopePoll};
use crate::scheduler::report;

/// What a `yield` evaluates to when the generator is resumed by `anext()`
/// or iterated as a `Stream` (Python's `asend(None)`).
///
/// Implemented for `()` (a plain stream), `Option<T>` (`None`, exactly
/// Python's behaviour for a generator that takes sent values) and
/// `Result<T, E>` (`Ok` of `T`'s value; `athrow` sends the `Err`).
pub trait AnextValue {
    /// The value a bare `anext()` resumes the body with.
    fn anext_value() -> Self;

    /// Whether `self` is that value (Python's `None`): the one value
    /// `asend` may start a generator with.
    fn is_anext_value(&self) -> bool;
}

impl AnextValue for () {
    #[inline(always)]
    fn anext_value() -> Self {}

    fn is_anext_value(&self) -> bool {
        true
    }
}

impl<T> AnextValue for Option<T> {
    #[inline(always)]
    fn anext_value() -> Self {
        None
    }

    fn is_anext_value(&self) -> bool {
        self.is_none()
    }
}

impl<T: AnextValue, E> AnextValue for Result<T, E> {
    #[inline(always)]
    fn anext_value() -> Self {
        Ok(T::anext_value())
    }

    fn is_anext_value(&self) -> bool {
        matches!(self, Ok(value) if value.is_anext_value())
    }
}

/// A protocol call the generator refused, with Python's meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AsyncGenError {
    /// The generator is over: its body returned or it was closed.
    StopAsyncIteration,
    /// Another `anext`/`asend`/`athrow`/`aclose` on it is in flight, or a
    /// dropped one left a step half done that only `anext`/`next` resume.
    AlreadyRunning,
    /// `asend` or `athrow` before the first `anext`: no `yield` is there to
    /// receive the value. (Sending the `anext` value itself, `()` or `None`,
    /// is allowed, as `asend(None)` is in Python.)
    JustStarted,
}

impl fmt::Display for AsyncGenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AsyncGenError::StopAsyncIteration => "StopAsyncIteration: the async generator is over",
            AsyncGenError::AlreadyRunning => "asynchronous generator is already running",
            AsyncGenError::JustStarted => {
                "can't send a value to a just-started async generator; call anext() first"
            }
        })
    }
}

impl std::error::Error for AsyncGenError {}

/// The future of [`AsyncGen::next`]: the next item, `None` once the
/// generator is over. Dropping it mid-step loses nothing: the next call
/// continues the same step.
///
/// It holds the generator's block itself, not a reference to the
/// `AsyncGen` (a pointer to the pointer): the consumer's loop then reaches
/// the body with one load fewer per item.
#[must_use = "futures do nothing unless awaited"]
pub struct Next<'a, Y, R, S, F: ?Sized> {
    core: NonNull<Block<Y, R, S, F>>,
    /// Borrowed exclusively, as `&mut AsyncGen` (which this stands for).
    _agen: PhantomData<&'a mut AsyncGen<Y, R, S, F>>,
}

impl<Y, R, S, F: ?Sized> Unpin for Next<'_, Y, R, S, F> {}

// SAFETY: `Next` is a `&mut AsyncGen` in another form (it reaches the block
// only while that exclusive borrow lasts), and `&mut T` is `Send` when `T`
// is; the raw pointer adds nothing.
unsafe impl<Y, R, S, F: ?Sized> Send for Next<'_, Y, R, S, F> where AsyncGen<Y, R, S, F>: Send {}

// SAFETY: as for `Send`: `&mut T` is `Sync` when `T` is.
unsafe impl<Y, R, S, F: ?Sized> Sync for Next<'_, Y, R, S, F> where AsyncGen<Y, R, S, F>: Sync {}

impl<Y, R, F: Future<Output = R> + ?Sized, S: AnextValue> Future for Next<'_, Y, R, S, F> {
    type Output = Option<Y>;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: the block belongs to the generator borrowed exclusively
        // for `'a`, which keeps it alive and unreached by anyone else.
        unsafe { Block::next_exclusive(self.core, cx, S::anext_value) }
    }
}

/// The future of [`AsyncGen::anext`], [`asend`](AsyncGen::asend) and
/// [`athrow`](AsyncGen::athrow): the next yielded value, or why none.
///
/// It holds the generator's run lock from its first poll until the body
/// yields or returns, so a second call meanwhile is `AlreadyRunning`.
/// Dropped mid-step, it releases the lock and leaves the step in flight;
/// `anext`/`next` continue it.
#[must_use = "futures do nothing unless awaited"]
pub struct ASend<'a, Y, R, S, F: ?Sized> {
    agen: &'a AsyncGen<Y, R, S, F>,
    /// `None` for `anext`, which resumes with `S::anext_value()`.
    value: Option<S>,
    locked: bool,
    done: bool,
}

/// The future of [`AsyncGen::anext`].
pub type ANext<'a, Y, R, S, F> = ASend<'a, Y, R, S, F>;

impl<Y, R, F: ?Sized, S> Unpin for ASend<'_, Y, R, S, F> {}

impl<Y, R, F: Future<Output = R> + ?Sized, S: AnextValue> Future for ASend<'_, Y, R, S, F> {
    type Output = Result<Y, AsyncGenError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(
            !this.done,
            "an anext()/asend() future was polled after it completed"
        );
        let core = this.agen.core();
        if !this.locked {
            if !core.try_lock() {
                this.done = true;
                return Poll::Ready(Err(AsyncGenError::AlreadyRunning));
            }
            this.locked = true;
            if let Err(error) = this.begin(core) {
                return Poll::Ready(Err(this.finish(error)));
            }
        }
        // SAFETY: we hold the run lock, which is exclusive access.
        match unsafe { Block::poll_step(this.agen.core, cx) } {
            Poll::Ready(Step::Yielded(item)) => {
                this.release();
                Poll::Ready(Ok(item))
            }
            Poll::Ready(Step::Ended) => {
                Poll::Ready(Err(this.finish(AsyncGenError::StopAsyncIteration)))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<Y, R, F: ?Sized, S: AnextValue> ASend<'_, Y, R, S, F> {
    /// Resumes the body with our value, under the lock.
    fn begin(&mut self, core: &Block<Y, R, S, F>) -> Result<(), AsyncGenError> {
        match (core.state(), self.value.take()) {
            (FINISHED | CLOSED, _) => Err(AsyncGenError::StopAsyncIteration),
            // Python refuses a non-None first send.
            (UNSTARTED, Some(value)) if !value.is_anext_value() => Err(AsyncGenError::JustStarted),
            // A dropped call left a step in flight: only `anext` continues it.
            (RUNNING, Some(_)) => Err(AsyncGenError::AlreadyRunning),
            (RUNNING, None) => Ok(()),
            (_, value) => {
                // Unstarted or suspended: the resume is accepted.
                let _ = core.resume(value.unwrap_or_else(S::anext_value));
                Ok(())
            }
        }
    }

    fn release(&mut self) {
        self.done = true;
        if std::mem::take(&mut self.locked) {
            self.agen.core().unlock();
        }
    }

    fn finish(&mut self, error: AsyncGenError) -> AsyncGenError {
        self.release();
        error
    }
}

impl<Y, R, F: ?Sized, S> Drop for ASend<'_, Y, R, S, F> {
    fn drop(&mut self) {
        if self.locked {
            self.agen.core().unlock();
        }
    }
}

/// The future of [`AsyncGen::aclose`].
///
/// A body suspended at a `yield` is closed as Python throws
/// `GeneratorExit` there: a cancellation is delivered into it, so an
/// `async with` around the `yield` takes it and runs its exit to the end
/// (awaits included) before the body is dropped. Then the async cleanups
/// the body registered with [`finally`](crate::finally) run to completion,
/// in order. If this future is dropped before they finish, the rest are
/// handed to the loop like any released cleanup.
#[must_use = "futures do nothing unless awaited"]
pub struct AClose<'a, Y, R, S, F: ?Sized> {
    agen: &'a AsyncGen<Y, R, S, F>,
    started: bool,
    /// While the body's exits run: the scope the close is delivered
    /// through. The run lock is held meanwhile.
    closing: Option<Rc<ScopeNode>>,
    cleanups: Vec<Cleanup>,
    location: &'static Location<'static>,
}

impl<Y, R, F: ?Sized, S> Unpin for AClose<'_, Y, R, S, F> {}

impl<Y, R, F: Future<Output = R> + ?Sized, S> Future for AClose<'_, Y, R, S, F> {
    type Output = Result<(), AsyncGenError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let core = this.agen.core();
        if !this.started {
            if !core.try_lock() {
                return Poll::Ready(Err(AsyncGenError::AlreadyRunning));
            }
            this.started = true;
            match core.state() {
                FINISHED | CLOSED => core.unlock(),
                SUSPENDED if core.prepare_close() => {
                    let node = ScopeNode::new();
                    node.deliver_inside();
                    node.cancel(Pending::Own(CancelledError::new(Some(
                        "the async generator was closed".to_owned(),
                    ))));
                    this.closing = Some(node);
                }
                // Not started, or mid-step (a dropped `anext`): what it
                // awaits is not polled again; it is dropped.
                _ => this.drop_body(),
            }
        }
        if let Some(node) = this.closing.clone() {
            let agen = this.agen.core;
            // SAFETY: the run lock is held since the close started (only
            // `drop_body` releases it), which is exclusive access.
            let polled = node.poll(cx, |cx| unsafe { Block::poll_step(agen, cx) });
            match polled {
                ScopePoll::Pending => return Poll::Pending,
                ScopePoll::Ready(Step::Yielded(_)) => report::warn(
                    "an async generator yielded while it was being closed (Python: \"async \
                     generator ignored GeneratorExit\"); it was dropped there",
                ),
                ScopePoll::Ready(Step::Ended) | ScopePoll::Cancelled(_) => {}
            }
            this.drop_body();
        }
        while let Some(first) = this.cleanups.first_mut() {
            match first.as_mut().poll(cx) {
                Poll::Ready(()) => drop(this.cleanups.remove(0)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl<Y, R, S, F: ?Sized> AClose<'_, Y, R, S, F> {
    /// Drops the body where it stands, keeps the cleanups it released, and
    /// releases the run lock (held since the close started).
    fn drop_body(&mut self) {
        self.closing = None;
        let core = self.agen.core();
        struct Unlock<'a, Y, R, F: ?Sized, S>(&'a Block<Y, R, S, F>);
        impl<Y, R, F: ?Sized, S> Drop for Unlock<'_, Y, R, F, S> {
            fn drop(&mut self) {
                self.0.unlock();
            }
        }
        let _unlock = Unlock(core);
        if !matches!(core.state(), FINISHED | CLOSED) {
            let agen = self.agen.core;
            // SAFETY: we hold the run lock, which is exclusive access,
            // and the body is never polled after this.
            let released = context::collect_cleanups(|| unsafe { Block::drop_body(agen, CLOSED) });
            self.cleanups.extend(released);
        }
    }
}

impl<Y, R, F: ?Sized, S> Drop for AClose<'_, Y, R, S, F> {
    fn drop(&mut self) {
        if self.closing.is_some() {
            // Dropped while the body's exits ran: they stop there.
            self.drop_body();
        }
        for cleanup in self.cleanups.drain(..) {
            hand_over(cleanup, self.location);
        }
    }
}

impl<Y, R, F: Future<Output = R> + ?Sized, S: AnextValue> AsyncGen<Y, R, S, F> {
    /// The next item, `None` once the generator is over: `async for`'s
    /// step, usable as `while let Some(x) = agen.next().await`.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let mut agen = asyncio::async_gen! {
    ///         yield 1u8;
    ///         yield 2;
    ///     };
    ///     let mut seen = Vec::new();
    ///     while let Some(x) = agen.next().await {
    ///         seen.push(x);
    ///     }
    ///     assert_eq!(seen, [1, 2]);
    /// });
    /// ```
    #[inline]
    #[allow(clippy::should_implement_trait)] // a Stream, not an Iterator
    pub fn next(&mut self) -> Next<'_, Y, R, S, F> {
        Next {
            core: self.core,
            _agen: PhantomData,
        }
    }

    /// Python's `anext(agen)`: resumes the body (its `yield` evaluates to
    /// `S::anext_value()`) and returns the next yielded value, or
    /// `Err(StopAsyncIteration)` once it is over, or `Err(AlreadyRunning)`
    /// if another protocol call on it is in flight.
    ///
    /// ```
    /// use asyncio::AsyncGenError;
    /// asyncio::run(async {
    ///     let agen = asyncio::async_gen! { yield "only"; };
    ///     assert_eq!(agen.anext().await, Ok("only"));
    ///     assert_eq!(agen.anext().await, Err(AsyncGenError::StopAsyncIteration));
    /// });
    /// ```
    pub fn anext(&self) -> ANext<'_, Y, R, S, F> {
        ASend {
            agen: self,
            value: None,
            locked: false,
            done: false,
        }
    }

    /// Python's `agen.asend(value)`: resumes the body with `value` (the
    /// `yield` it is suspended at evaluates to it) and returns the next
    /// yielded value. Before the first `anext` there is no `yield` to
    /// receive it: `Err(JustStarted)`, unless `value` is the `anext` value
    /// (`()`, `None`), as Python allows `asend(None)`.
    ///
    /// ```
    /// use asyncio::AsyncGen;
    /// asyncio::async_gen! {
    ///     // A running total: each `asend` adds to it.
    ///     async fn totals() -> AsyncGen<u32, (), Option<u32>> {
    ///         let mut total = 0;
    ///         loop {
    ///             match yield total {
    ///                 Some(n) => total += n,
    ///                 None => return,
    ///             }
    ///         }
    ///     }
    /// }
    /// asyncio::run(async {
    ///     let agen = totals();
    ///     assert_eq!(agen.anext().await, Ok(0)); // start it (sends None)
    ///     assert_eq!(agen.asend(Some(5)).await, Ok(5));
    ///     assert_eq!(agen.asend(Some(2)).await, Ok(7));
    /// });
    /// ```
    pub fn asend(&self, value: S) -> ASend<'_, Y, R, S, F> {
        ASend {
            agen: self,
            value: Some(value),
            locked: false,
            done: false,
        }
    }

    /// Python's `agen.aclose()`: ends the body at the `yield` it is
    /// suspended at and awaits its async cleanup. Closing a generator that
    /// is over, or never started, just marks it closed. Afterwards every
    /// call reports `StopAsyncIteration` and `next` returns `None`.
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc};
    /// asyncio::run(async {
    ///     let cleaned = Rc::new(Cell::new(false));
    ///     let c = cleaned.clone();
    ///     let agen = asyncio::async_gen! {
    ///         let _cleanup = asyncio::finally(async move {
    ///             asyncio::sleep(0.01).await; // async cleanup
    ///             c.set(true);
    ///         });
    ///         loop {
    ///             yield 1u8;
    ///         }
    ///     };
    ///     assert_eq!(agen.anext().await, Ok(1));
    ///     agen.aclose().await.unwrap(); // ends the body at its `yield`
    ///     assert!(cleaned.get() && agen.is_finished());
    /// });
    /// ```
    #[track_caller]
    pub fn aclose(&self) -> AClose<'_, Y, R, S, F> {
        AClose {
            agen: self,
            started: false,
            closing: None,
            cleanups: Vec::new(),
            location: Location::caller(),
        }
    }
}

impl<Y, R, F: Future<Output = R> + ?Sized, T: AnextValue, E> AsyncGen<Y, R, Result<T, E>, F> {
    /// Python's `agen.athrow(exc)`: resumes the body with `Err(error)` at
    /// the `yield` it is suspended at, where it can handle it (`match`) or
    /// pass it on (`(yield v)?` ends the generator with it). Returns the
    /// next yielded value, or `Err(StopAsyncIteration)` if the body ended.
    ///
    /// ```
    /// use asyncio::{AsyncGen, AsyncGenError};
    /// asyncio::async_gen! {
    ///     async fn reader() -> AsyncGen<&'static str, Result<(), String>, Result<Option<()>, String>> {
    ///         loop {
    ///             // An error thrown in ends the generator with it.
    ///             (yield "line")?;
    ///         }
    ///     }
    /// }
    /// asyncio::run(async {
    ///     let mut agen = reader();
    ///     assert_eq!(agen.anext().await, Ok("line"));
    ///     let thrown = agen.athrow("disk gone".to_owned()).await;
    ///     assert_eq!(thrown, Err(AsyncGenError::StopAsyncIteration));
    ///     assert_eq!(agen.take_return(), Some(Err("disk gone".to_owned())));
    /// });
    /// ```
    pub fn athrow(&self, error: E) -> ASend<'_, Y, R, Result<T, E>, F> {
        ASend {
            agen: self,
            value: Some(Err(error)),
            locked: false,
            done: false,
        }
    }
}

impl<Y, R, S, F: ?Sized> fmt::Debug for Next<'_, Y, R, S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Next").finish_non_exhaustive()
    }
}

impl<Y, R, S, F: ?Sized> fmt::Debug for ASend<'_, Y, R, S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ASend")
            .field("started", &self.locked)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<Y, R, S, F: ?Sized> fmt::Debug for AClose<'_, Y, R, S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AClose")
            .field("started", &self.started)
            .field("cleanups", &self.cleanups.len())
            .finish_non_exhaustive()
    }
}
