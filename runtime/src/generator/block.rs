//! The generator's heap block and its step: resume the body with a value,
//! poll it until it yields or returns.
//!
//! One allocation per generator holds the slot, the state and the body, so
//! the slot's address is stable for the body's handle and the generator
//! itself is a movable (`Unpin`) pointer. Nothing is allocated per item.

#![allow(unsafe_code)] // audited: see ARCHITECTURE.md, "unsafe"

use std::cell::{Cell, UnsafeCell};
use std::future::Future;
use std::mem::ManuallyDrop;
use std::mem::offset_of;
use std::pin::Pin;
use std::ptr::NonNull;
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
///
/// Shared references to the block (`&Block`, from `AsyncGen::core`) live
/// while it is stepped and while the body is dropped (the protocol futures
/// hold one), so every field changed through a shared path is interior
/// mutable: the slot's cells, the atomics, and `result` and `body` in an
/// `UnsafeCell`. (Were `body` a plain field, a `&Block` held across
/// `drop_body` would see bytes it covers change under it.)
pub(crate) struct Block<Y, R, S, F: ?Sized> {
    pub(crate) slot: Slot<Y, S>,
    /// One of the state constants. Written only by the step holder; atomic
    /// so `&self` queries from other threads are sound.
    state: AtomicU8,
    /// Held by a protocol call (`anext`, `asend`, `aclose`) for the whole
    /// step, so a second one while it is in flight is "already running".
    lock: AtomicBool,
    /// Whether `body` still needs dropping. Touched only with exclusive access, so not atomic: an atomic swap
    /// here cost two locked instructions per generator.
    body_live: Cell<bool>,
    result: UnsafeCell<Option<R>>,
    body: UnsafeCell<ManuallyDrop<F>>,
}

/// Allocates a block and builds the body in it; `make` gets the slot's
/// final address.
pub(crate) fn build<Y, R, S, F>(
    make: impl FnOnce(NonNull<Slot<Y, S>>) -> F,
) -> NonNull<Block<Y, R, S, F>> {
    let block: NonNull<Block<Y, R, S, F>> =
        NonNull::from(Box::leak(Box::<Block<Y, R, S, F>>::new_uninit())).cast();
    // Each field is written once, in place: the body last, made with the
    // slot's final address. Every pointer derives from `block`, and the
    // offsets are the fields' own, so they stay inside the allocation.
    let field = |offset: usize| block.as_ptr().wrapping_byte_add(offset);
    let slot = field(offset_of!(Block<Y, R, S, F>, slot)).cast::<Slot<Y, S>>();
    // SAFETY: `block` is a fresh, unaliased allocation for a `Block`, and
    // the pointer is one of its fields, written once (so for each write).
    unsafe { slot.write(Slot::new()) };
    let state = field(offset_of!(Block<Y, R, S, F>, state)).cast::<AtomicU8>();
    // SAFETY: as above.
    unsafe { state.write(AtomicU8::new(UNSTARTED)) };
    let lock = field(offset_of!(Block<Y, R, S, F>, lock)).cast::<AtomicBool>();
    // SAFETY: as above.
    unsafe { lock.write(AtomicBool::new(false)) };
    let body_live = field(offset_of!(Block<Y, R, S, F>, body_live)).cast::<Cell<bool>>();
    // SAFETY: as above.
    unsafe { body_live.write(Cell::new(true)) };
    let result = field(offset_of!(Block<Y, R, S, F>, result)).cast::<UnsafeCell<Option<R>>>();
    // SAFETY: as above.
    unsafe { result.write(UnsafeCell::new(None)) };
    // If `make` panics the block leaks (its fields need no drop yet).
    let body = make(NonNull::new(slot).expect("a field of a live allocation"));
    let at = field(offset_of!(Block<Y, R, S, F>, body)).cast::<UnsafeCell<ManuallyDrop<F>>>();
    // SAFETY: as above.
    unsafe { at.write(UnsafeCell::new(ManuallyDrop::new(body))) };
    block
}

impl<Y, R, S, F: ?Sized> Block<Y, R, S, F> {
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

    /// Takes the body's return value, if it returned and nobody took it.
    ///
    /// # Safety
    /// The caller has exclusive access (`&mut` generator or the run lock).
    pub(crate) unsafe fn take_result(this: NonNull<Self>) -> Option<R> {
        // SAFETY: the block is live (its generator calls this).
        let result = unsafe { this.as_ref() }.result.get();
        // SAFETY: exclusive access per the contract; the cell is only
        // touched under it.
        unsafe { (*result).take() }
    }

    /// Puts a return value back (after a look at it).
    ///
    /// # Safety
    /// The caller has exclusive access (`&mut` generator or the run lock).
    pub(crate) unsafe fn put_result(this: NonNull<Self>, value: R) {
        // SAFETY: the block is live (its generator calls this).
        let result = unsafe { this.as_ref() }.result.get();
        // SAFETY: exclusive access per the contract.
        unsafe { *result = Some(value) };
    }

