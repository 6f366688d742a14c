//! The body's side: the handle a body yields through.
//!
//! [`Co`] is the macro-free handle: [`from_fn`] lends it to an async
//! closure by reference, so it cannot outlive the generator, and it can be
//! shared by branches that run concurrently inside the body. [`RawCo`] is
//! what `async_gen!` uses: an owned pointer that is `Send`, sound because
//! the macro hides it from the body's code (only the macro's own
//! `yield` expansion touches it).

#![allow(unsafe_code)] // audited: see ARCHITECTURE.md, "unsafe"

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll};

use super::AsyncGen;
use super::slot::{Slot, YieldCell};

/// The handle a [`from_fn`] body yields through: `co.yield_(v).await` is
/// Python's `yield v`, and evaluates to what the generator was resumed with
/// (`()` for a plain stream; see [`AsyncGen::asend`]).
///
/// `&Co` may be shared by concurrent branches of the body (`join!`,
/// `select!`, a `FuturesUnordered`): each `yield` still waits for the
/// consumer, and values come out in the order the `yield`s were reached.
/// `Co` is not `Sync`, so a body holding `&Co` across an `.await` is not
/// `Send`; use `async_gen!` for a `Send` generator.
///
/// ```
/// use asyncio::generator::{Co, from_fn};
/// asyncio::run(async {
///     let agen = from_fn(async |co: &Co<u32>| {
///         for i in 0..3 {
///             co.yield_(i).await;
///         }
///     });
///     assert_eq!(agen.collect::<Vec<_>>().await, [0, 1, 2]);
/// });
/// ```
#[repr(transparent)]
pub struct Co<Y, S = ()> {
    slot: Slot<Y, S>,
}

impl<Y, S> Co<Y, S> {
    /// Yields `value` to the consumer; resolves, once the generator is
    /// resumed, to the value it was resumed with.
    ///
    /// ```
    /// use asyncio::generator::{Co, from_fn};
    /// asyncio::run(async {
    ///     let agen = from_fn(async |co: &Co<&str>| {
    ///         co.yield_("first").await; // waits until the consumer takes it
    ///         co.yield_("second").await;
    ///     });
    ///     assert_eq!(agen.collect::<Vec<_>>().await, ["first", "second"]);
    /// });
    /// ```
    pub fn yield_(&self, value: Y) -> Yield<'_, Y, S> {
        Yield {
            cell: YieldCell::new(&self.slot, value),
        }
    }
}

/// The future of one `co.yield_(v)`; see [`Co`].
///
/// Dropping it before it completes takes the value back if the consumer
/// has not received it yet (a cancelled `yield` did not happen).
#[must_use = "a `yield` does nothing unless awaited"]
pub struct Yield<'a, Y, S> {
    cell: YieldCell<'a, Y, S>,
}

impl<Y, S> Unpin for Yield<'_, Y, S> {}

impl<Y, S> Future for Yield<'_, Y, S> {
    type Output = S;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<S> {
        self.get_mut().cell.poll(cx)
    }
}

/// Makes a generator from an async closure that yields through a [`Co`]
/// handle; the closure's output is the generator's return value. The
/// macro-free twin of `async_gen!`, on the same state machine.
///
/// ```
/// use asyncio::generator::{Co, from_fn};
///
/// asyncio::run(async {
///     let squares = from_fn(async |co: &Co<u64>| {
///         for i in 1..=3 {
///             co.yield_(i * i).await;
///         }
///     });
///     assert_eq!(squares.collect::<Vec<_>>().await, [1, 4, 9]);
/// });
/// ```
pub fn from_fn<'g, Y: 'g, R, S: 'g, C>(producer: C) -> AsyncGen<Y, R, S, impl Future<Output = R>>
where
    C: for<'a> AsyncFnOnce(&'a Co<Y, S>) -> R,
{
    AsyncGen::build(move |slot: NonNull<Slot<Y, S>>| {
        // SAFETY: `Co` is a transparent wrapper of the slot, which lives in
        // the generator's heap block until after the body is dropped. The
        // claimed lifetime `'g` is longer than that, but the producer must
        // work for every lifetime (`for<'a>`), so it cannot keep the
        // reference anywhere that outlives the body it returns; and `Co` is
        // not `Sync`, so the reference cannot reach another thread.
        let co: &'g Co<Y, S> = unsafe { slot.cast::<Co<Y, S>>().as_ref() };
        CoBody {
            co,
            body: producer(co),
        }
    })
}

