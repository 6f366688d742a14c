//! The exchange between a generator and its body: one place where a `yield`
//! leaves its value and later finds what `anext`/`asend` resumed it with.
//!
//! There is no channel and no thread-local: the slot lives in the
//! generator's heap block next to the body, and the body's handle points at
//! it. One value is in flight at a time, so every `yield` waits until the
//! consumer took its value and resumed it (backpressure).
//!
//! Two kinds of `yield` use it. The macro's `yield` is always awaited in
//! place, one at a time, and is polled again only after the generator
//! resumed it, so it takes the short path ([`Slot::put`], [`Slot::take_resume`]).
//! The [`Co`](super::Co) handle's `yield` may run in concurrent branches of
//! the body (`join!`, `select!`, `FuturesUnordered`), so it checks
//! ([`Slot::poll_yield`]): a `yield` that found the slot busy waits, and a
//! waiting `yield` goes before one that has not waited yet, so values come
//! out in the order the `yield`s were reached and none is overwritten.

use std::cell::{Cell, UnsafeCell};
use std::mem::MaybeUninit;
use std::task::{Context, Poll, Waker};

/// Nothing in flight: the next `yield` may leave its value.
const EMPTY: u8 = 0;
/// `item` holds a value the consumer has not taken yet.
const ITEM: u8 = 1;
/// The consumer took the value; its `yield` waits to be resumed.
const TAKEN: u8 = 2;
/// `resume` holds the value the `yield` was resumed with.
const RESUMED: u8 = 3;

/// The slot shared by a generator and the `yield`s of its body.
///
/// Touched only by whoever drives the generator, one poll at a time (the
/// generator's poll holds `&mut` or its run lock); the cells make the
/// shared references the body holds sound. `tag` says which of `item` and
/// `resume` is initialized.
pub(crate) struct Slot<Y, S> {
    tag: Cell<u8>,
    /// `yield`s that found the slot busy and wait for it.
    waiting: Cell<u32>,
    item: UnsafeCell<MaybeUninit<Y>>,
    resume: UnsafeCell<MaybeUninit<S>>,
    /// The shared-handle `yield` whose value is in flight, to wake when it
    /// is resumed: inside `join!` or a `FuturesUnordered` nobody else
    /// would poll it again. (The macro's `yield` never registers.)
    depositor: UnsafeCell<Option<Waker>>,
    /// Waiting shared-handle `yield`s, woken when the slot frees up.
    /// Allocated only the first time two `yield`s contend.
    waiters: UnsafeCell<Vec<Waker>>,
}

impl<Y, S> Slot<Y, S> {
    pub(crate) fn new() -> Self {
        Slot {
            tag: Cell::new(EMPTY),
            waiting: Cell::new(0),
            item: UnsafeCell::new(MaybeUninit::uninit()),
            resume: UnsafeCell::new(MaybeUninit::uninit()),
            depositor: UnsafeCell::new(None),
            waiters: UnsafeCell::new(Vec::new()),
        }
    }

    /// Leaves a yielded value. The slot must be empty (else the old
    /// contents leak; nothing unsound).
    #[inline(always)]
    pub(crate) fn put(&self, value: Y) {
        debug_assert_eq!(self.tag.get(), EMPTY, "a yield found the slot busy");
        // SAFETY: single-threaded access per the type's contract; writing a
        // `MaybeUninit` never reads or drops what was there.
        unsafe { (*self.item.get()).write(value) };
        self.tag.set(ITEM);
    }

    /// Takes the value a `yield` left, marking it taken.
    #[inline(always)]
    pub(crate) fn take_item(&self) -> Option<Y> {
        if self.tag.get() != ITEM {
            return None;
        }
        self.tag.set(TAKEN);
        // SAFETY: `ITEM` means `item` is initialized; the tag change above
        // means it is read exactly once.
        Some(unsafe { (*self.item.get()).assume_init_read() })
    }

    /// Resumes the `yield` whose value was taken with `value`. Dropped if
    /// no `yield` waits for it (it was cancelled).
    #[inline(always)]
    pub(crate) fn resume(&self, value: S) {
        if self.tag.get() == TAKEN {
            // SAFETY: `TAKEN` means `resume` is free; single-threaded.
            unsafe { (*self.resume.get()).write(value) };
            self.tag.set(RESUMED);
            // SAFETY: single-threaded; no other reference to the cell lives.
            if let Some(waker) = unsafe { (*self.depositor.get()).take() } {
                waker.wake();
            }
        }
    }