    /// Readies a body suspended at a `yield` to be polled for its close
    /// (see [`Slot::unresume_for_close`]); whether it could be.
    pub(crate) fn prepare_close(&self) -> bool {
        self.slot.unresume_for_close()
    }

    /// Drops the body where it stands (at a `yield`, or mid-step) and
    /// marks the generator `state`. Idempotent.
    ///
    /// # Safety
    /// The caller has exclusive access and does not poll the body again.
    pub(crate) unsafe fn drop_body(this: NonNull<Self>, state: u8) {
        let core = this.as_ptr();
        // SAFETY: `core` is the live block; a place projection, no read.
        let body = UnsafeCell::raw_get(unsafe { &raw const (*core).body });
        // SAFETY: the live block; the fields used below are interior
        // mutable (see `Block`), so a shared reference may be held.
        let shared = unsafe { &*core };
        shared.set_state(state);
        // `body_live` guards against a second drop, and it is cleared
        // first so a panicking destructor cannot cause one.
        if shared.body_live.replace(false) {
            // SAFETY: exclusive access per the contract: no other
            // reference to the body exists.
            let body = unsafe { &mut *body };
            // SAFETY: `body_live` said it was not dropped yet, and it is
            // never used again.
            unsafe { ManuallyDrop::drop(body) };
            // Only the body and a resume of a `yield` in it leave values
            // in the slot, and neither happens once it is gone (the state
            // says so): one clearing is enough. (If the body's destructor
            // panics, `Slot`'s own `Drop` clears it.)
            shared.slot.release();
        }
    }

