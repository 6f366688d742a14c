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
//! resumed it, so it takes the short path ([`Slot::put`],
//! [`Slot::take_resume_raw`]).
//! The [`Co`](super::Co) handle's `yield` may run in concurrent branches of
//! the body (`join!`, `select!`, `FuturesUnordered`), so it checks
//! ([`Slot::poll_yield`]): a `yield` that found the slot busy waits, and a
//! waiting `yield` goes before one that has not waited yet, so values come
//! out in the order the `yield`s were reached and none is overwritten.
//!
//! # The resume rule
//!
//! The body is polled only by the generator's step (`Core::next_exclusive`,
//! `Core::poll_step`), and a step that finds the generator suspended at a
//! `yield` resumes the slot before it polls. A `yield` whose value was
//! taken (`TAKEN`) therefore sees the body polled again only after it was
//! resumed: `TAKEN`, seen while the body is being polled, already means
//! "resumed". Every `yield` future is polled only while the body is (the
//! macro's are awaited in place, by the contract of
//! `AsyncGen::__from_raw`; a `Co` yield borrows the handle, which is
//! `!Send` and lives no longer than the body). Two shortcuts rest on this
//! rule: a [trivial](Slot::TRIVIAL_RESUME) resume value needs no `RESUMED`
//! mark, and [`Slot::take_resume_raw`] leaves the tag at `TAKEN`.

use std::cell::{Cell, UnsafeCell};
use std::mem::MaybeUninit;
use std::task::{Context, Poll, Waker};

/// Nothing in flight: the next `yield` may leave its value.
const EMPTY: u8 = 0;
/// `item` holds a value the consumer has not taken yet.
const ITEM: u8 = 1;
/// The consumer took the value; its `yield` waits to be resumed. For a
/// [trivial](Slot::TRIVIAL_RESUME) resume value, also: resumed (by the
/// resume rule, see the module docs).
const TAKEN: u8 = 2;
/// `resume` holds the value the `yield` was resumed with. Never used for
/// a trivial resume value.
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
    /// The waker of the shared-handle `yield` whose value is in flight (or
    /// of the last one: it is kept, so a `yield` from the same place need
    /// not clone it again), to wake when it is resumed: inside a
    /// `FuturesUnordered` nobody else would poll it again. (The macro's
    /// `yield` never registers.) Woken by [`wake_resumed`](Self::wake_resumed).
    depositor: UnsafeCell<Option<Waker>>,
    /// Waiting shared-handle `yield`s, woken when the slot frees up.
    /// Allocated only the first time two `yield`s contend.
    waiters: UnsafeCell<Vec<Waker>>,
}

impl<Y, S> Slot<Y, S> {
    /// Whether the resume value carries nothing: zero-sized, with no drop
    /// glue (`()`, the `Stream` case). Then no `RESUMED` mark is needed:
    /// by the resume rule (see the module docs), `TAKEN` seen during a body
    /// poll means resumed; and writing or reading a zero-sized value
    /// touches no memory, so resuming costs nothing at all.
    const TRIVIAL_RESUME: bool = std::mem::size_of::<S>() == 0 && !std::mem::needs_drop::<S>();

    /// The tag a resumed `yield` finds.
    const RESUMED_TAG: u8 = if Self::TRIVIAL_RESUME { TAKEN } else { RESUMED };

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