    /// Takes the value the generator resumed the waiting `yield` with.
    #[inline(always)]
    pub(crate) fn take_resume(&self) -> Option<S> {
        if self.tag.get() != RESUMED {
            return None;
        }
        self.tag.set(EMPTY);
        // SAFETY: `RESUMED` means `resume` is initialized; the tag change
        // above means it is read exactly once.
        Some(unsafe { (*self.resume.get()).assume_init_read() })
    }

    /// Drops whatever is in flight (the body finished or was dropped, or
    /// a `yield` was cancelled), and lets a waiting `yield` in.
    pub(crate) fn clear(&self) {
        let tag = self.tag.replace(EMPTY);
        // SAFETY: the tag said which value is initialized; it is now
        // `EMPTY`, so it is dropped exactly once. Single-threaded, and no
        // other reference to the waker cells lives.
        unsafe {
            match tag {
                ITEM => (*self.item.get()).assume_init_drop(),
                RESUMED => (*self.resume.get()).assume_init_drop(),
                _ => {}
            }
            drop((*self.depositor.get()).take());
        }
        self.wake_waiters();
    }

    /// Wakes the `yield`s waiting for the slot (it just became free).
    fn wake_waiters(&self) {
        if self.waiting.get() == 0 {
            return;
        }
        // SAFETY: single-threaded; the vector is taken out before any
        // waker runs, so a waker that reaches the slot finds it empty.
        let waiters = unsafe { std::mem::take(&mut *self.waiters.get()) };
        for waker in waiters {
            waker.wake();
        }
    }

    /// Registers `cx`'s waker in `cell`.
    fn register(cell: &UnsafeCell<Option<Waker>>, cx: &Context<'_>) {
        // SAFETY: single-threaded; no other reference to the cell lives.
        let slot = unsafe { &mut *cell.get() };
        match slot {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            _ => *slot = Some(cx.waker().clone()),
        }
    }

    /// Polls one `yield` of the shared handle; see [`YieldState`].
    pub(crate) fn poll_yield(&self, state: &mut YieldState<Y>, cx: &mut Context<'_>) -> Poll<S> {
        if let YieldState::Deposited = state {
            return match self.take_resume() {
                Some(value) => {
                    *state = YieldState::Done;
                    self.wake_waiters();
                    Poll::Ready(value)
                }
                None => {
                    Self::register(&self.depositor, cx);
                    Poll::Pending
                }
            };
        }
        let waited = matches!(state, YieldState::Waiting(_));
        match std::mem::replace(state, YieldState::Done) {
            YieldState::Fresh(value) | YieldState::Waiting(value) => {
                let free = self.tag.get() == EMPTY && (waited || self.waiting.get() == 0);
                if free {
                    if waited {
                        self.waiting.set(self.waiting.get() - 1);
                    }
                    self.put(value);
                    *state = YieldState::Deposited;
                    Self::register(&self.depositor, cx);
                } else {
                    if !waited {
                        self.waiting.set(self.waiting.get() + 1);
                    }
                    *state = YieldState::Waiting(value);
                    // SAFETY: single-threaded; no other reference lives.
                    unsafe { (*self.waiters.get()).push(cx.waker().clone()) };
                }
                Poll::Pending
            }
            YieldState::Deposited => unreachable!("handled above"),
            YieldState::Done => panic!("a `yield` future was polled after it completed"),
        }
    }

    /// Called when a shared-handle `yield` is dropped before it completed:
    /// a waiting one leaves the queue; one whose value is in flight takes
    /// it back (a cancelled `yield` did not happen).
    pub(crate) fn abandon(&self, state: &YieldState<Y>) {
        match state {
            YieldState::Waiting(_) => self.waiting.set(self.waiting.get() - 1),
            YieldState::Deposited => self.clear(),
            YieldState::Fresh(_) | YieldState::Done => {}
        }
    }
}

impl<Y, S> Drop for Slot<Y, S> {
    fn drop(&mut self) {
        self.clear();
    }
}

/// Where one shared-handle `yield` stands.
pub(crate) enum YieldState<Y> {
    /// Not polled yet.
    Fresh(Y),
    /// Polled while the slot was busy; still holds its value.
    Waiting(Y),
    /// Its value is in the slot (or taken); waits to be resumed.
    Deposited,
    /// Resumed.
    Done,
}