    /// Frees the block, dropping the body first if it still lives.
    ///
    /// # Safety
    /// `this` came from [`build`] (possibly unsized since) and is not used
    /// again.
    pub(crate) unsafe fn free(this: NonNull<Self>) {
        struct Dealloc<Y, R, S, F: ?Sized>(NonNull<Block<Y, R, S, F>>);
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

impl<Y, R, S, F: Future<Output = R> + ?Sized> Block<Y, R, S, F> {
    /// Polls the body for one step (the caller resumed it first, unless a
    /// step was already in flight). Ready
    /// with `Yielded` when it reaches a `yield`, with `Ended` when it has
    /// returned (the value goes to `result`) or was already over.
    ///
    /// # Safety
    /// The caller holds the run lock, which is exclusive access.
    #[inline]
    pub(crate) unsafe fn poll_step(this: NonNull<Self>, cx: &mut Context<'_>) -> Poll<Step<Y>> {
        // SAFETY: exclusive access per the contract.
        let state = unsafe { this.as_ref() }.state();
        if matches!(state, FINISHED | CLOSED) {
            return Poll::Ready(Step::Ended);
        }
        // SAFETY: exclusive access per the contract; the body is not over
        // (checked above). Other threads may read the state meanwhile (the
        // `&self` queries), so it is written atomically: `Shared`.
        match unsafe { Self::poll_body::<Shared>(this, state, cx) } {
            Poll::Ready(Some(item)) => Poll::Ready(Step::Yielded(item)),
            Poll::Ready(None) => Poll::Ready(Step::Ended),
            Poll::Pending => Poll::Pending,
        }
    }

    /// The `Stream` step, through `&mut AsyncGen`: resumes the body with
    /// `value()` if it is suspended at a `yield`, polls it, and returns
    /// the yielded item; `None` once it is over.
    ///
    /// The generator's hot path. Nothing else can reach the block while
    /// the caller holds `&mut` (the body only reaches the slot, and only
    /// while we poll it), so the state is read and written without atomic
    /// operations, which lets the compiler fold the checks into the
    /// consumer's loop.
    ///
    /// # Safety
    /// The caller has `&mut` access to the generator that owns `this`.
    #[inline(always)]
    pub(crate) unsafe fn next_exclusive(
        this: NonNull<Self>,
        cx: &mut Context<'_>,
        value: impl FnOnce() -> S,
    ) -> Poll<Option<Y>> {
        let core = this.as_ptr();
        // SAFETY: the block is live; `&mut` access per the contract, so
        // no other thread touches the state now and a plain read is
        // ordered after every earlier write to it (whoever made them
        // handed the generator over to us, with synchronisation).
        let state = unsafe { Exclusive::state(core) };
        // SAFETY: as above.
        let state = unsafe { state.read() };
        match state {
            // SAFETY: single-threaded slot access, exclusive per the contract.
            SUSPENDED => unsafe { (*core).slot.resume(value()) },
            UNSTARTED | RUNNING => {}
            _ => return Poll::Ready(None),
        }
        // SAFETY: exclusive access per the contract; the body is not over
        // (checked above).
        unsafe { Self::poll_body::<Exclusive>(this, state, cx) }
    }

    /// Polls the body (not over yet) once, and records how the step ended:
    /// `Some(item)` at a `yield`, `None` if it returned (its value goes to
    /// `result`), `Pending` if it awaits something else.
    ///
    /// `state` is the state the step began in. Only the step holder writes
    /// the state, and the body cannot reach it (its handle reaches the
    /// slot only), so it is still `state` after the poll and is stored
    /// only if it changes: a generator yielding item after item stays
    /// `SUSPENDED` with no store at all.
    ///
    /// # Safety
    /// The caller has exclusive access (`&mut` generator or the run lock;
    /// `A` says which), the body has not ended (state not `FINISHED` or
    /// `CLOSED`), and `state` is the current state.
    #[inline(always)]
    unsafe fn poll_body<A: Access>(
        this: NonNull<Self>,
        state: u8,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Y>> {
        let core = this.as_ptr();
        // A panic in the body ends the generator: it is not polled again.
        // Free on the normal path (forgotten); only the unwind runs it.
        struct Poison<Y, R, S, F: ?Sized>(NonNull<Block<Y, R, S, F>>);
        impl<Y, R, S, F: ?Sized> Drop for Poison<Y, R, S, F> {
            fn drop(&mut self) {
                // SAFETY: the block is live for the whole step.
                unsafe { self.0.as_ref().set_state(CLOSED) };
            }
        }
        let poison = Poison(this);
        // SAFETY: the block is live and we have exclusive access per the
        // contract, so this is the only reference to the body now.
        let body = UnsafeCell::raw_get(unsafe { &raw const (*core).body });
        // SAFETY: as above: the only reference to the body.
        let body = unsafe { &mut **body };
        // SAFETY: the body is pinned: it lives in the heap block until
        // `drop_body`, which is the only place that moves or drops it, and
        // it is not polled after that (the caller checked that it has not
        // ended).
        let polled = unsafe { Pin::new_unchecked(body) }.poll(cx);
        std::mem::forget(poison);
        match polled {
            Poll::Ready(output) => {
                // SAFETY: exclusive access per the contract; the body is
                // not polled again (the state says `FINISHED`).
                unsafe { Self::finish(this, output) };
                Poll::Ready(None)
            }
            // SAFETY: single-threaded slot access, exclusive per the contract.
            Poll::Pending => match unsafe { (*core).slot.take_item() } {
                Some(item) => {
                    if state != SUSPENDED {
                        // SAFETY: exclusive access per the contract.
                        unsafe { A::set_state(core, SUSPENDED) };
                    }
                    Poll::Ready(Some(item))
                }
                None => {
                    if state != RUNNING {
                        // SAFETY: exclusive access per the contract.
                        unsafe { A::set_state(core, RUNNING) };
                    }
                    Poll::Pending
                }
            },
        }
    }

    /// The body returned `output`: drop it, keep the value.
    ///
    /// # Safety
    /// Exclusive access, and the body is not polled again.
    #[cold]
    unsafe fn finish(this: NonNull<Self>, output: R) {
        // SAFETY: per the contract.
        unsafe { Self::drop_body(this, FINISHED) };
        // SAFETY: per the contract (the block outlives its body).
        unsafe { Self::put_result(this, output) };
    }
}

/// How a step writes the state: atomically when other threads may read it
/// meanwhile, plainly when nothing else can reach the block.
trait Access {
    /// # Safety
    /// `core` is a live block the caller has exclusive access to (in the
    /// sense of the implementation).
    unsafe fn set_state<Y, R, S, F: ?Sized>(core: *mut Block<Y, R, S, F>, state: u8);
}

/// Under the run lock: `&self` queries from other threads may read the
/// state while we write it.
struct Shared;

impl Access for Shared {
    #[inline(always)]
    unsafe fn set_state<Y, R, S, F: ?Sized>(core: *mut Block<Y, R, S, F>, state: u8) {
        // SAFETY: the block is live per the contract.
        unsafe { (*core).set_state(state) }
    }
}

/// Through `&mut AsyncGen`: no other reference to the block exists.
struct Exclusive;

impl Exclusive {
    /// The state byte, for plain (non-atomic) access.
    ///
    /// # Safety
    /// `core` is a live block.
    #[inline(always)]
    unsafe fn state<Y, R, S, F: ?Sized>(core: *mut Block<Y, R, S, F>) -> *mut u8 {
        // SAFETY: the block is live per the contract.
        unsafe { (*core).state.as_ptr() }
    }
}

impl Access for Exclusive {
    #[inline(always)]
    unsafe fn set_state<Y, R, S, F: ?Sized>(core: *mut Block<Y, R, S, F>, state: u8) {
        // SAFETY: the block is live, and with `&mut` access nothing else
        // reads or writes the state concurrently, so a plain write is not
        // a data race with the atomic accesses made at other times.
        let at = unsafe { Exclusive::state(core) };
        // SAFETY: as above.
        unsafe { at.write(state) }
    }
}