    /// Leaves a yielded value. No value may be in flight (else the old one
    /// leaks; nothing unsound). A trivially resumed macro `yield` leaves
    /// the tag at `TAKEN` when it completes (see `take_resume_raw`), which
    /// holds no value.
    #[inline(always)]
    pub(crate) fn put(&self, value: Y) {
        debug_assert!(
            self.tag.get() == EMPTY || (Self::TRIVIAL_RESUME && self.tag.get() == TAKEN),
            "a yield found the slot busy"
        );
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
    ///
    /// Wakes nobody: a shared-handle `yield` in flight is woken by
    /// [`CoBody`](super::co::CoBody) when the body is next polled
    /// ([`wake_resumed`](Self::wake_resumed)), so the macro's path pays
    /// nothing for it. A [trivial](Self::TRIVIAL_RESUME) value needs no
    /// mark, so resuming with `()` compiles to nothing.
    #[inline(always)]
    pub(crate) fn resume(&self, value: S) {
        if Self::TRIVIAL_RESUME {
            // SAFETY: single-threaded. A zero-sized write stores nothing,
            // so it disturbs no value in flight; if no `yield` waits, the
            // value is simply not read (it has no drop glue to skip).
            unsafe { (*self.resume.get()).write(value) };
        } else if self.tag.get() == TAKEN {
            // SAFETY: `TAKEN` means `resume` is free; single-threaded.
            unsafe { (*self.resume.get()).write(value) };
            self.tag.set(RESUMED);
        }
    }

    /// Wakes the shared-handle `yield` whose value is in flight if it was
    /// resumed, and if it registered a waker other than the one polling
    /// the body now: inside a `FuturesUnordered` (which gives each future
    /// a waker of its own) nobody would poll it again otherwise. A `yield`
    /// that registered `cx`'s own waker is polled again by whoever polls
    /// with it (the body's direct `.await`, `join!`, `select!`: they cannot
    /// tell their children's wakes apart, so they poll them all), and
    /// waking that waker would only make its task poll once more for
    /// nothing. The waker stays registered, so the next `yield` from the
    /// same place does not clone it again. Called as the body is polled.
    #[inline]
    pub(crate) fn wake_resumed(&self, cx: &Context<'_>) {
        if self.tag.get() != Self::RESUMED_TAG {
            return;
        }
        // SAFETY: single-threaded; the cell is written only by the body's
        // `yield`s (`register_new`) and the generator (`clear`, `release`),
        // none of which the waker's code can reach while the generator is
        // being polled (it is borrowed for the poll).
        let registered = unsafe { &*self.depositor.get() };
        if let Some(waker) = registered
            && !waker.will_wake(cx.waker())
        {
            waker.wake_by_ref();
        }
    }

    /// The value a resumed `yield` evaluates to.
    ///
    /// # Safety
    /// The tag is `RESUMED_TAG` during a body poll, and the caller marks
    /// the `yield` done (so this is called once per resume).
    #[inline(always)]
    unsafe fn read_resume(&self) -> S {
        // SAFETY: `RESUMED` means `resume` is initialized. A trivial value
        // is zero-sized, so nothing is read, and by the resume rule the
        // `yield` was resumed, so this is the value `resume` was given.
        unsafe { (*self.resume.get()).assume_init_read() }
    }

    /// Takes the value the generator resumed the waiting `yield` with; the
    /// slot is empty afterwards. `None` if it was not resumed.
    #[inline(always)]
    pub(crate) fn take_resume(&self) -> Option<S> {
        if self.tag.get() != Self::RESUMED_TAG {
            return None;
        }
        self.tag.set(EMPTY);
        // SAFETY: the tag said resumed; it is now `EMPTY`, so the value is
        // read exactly once.
        Some(unsafe { self.read_resume() })
    }

    /// [`take_resume`](Self::take_resume) for the macro's `yield`, polled
    /// once with its value in the slot (`ITEM`: `None`) and once resumed.
    /// With a trivial resume value the tag stays `TAKEN`, which saves a
    /// store per item: nothing else reads it before the next `put`
    /// (there is no other `yield` in a macro body to wait for the slot,
    /// and `TAKEN` holds no value to drop), and the generator, if the body
    /// stops short of a `yield`, sees no `ITEM`.
    #[inline(always)]
    pub(crate) fn take_resume_raw(&self) -> Option<S> {
        if self.tag.get() != Self::RESUMED_TAG {
            return None;
        }
        if !Self::TRIVIAL_RESUME {
            self.tag.set(EMPTY);
        }
        // SAFETY: the tag said resumed. The caller (`RawYield`) completes
        // on this poll and is not polled again, and the next `yield`'s
        // `put` moves the tag on, so the value is read exactly once.
        Some(unsafe { self.read_resume() })
    }

    /// Drops the value in flight, if any.
    #[inline]
    fn drop_values(&self) {
        let tag = self.tag.replace(EMPTY);
        // SAFETY: the tag said which value is initialized; it is now
        // `EMPTY`, so it is dropped exactly once. Single-threaded.
        unsafe {
            match tag {
                ITEM => (*self.item.get()).assume_init_drop(),
                RESUMED => (*self.resume.get()).assume_init_drop(),
                _ => {}
            }
        }
    }

    /// A `yield` was cancelled: drops what it had in flight, and lets a
    /// waiting `yield` in.
    pub(crate) fn clear(&self) {
        self.drop_values();
        // SAFETY: single-threaded; no other reference to the cell lives.
        drop(unsafe { (*self.depositor.get()).take() });
        self.wake_waiters();
    }

    /// The body is gone (returned, closed or dropped): drops what it had
    /// in flight, and the waker of its last shared-handle `yield`. No
    /// `yield` waits any more (each one dropped with the body left the
    /// queue), so there is nobody to wake.
    #[inline]
    pub(crate) fn release(&self) {
        self.drop_values();
        // SAFETY: single-threaded; no other reference to the cell lives.
        drop(unsafe { (*self.depositor.get()).take() });
    }

    /// Wakes the `yield`s waiting for the slot (it just became free).
    #[inline]
    fn wake_waiters(&self) {
        if self.waiting.get() != 0 {
            self.wake_waiters_now();
        }
    }

    #[cold]
    fn wake_waiters_now(&self) {
        // SAFETY: single-threaded; the vector is taken out before any
        // waker runs, so a waker that reaches the slot finds it empty.
        let waiters = unsafe { std::mem::take(&mut *self.waiters.get()) };
        for waker in waiters {
            waker.wake();
        }
    }

    /// Registers `cx`'s waker in `cell` (a comparison when it is there
    /// already, as it is for every `yield` after the first from the same
    /// place).
    #[inline]
    fn register(cell: &UnsafeCell<Option<Waker>>, cx: &Context<'_>) {
        // SAFETY: single-threaded; no other reference to the cell lives.
        let registered = unsafe { &*cell.get() };
        if !matches!(registered, Some(waker) if waker.will_wake(cx.waker())) {
            Self::register_new(cell, cx);
        }
    }

    #[cold]
    fn register_new(cell: &UnsafeCell<Option<Waker>>, cx: &Context<'_>) {
        let waker = cx.waker().clone();
        // SAFETY: single-threaded; no other reference to the cell lives
        // (the clone above ran the waker's code, not ours, before this).
        drop(unsafe { (*cell.get()).replace(waker) });
    }

    /// Polls one `yield` of the shared handle; see [`YieldState`]. The
    /// common cases (leave the value in a free slot; find it resumed) are
    /// inlined into the body; waiting for a busy slot is not.
    #[inline]
    pub(crate) fn poll_yield(&self, state: &mut YieldState<Y>, cx: &mut Context<'_>) -> Poll<S> {
        match state {
            YieldState::Deposited => match self.take_resume() {
                Some(value) => {
                    *state = YieldState::Done;
                    self.wake_waiters();
                    Poll::Ready(value)
                }
                None => {
                    Self::register(&self.depositor, cx);
                    Poll::Pending
                }
            },
            // The slot is free and nobody waits for it: leave the value.
            YieldState::Fresh(_) if self.tag.get() == EMPTY && self.waiting.get() == 0 => {
                if let YieldState::Fresh(value) = std::mem::replace(state, YieldState::Deposited) {
                    self.put(value);
                }
                Self::register(&self.depositor, cx);
                Poll::Pending
            }
            _ => self.poll_yield_slow(state, cx),
        }
    }

    /// [`poll_yield`](Self::poll_yield) for a `yield` that finds the slot
    /// busy, or waited for it.
    #[cold]
    fn poll_yield_slow(&self, state: &mut YieldState<Y>, cx: &mut Context<'_>) -> Poll<S> {
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
            YieldState::Deposited => unreachable!("handled by poll_yield"),
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
    /// Drops a value left in flight (normally `release` already did, when
    /// the body went; not if its destructor panicked). The wakers drop
    /// with their fields.
    fn drop(&mut self) {
        self.drop_values();
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