pin_project_lite::pin_project! {
    /// A [`from_fn`] body: before each poll, records the body's context
    /// (a `yield` polled with it needs no waker) and wakes a `yield` that
    /// registered one if the generator resumed it, as a `FuturesUnordered`
    /// in the body would not poll it again otherwise. (The generator's
    /// resume does not do it, so the macro's path does not pay for it.)
    pub(crate) struct CoBody<'g, Y, S, F> {
        co: &'g Co<Y, S>,
        #[pin]
        body: F,
    }
}

impl<Y, S, F: Future> Future for CoBody<'_, Y, S, F> {
    type Output = F::Output;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        this.co.slot.enter_body(cx);
        this.body.poll(cx)
    }
}

/// The handle `async_gen!` expansions yield through. Not a public API.
#[doc(hidden)]
pub struct RawCo<Y, S> {
    slot: NonNull<Slot<Y, S>>,
}

// SAFETY: a `RawCo` lives only inside its own generator's body (the
// contract of `AsyncGen::__from_raw`), so it moves between threads only
// together with the generator, which is `Send` under the same bounds.
unsafe impl<Y: Send, S: Send> Send for RawCo<Y, S> {}

impl<Y, S> RawCo<Y, S> {
    /// The expansion of `yield value`: leaves `value` in the slot now (the
    /// macro awaits the returned future at once, so the body's next poll
    /// of it is this same `yield`) and returns the future that suspends
    /// the body until the generator resumes it.
    #[inline(always)]
    pub fn __yield(&self, value: Y) -> RawYield<Y, S> {
        // SAFETY: the slot outlives the body this handle lives in, and the
        // body runs only while the generator polls it, which is exclusive
        // access (the contract of `__from_raw`). The slot is empty: the
        // previous `yield` emptied it when it completed, and `yield`s of
        // the macro do not overlap (each is awaited before the next).
        unsafe { self.slot.as_ref() }.put(value);
        RawYield {
            slot: self.slot,
            _not_sync: PhantomData,
        }
    }
}

/// The future of one `yield` in an `async_gen!` body. Not a public API.
///
/// Its value is already in the slot ([`RawCo::__yield`] put it there). The
/// macro awaits it in place, so it is polled first right away, while the
/// value waits there (`Pending`: the body suspends and the generator takes
/// the value), and next only after the generator resumed it (`Ready` with
/// what it was resumed with). It needs none of the shared handle's checks,
/// and no destructor: if the body is dropped at it, the generator clears
/// the slot.
#[doc(hidden)]
#[must_use = "a `yield` does nothing unless awaited"]
pub struct RawYield<Y, S> {
    slot: NonNull<Slot<Y, S>>,
    _not_sync: PhantomData<std::cell::Cell<()>>,
}

// SAFETY: as for `RawCo`: it exists only inside its generator's body.
unsafe impl<Y: Send, S: Send> Send for RawYield<Y, S> {}

impl<Y, S> Unpin for RawYield<Y, S> {}

impl<Y, S> Future for RawYield<Y, S> {
    type Output = S;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<S> {
        // SAFETY: the slot outlives the body this future lives in, and the
        // body is polled only by the generator, with exclusive access.
        match unsafe { self.slot.as_ref() }.take_resume_raw() {
            Some(resumed) => Poll::Ready(resumed),
            // First poll: the value waits in the slot.
            None => Poll::Pending,
        }
    }
}

impl<Y, R, F: Future<Output = R>, S> AsyncGen<Y, R, S, F> {
    /// Builds a generator whose body `make` creates around a [`RawCo`].
    /// Used by `async_gen!`; not a public API.
    ///
    /// # Safety
    /// The `RawCo` must stay inside the body future `make` returns (not be
    /// moved, sent or stored elsewhere), and be used only to `.await` its
    /// `__yield` futures in place.
    #[doc(hidden)]
    #[inline]
    pub unsafe fn __from_raw(make: impl FnOnce(RawCo<Y, S>) -> F) -> Self {
        AsyncGen::build(move |slot| make(RawCo { slot }))
    }
}

impl<Y, S> std::fmt::Debug for Co<Y, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Co").finish_non_exhaustive()
    }
}

impl<Y, S> std::fmt::Debug for Yield<'_, Y, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Yield").finish_non_exhaustive()
    }
}

impl<Y, S> std::fmt::Debug for RawCo<Y, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawCo").finish_non_exhaustive()
    }
}

impl<Y, S> std::fmt::Debug for RawYield<Y, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawYield").finish_non_exhaustive()
    }
}
