//! The generator's heap block and its step: resume the body with a value,
//! poll it until it yields or returns.
//!
//! One allocation per generator holds the slot, the state and the body, so
//! the slot's address is stable for the body's handle and the generator
//! itself is a movable (`Unpin`) pointer. Nothing is allocated per item.

use std::cell::UnsafeCell;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::ptr::{NonNull, addr_of_mut};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::task::{Context, Poll};

use super::slot::Slot;

/// Not resumed yet: the body has not run.
pub(crate) const UNSTARTED: u8 = 0;
/// A step is in flight: the body was resumed and has not yielded yet.
pub(crate) const RUNNING: u8 = 1;
/// Suspended at a `yield` whose value the consumer took.
pub(crate) const SUSPENDED: u8 = 2;
/// The body returned; its value waits in `result` until taken.
pub(crate) const FINISHED: u8 = 3;
/// Closed by `aclose` (or the body panicked): nothing more will run.
pub(crate) const CLOSED: u8 = 4;

/// What one step ended with.
pub(crate) enum Step<Y> {
    /// The body yielded this value.
    Yielded(Y),
    /// The body has returned (now or earlier) or was closed.
    Ended,
}

/// The generator's heap block. `body` comes last so the block can be
/// unsized to `dyn Future` (see `AsyncGen::boxed`).
pub(crate) struct Core<Y, R, S, F: ?Sized> {
    pub(crate) slot: Slot<Y, S>,
    /// One of the state constants. Written only by the step holder; atomic
    /// so `&self` queries from other threads are sound.
    state: AtomicU8,
    /// Held by a protocol call (`anext`, `asend`, `aclose`) for the whole
    /// step, so a second one while it is in flight is "already running".
    lock: AtomicBool,
    /// Whether `body` still needs dropping.
    body_live: AtomicBool,
    result: UnsafeCell<Option<R>>,
    body: ManuallyDrop<F>,
}

/// Allocates a block and builds the body in it; `make` gets the slot's
/// final address.
pub(crate) fn build<Y, R, S, F>(
    make: impl FnOnce(NonNull<Slot<Y, S>>) -> F,
) -> NonNull<Core<Y, R, S, F>> {
    let block: *mut Core<Y, R, S, F> = Box::into_raw(Box::<Core<Y, R, S, F>>::new_uninit()).cast();
    // SAFETY: `block` is a fresh, unaliased allocation for a `Core`; every
    // field is written exactly once before the pointer is returned, and
    // all pointers handed out derive from `block` itself.
    unsafe {
        addr_of_mut!((*block).slot).write(Slot::new());
        addr_of_mut!((*block).state).write(AtomicU8::new(UNSTARTED));
        addr_of_mut!((*block).lock).write(AtomicBool::new(false));
        addr_of_mut!((*block).body_live).write(AtomicBool::new(true));
        addr_of_mut!((*block).result).write(UnsafeCell::new(None));
        let slot = NonNull::new_unchecked(addr_of_mut!((*block).slot));
        // If `make` panics the block leaks (its fields need no drop yet).
        let body = make(slot);
        addr_of_mut!((*block).body).write(ManuallyDrop::new(body));
        NonNull::new_unchecked(block)
    }
}

impl<Y, R, S, F: ?Sized> Core<Y, R, S, F> {
    #[inline(always)]
    pub(crate) fn state(&self) -> u8 {
        self.state.load(Ordering::Relaxed)
    }

    #[inline(always)]
    fn set_state(&self, state: u8) {
        self.state.store(state, Ordering::Relaxed);
    }

    /// Takes the run lock; `false` if another protocol call holds it.
    pub(crate) fn try_lock(&self) -> bool {
        !self.lock.swap(true, Ordering::Acquire)
    }

    pub(crate) fn unlock(&self) {
        self.lock.store(false, Ordering::Release);
    }

    pub(crate) fn is_locked(&self) -> bool {
        self.lock.load(Ordering::Relaxed)
    }

    /// Resumes the body with `value`: at the `yield` it is suspended at, or
    /// at its start (where the value is dropped, as Python drops the `None`
    /// of the first `anext`). Returns `value` back when no `yield` can
    /// receive it: the body is over, or a step is already in flight.
    ///
    /// The state stays as it is until the step ends: `poll_step` records
    /// `RUNNING` only if the body stops short of a `yield`, which keeps the
    /// common step (resume, run to the next `yield`) free of extra stores.
    #[inline(always)]
    pub(crate) fn resume(&self, value: S) -> Result<(), S> {
        match self.state() {
            SUSPENDED => {
                self.slot.resume(value);
                Ok(())
            }
            UNSTARTED => Ok(()),
            _ => Err(value),
        }
    }

    /// As [`resume`](Self::resume), making the value only when a `yield`
    /// will receive it (the `Stream` path's `S::anext_value()`). `false`
    /// when the body is over.
    #[inline(always)]
    pub(crate) fn resume_with(&self, value: impl FnOnce() -> S) -> bool {
        match self.state() {
            SUSPENDED => {
                self.slot.resume(value());
                true
            }
            UNSTARTED | RUNNING => true,
            _ => false,
        }
    }

    /// Takes the body's return value, if it returned and nobody took it.
    ///
    /// # Safety
    /// The caller has exclusive access (`&mut` generator or the run lock).
    pub(crate) unsafe fn take_result(this: NonNull<Self>) -> Option<R> {
        // SAFETY: exclusive access per the contract; the cell is only
        // touched under it.
        unsafe { (*this.as_ref().result.get()).take() }
    }

    /// Puts a return value back (after a look at it).
    ///
    /// # Safety
    /// The caller has exclusive access (`&mut` generator or the run lock).
    pub(crate) unsafe fn put_result(this: NonNull<Self>, value: R) {
        // SAFETY: exclusive access per the contract.
        unsafe { *this.as_ref().result.get() = Some(value) };
    }

    /// Drops the body where it stands (at a `yield`, or mid-step) and
    /// marks the generator `state`. Idempotent.
    ///
    /// # Safety
    /// The caller has exclusive access and does not poll the body again.
    pub(crate) unsafe fn drop_body(this: NonNull<Self>, state: u8) {
        let core = this.as_ptr();
        // SAFETY: `core` is the live block; exclusive access per the
        // contract. `body_live` guards against a second drop, and it is
        // cleared first so a panicking destructor cannot cause one.
        unsafe {
            (*core).set_state(state);
            if (*core).body_live.swap(false, Ordering::Relaxed) {
                ManuallyDrop::drop(&mut *addr_of_mut!((*core).body));
            }
            (*core).slot.clear();
        }
    }

    /// Frees the block, dropping the body first if it still lives.
    ///
    /// # Safety
    /// `this` came from [`build`] (possibly unsized since) and is not used
    /// again.
    pub(crate) unsafe fn free(this: NonNull<Self>) {
        struct Dealloc<Y, R, S, F: ?Sized>(NonNull<Core<Y, R, S, F>>);
        impl<Y, R, S, F: ?Sized> Drop for Dealloc<Y, R, S, F> {
            fn drop(&mut self) {
                // SAFETY: the block came from `Box::into_raw` in `build`;
                // its `ManuallyDrop` body is not dropped again here.
                drop(unsafe { Box::from_raw(self.0.as_ptr()) });
            }
        }
        let dealloc = Dealloc(this);
        // SAFETY: exclusive (the generator is being dropped); the block is
        // freed by `dealloc` even if the body's destructor panics.
        unsafe { Self::drop_body(this, CLOSED) };
        drop(dealloc);
    }
}

impl<Y, R, S, F: Future<Output = R> + ?Sized> Core<Y, R, S, F> {
    /// Polls the body for one step (the caller resumed it first, unless a
    /// step was already in flight). Ready
    /// with `Yielded` when it reaches a `yield`, with `Ended` when it has
    /// returned (the value goes to `result`) or was already over.
    ///
    /// # Safety
    /// The caller has exclusive access (`&mut` generator or the run lock).
    #[inline(always)]
    pub(crate) unsafe fn poll_step(this: NonNull<Self>, cx: &mut Context<'_>) -> Poll<Step<Y>> {
        let core = this.as_ptr();
        // SAFETY: exclusive access per the contract. The body is pinned:
        // it lives in the heap block until `drop_body`, which is the only
        // place that moves or drops it, and it is not polled after that
        // (the state check below).
        unsafe {
            if matches!((*core).state(), FINISHED | CLOSED) {
                return Poll::Ready(Step::Ended);
            }
            // A panic in the body ends the generator: it is not polled again.
            struct Poison<Y, R, S, F: ?Sized>(NonNull<Core<Y, R, S, F>>);
            impl<Y, R, S, F: ?Sized> Drop for Poison<Y, R, S, F> {
                fn drop(&mut self) {
                    // SAFETY: the block is live for the whole step.
                    unsafe { self.0.as_ref().set_state(CLOSED) };
                }
            }
            let poison = Poison(this);
            let body = Pin::new_unchecked(&mut **addr_of_mut!((*core).body));
            let polled = body.poll(cx);
            std::mem::forget(poison);
            match polled {
                Poll::Ready(output) => {
                    Self::drop_body(this, FINISHED);
                    *(*core).result.get() = Some(output);
                    Poll::Ready(Step::Ended)
                }
                Poll::Pending => match (*core).slot.take_item() {
                    Some(item) => {
                        (*core).set_state(SUSPENDED);
                        Poll::Ready(Step::Yielded(item))
                    }
                    None => {
                        (*core).set_state(RUNNING);
                        Poll::Pending
                    }
                },
            }
        }
    }
}
