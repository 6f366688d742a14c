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
//! ([`YieldCell::poll`]): a `yield` that found the slot busy waits, and a
//! waiting `yield` goes before one that has not waited yet, so values come
//! out in the order the `yield`s were reached and none is overwritten.
//!
//! Its common case costs a few checks more than the macro's `yield`. The
//! tag says whether anyone waits (a free slot they have a claim on is
//! `RESERVED`, not `EMPTY`; a resumed one is marked `WAITED_ON`), so "free,
//! nobody waits" and "resumed, nobody waits" are one comparison each. And a
//! `yield` polled with the very `Context` the body is being polled with
//! (awaited directly, or inside `join!` or `select!`, which pass their
//! context through) is polled again whenever the body is, so it needs no
//! waker. Only one polled with another context (a `FuturesUnordered` gives
//! each future its own) registers its waker, and the body wakes it when it
//! is resumed ([`Slot::enter_body`]).
//!
//! # The resume rule
//!
//! The body is polled only by the generator's step (`Block::next_exclusive`,
//! `Block::poll_step`), and a step that finds the generator suspended at a
//! `yield` resumes the slot before it polls. A `yield` whose value was
//! taken (`TAKEN`) therefore sees the body polled again only after it was
//! resumed: `TAKEN`, seen while the body is being polled, already means
//! "resumed". Every `yield` future is polled only while the body is (the
//! macro's are awaited in place, by the contract of
//! `AsyncGen::__from_raw`; a `Co` yield borrows the handle, which is
//! `!Send` and lives no longer than the body). Two shortcuts rest on this
//! rule: a [trivial](Slot::TRIVIAL_RESUME) resume value needs no `RESUMED`
//! mark, and [`Slot::take_resume_raw`] leaves the tag at `TAKEN`.

#![allow(unsafe_code)] // audited: see ARCHITECTURE.md, "unsafe"

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
/// Nothing in flight, but shared-handle `yield`s wait for the slot
/// (`waiting` is not zero): only one of them may leave its value next.
/// `EMPTY` therefore means that nobody waits. Never used in a macro body.
const RESERVED: u8 = 4;
/// Added to the resumed tag ([`Slot::RESUMED_TAG`]) while `yield`s wait, so
/// that the resumed `yield` takes the path that lets them in; the resumed
/// tag alone, seen during a body poll, therefore means that nobody waits.
/// Never used in a macro body.
const WAITED_ON: u8 = 8;

/// The slot shared by a generator and the `yield`s of its body.
///
/// Touched only by whoever drives the generator, one poll at a time (the
/// generator's poll holds `&mut` or its run lock); the cells make the
/// shared references the body holds sound.
pub(crate) struct Slot<Y, S> {
    /// Which of `item` and `resume` is initialized, if any.
    tag: Cell<u8>,
    /// `yield`s that found the slot busy and wait for it.
    waiting: Cell<u32>,
    /// Whether the shared-handle `yield` whose value is in flight is
    /// [`Registered`](YieldState::Registered): the body wakes it when it
    /// is resumed.
    foreign: Cell<bool>,
    /// `foreign`, or `yield`s wait: the body's next poll has work to do
    /// first ([`enter_body`](Self::enter_body)). One check for both.
    attention: Cell<bool>,
    /// The address of the `Context` the body is being polled with (or was
    /// last), set by [`enter_body`](Self::enter_body). Only compared, never
    /// dereferenced: a `yield` polled with that same context is polled
    /// again whenever the body is. (Every context live during one body
    /// poll has an address of its own.)
    body_cx: Cell<usize>,
    item: UnsafeCell<MaybeUninit<Y>>,
    resume: UnsafeCell<MaybeUninit<S>>,
    /// Allocated the first time a `yield` registers a waker.
    wakers: UnsafeCell<Option<Box<Wakers>>>,
}

/// The wakers of shared-handle `yield`s off the common path, boxed: the
/// macro's `yield`s and the common `Co` ones never register one, so their
/// generators neither carry nor touch them.
#[derive(Default)]
struct Wakers {
    /// The waker of the [`Registered`](YieldState::Registered) `yield`
    /// whose value is in flight (or of the last one: it is kept, so a
    /// `yield` from the same place need not clone it again), to wake when
    /// it is resumed: inside a `FuturesUnordered` nobody else would poll it
    /// again. Woken by [`enter_body`](Slot::enter_body).
    depositor: Option<Waker>,
    /// Waiting `yield`s, woken when the slot frees up.
    waiters: Vec<Waker>,
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
            foreign: Cell::new(false),
            attention: Cell::new(false),
            body_cx: Cell::new(0),
            item: UnsafeCell::new(MaybeUninit::uninit()),
            resume: UnsafeCell::new(MaybeUninit::uninit()),
            wakers: UnsafeCell::new(None),
        }
    }

    /// The tag for a slot nothing is in flight in.
    #[inline(always)]
    fn free_tag(&self) -> u8 {
        if self.waiting.get() == 0 {
            EMPTY
        } else {
            RESERVED
        }
    }

    /// Whether the tag says resumed (with or without [`WAITED_ON`]).
    #[inline(always)]
    fn is_resumed(&self) -> bool {
        self.tag.get() & !WAITED_ON == Self::RESUMED_TAG
    }

    /// Sets `foreign`, and `attention` to match it and `waiting`.
    fn set_foreign(&self, foreign: bool) {
        self.foreign.set(foreign);
        self.attention.set(foreign || self.waiting.get() != 0);
    }

    /// One more `yield` waits for the slot. If the `yield` in flight was
    /// resumed, it must now let the waiting ones in when it completes.
    fn add_waiter(&self) {
        let waiting = self.waiting.get().checked_add(1);
        self.waiting.set(waiting.expect("too many waiting yields"));
        self.attention.set(true);
        if self.tag.get() == Self::RESUMED_TAG {
            self.tag.set(Self::RESUMED_TAG | WAITED_ON);
        }
    }

    /// A waiting `yield` left the queue (it got the slot, or was dropped).
    fn remove_waiter(&self) {
        let waiting = self.waiting.get() - 1;
        self.waiting.set(waiting);
        self.attention.set(self.foreign.get() || waiting != 0);
    }

    /// Leaves a yielded value. No value may be in flight (else the old one
    /// leaks; nothing unsound). A trivially resumed macro `yield` leaves
    /// the tag at `TAKEN` when it completes (see `take_resume_raw`), which
    /// holds no value.
    #[inline(always)]
    pub(crate) fn put(&self, value: Y) {
        debug_assert!(
            matches!(self.tag.get(), EMPTY | RESERVED)
                || (Self::TRIVIAL_RESUME && self.tag.get() == TAKEN),
            "a yield found the slot busy"
        );
        // SAFETY: single-threaded access per the type's contract; writing a
        // `MaybeUninit` never reads or drops what was there.
        unsafe { self.item.get().cast::<Y>().write(value) };
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
        Some(unsafe { self.item.get().cast::<Y>().read() })
    }

    /// Resumes the `yield` whose value was taken with `value`. Dropped if
    /// no `yield` waits for it (it was cancelled).
    ///
    /// Wakes nobody: a shared-handle `yield` in flight is woken by
    /// [`CoBody`](super::co::CoBody) when the body is next polled
    /// ([`enter_body`](Self::enter_body)), so the macro's path pays
    /// nothing for it. A [trivial](Self::TRIVIAL_RESUME) value needs no
    /// mark, so resuming with `()` compiles to nothing.
    #[inline(always)]
    pub(crate) fn resume(&self, value: S) {
        if Self::TRIVIAL_RESUME {
            // SAFETY: single-threaded. A zero-sized write stores nothing,
            // so it disturbs no value in flight; if no `yield` waits, the
            // value is simply not read (it has no drop glue to skip).
            unsafe { self.resume.get().cast::<S>().write(value) };
        } else if self.tag.get() == TAKEN {
            // SAFETY: `TAKEN` means `resume` is free; single-threaded.
            unsafe { self.resume.get().cast::<S>().write(value) };
            self.tag.set(RESUMED);
        }
    }

    /// Called by [`CoBody`](super::co::CoBody) as the body is polled with
    /// `cx`: records the body's context (see `body_cx`). The common case is
    /// that store and one check.
    #[inline(always)]
    pub(crate) fn enter_body(&self, cx: &Context<'_>) {
        self.body_cx.set(Self::cx_addr(cx));
        if self.attention.get() {
            self.enter_body_slow(cx);
        }
    }

    /// [`enter_body`](Self::enter_body) when `yield`s wait (marks a slot
    /// the generator resumed [`WAITED_ON`]) or the one in flight is
    /// [`Registered`](YieldState::Registered): wakes it if it was resumed (a
    /// `FuturesUnordered` would not poll it again otherwise), unless its
    /// waker is `cx`'s own (a direct `.await`, `join!` or `select!` polls
    /// all its children anyway). The waker stays registered for the next
    /// `yield` from the same place.
    #[cold]
    #[inline(never)]
    fn enter_body_slow(&self, cx: &Context<'_>) {
        if self.waiting.get() != 0 && self.tag.get() == Self::RESUMED_TAG {
            self.tag.set(Self::RESUMED_TAG | WAITED_ON);
        }
        if !self.foreign.get() || !self.is_resumed() {
            return;
        }
        // SAFETY: single-threaded; the cell is written only by the body's
        // `yield`s and by `clear` and `release`, none of which the waker's
        // code can reach while the generator is being polled (it is
        // borrowed for the poll).
        let wakers = unsafe { &*self.wakers.get() };
        if let Some(waker) = wakers.as_ref().and_then(|w| w.depositor.as_ref())
            && !waker.will_wake(cx.waker())
        {
            waker.wake_by_ref();
        }
    }

    /// The address of a context, to compare with `body_cx`.
    #[inline(always)]
    fn cx_addr(cx: &Context<'_>) -> usize {
        std::ptr::from_ref(cx).addr()
    }

    /// The value a resumed `yield` evaluates to.
    ///
    /// # Safety
    /// The tag says resumed (`RESUMED_TAG`, maybe [`WAITED_ON`]) during a
    /// body poll, and the caller marks the `yield` done and the slot free
    /// (so this is called once per resume).
    #[inline(always)]
    unsafe fn read_resume(&self) -> S {
        // SAFETY: `RESUMED` means `resume` is initialized. A trivial value
        // is zero-sized, so nothing is read, and by the resume rule the
        // `yield` was resumed, so this is the value `resume` was given.
        unsafe { self.resume.get().cast::<S>().read() }
    }

    /// Takes the value the generator resumed the waiting `yield` with; the
    /// slot is free afterwards (and the caller wakes the `yield`s waiting
    /// for it). `None` if it was not resumed.
    #[inline(always)]
    fn take_resume(&self) -> Option<S> {
        if !self.is_resumed() {
            return None;
        }
        self.tag.set(self.free_tag());
        // SAFETY: the tag said resumed; it now says free, so the value is
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

    /// Drops the value in flight, if any, and sets the tag to `free`
    /// (`EMPTY`, or `RESERVED` if `yield`s wait).
    #[inline]
    fn drop_values(&self, free: u8) {
        const RESUMED_WAITED_ON: u8 = RESUMED | WAITED_ON;
        let tag = self.tag.replace(free);
        // SAFETY (both arms): the tag said which value is initialized; it
        // now says none, so it is dropped exactly once. Single-threaded.
        // (`MaybeUninit<T>` has `T`'s layout, hence the casts.)
        match tag {
            // SAFETY: as above.
            ITEM => unsafe { self.item.get().cast::<Y>().drop_in_place() },
            // SAFETY: as above.
            RESUMED | RESUMED_WAITED_ON => unsafe { self.resume.get().cast::<S>().drop_in_place() },
            _ => {}
        }
    }

    /// A `yield` was cancelled: drops what it had in flight, and lets a
    /// waiting `yield` in.
    pub(crate) fn clear(&self) {
        self.drop_values(self.free_tag());
        self.set_foreign(false);
        // SAFETY: single-threaded; no other reference to the cell lives.
        let depositor = unsafe {
            (*self.wakers.get())
                .as_mut()
                .and_then(|w| w.depositor.take())
        };
        drop(depositor);
        self.wake_waiters();
    }

    /// The generator is being closed at the `yield` whose value the
    /// consumer took: the body will be polled once more to deliver the
    /// close, and that `yield` must not count as resumed (by the resume
    /// rule, `TAKEN` would say it is). Returns whether that was the state;
    /// if not (others wait, a value is in flight), nothing changes.
    pub(crate) fn unresume_for_close(&self) -> bool {
        if self.tag.get() == TAKEN && self.waiting.get() == 0 {
            self.tag.set(EMPTY);
            true
        } else {
            false
        }
    }

    /// The body is gone (returned, closed or dropped): drops what it had
    /// in flight, and the wakers its shared-handle `yield`s left. No
    /// `yield` waits any more (each one dropped with the body left the
    /// queue, and one in flight cleared `foreign`), so the slot is `EMPTY`
    /// and there is nobody to wake.
    #[inline]
    pub(crate) fn release(&self) {
        self.drop_values(EMPTY);
        // SAFETY: single-threaded; no other reference to the cell lives.
        if unsafe { (*self.wakers.get()).is_some() } {
            self.drop_wakers();
        }
    }

    #[cold]
    #[inline(never)]
    fn drop_wakers(&self) {
        // SAFETY: as in `release`.
        drop(unsafe { (*self.wakers.get()).take() });
    }

    /// Wakes the `yield`s waiting for the slot (it just became free).
    #[inline]
    fn wake_waiters(&self) {
        if self.waiting.get() != 0 {
            self.wake_waiters_now();
        }
    }

    #[cold]
    #[inline(never)]
    fn wake_waiters_now(&self) {
        // SAFETY: single-threaded; the vector is taken out before any
        // waker runs, so a waker that reaches the slot finds it empty.
        let wakers = unsafe { &mut *self.wakers.get() };
        let waiters = wakers.as_mut().map(|w| std::mem::take(&mut w.waiters));
        for waker in waiters.unwrap_or_default() {
            waker.wake();
        }
    }

    /// Registers `cx`'s waker as the depositor's (a comparison when it is
    /// there already, as it is for every `yield` after the first from the
    /// same place).
    fn register(&self, cx: &Context<'_>) {
        // SAFETY: single-threaded; no other reference to the cell lives.
        let wakers = unsafe { &*self.wakers.get() };
        let registered = wakers.as_ref().and_then(|w| w.depositor.as_ref());
        if matches!(registered, Some(waker) if waker.will_wake(cx.waker())) {
            return;
        }
        let waker = cx.waker().clone();
        // SAFETY: single-threaded; no other reference to the cell lives
        // (the clone above ran the waker's code, not ours, before this).
        let old = unsafe {
            (*self.wakers.get())
                .get_or_insert_default()
                .depositor
                .replace(waker)
        };
        drop(old);
    }
}

impl<Y, S> Drop for Slot<Y, S> {
    /// Drops a value left in flight (normally `release` already did, when
    /// the body went; not if its destructor panicked). The wakers drop
    /// with their fields.
    fn drop(&mut self) {
        self.drop_values(EMPTY);
    }
}

/// One `yield` of the shared handle: the slot and where the `yield`
/// stands ([`YieldState`]). The state of [`Yield`](super::Yield).
pub(crate) struct YieldCell<'a, Y, S> {
    slot: &'a Slot<Y, S>,
    state: YieldState<Y>,
}

impl<'a, Y, S> YieldCell<'a, Y, S> {
    /// A `yield` of `value` into `slot`, not polled yet.
    #[inline(always)]
    pub(crate) fn new(slot: &'a Slot<Y, S>, value: Y) -> Self {
        YieldCell {
            slot,
            state: YieldState::Fresh(value),
        }
    }

    /// Polls the `yield`; see [`YieldState`]. The common cases, polled with
    /// the body's own context and nobody waiting (leave the value in a free
    /// slot; find it resumed), are inlined into the body and touch no
    /// waker; the rest is not.
    #[inline(always)]
    pub(crate) fn poll(&mut self, cx: &mut Context<'_>) -> Poll<S> {
        let slot = self.slot;
        match self.state {
            // Resumed, and nobody waits (else the tag says `WAITED_ON`).
            YieldState::Deposited if slot.tag.get() == Slot::<Y, S>::RESUMED_TAG => {
                // The state last: the destructor that follows sees `Done`.
                slot.tag.set(EMPTY);
                self.state = YieldState::Done;
                // SAFETY: the tag said resumed; it is now `EMPTY` and the
                // `yield` is `Done`, so the value is read exactly once.
                Poll::Ready(unsafe { slot.read_resume() })
            }
            // The slot is free, nobody waits for it, and the body polls
            // this `yield` itself: leave the value.
            YieldState::Fresh(_)
                if slot.tag.get() == EMPTY && slot.body_cx.get() == Slot::<Y, S>::cx_addr(cx) =>
            {
                let fresh = std::mem::replace(&mut self.state, YieldState::Deposited);
                if let YieldState::Fresh(value) = fresh {
                    slot.put(value);
                }
                Poll::Pending
            }
            _ => {
                let polled = self.poll_slow(cx);
                if polled.is_ready() {
                    // Already so; said again for the optimizer, so the
                    // destructor after the `.await` folds away.
                    self.state = YieldState::Done;
                }
                polled
            }
        }
    }

    /// [`poll`](Self::poll) off the common path: the slot is busy or others
    /// wait, another context than the body's, a poll before the resume.
    #[cold]
    #[inline(never)]
    fn poll_slow(&mut self, cx: &mut Context<'_>) -> Poll<S> {
        let slot = self.slot;
        let waited = matches!(self.state, YieldState::Waiting(_));
        match std::mem::replace(&mut self.state, YieldState::Done) {
            YieldState::Fresh(value) | YieldState::Waiting(value) => {
                // `EMPTY` is free for anyone (nobody waits), `RESERVED`
                // only for a `yield` that waited.
                let tag = slot.tag.get();
                if tag == EMPTY || (waited && tag == RESERVED) {
                    if waited {
                        slot.remove_waiter();
                    }
                    slot.put(value);
                    self.deposited(false, cx);
                } else {
                    if !waited {
                        slot.add_waiter();
                    }
                    self.state = YieldState::Waiting(value);
                    let waker = cx.waker().clone();
                    // SAFETY: single-threaded; no other reference to the
                    // cell lives (the clone ran the waker's code before).
                    let wakers = unsafe { &mut *slot.wakers.get() };
                    wakers.get_or_insert_default().waiters.push(waker);
                }
                Poll::Pending
            }
            old @ (YieldState::Deposited | YieldState::Registered) => {
                let registered = matches!(old, YieldState::Registered);
                match slot.take_resume() {
                    Some(value) => {
                        if registered {
                            slot.set_foreign(false);
                        }
                        slot.wake_waiters();
                        Poll::Ready(value)
                    }
                    None => {
                        self.deposited(registered, cx);
                        Poll::Pending
                    }
                }
            }
            YieldState::Done => panic!("a `yield` future was polled after it completed"),
        }
    }

    /// Records that this `yield`, polled with `cx`, has its value in the
    /// slot: `Deposited` if `cx` is the body's own context (and it did not
    /// register before), else `Registered` with `cx`'s waker, which the
    /// body wakes when it is resumed.
    fn deposited(&mut self, registered: bool, cx: &Context<'_>) {
        let slot = self.slot;
        if !registered && slot.body_cx.get() == Slot::<Y, S>::cx_addr(cx) {
            self.state = YieldState::Deposited;
        } else {
            self.state = YieldState::Registered;
            slot.set_foreign(true);
            slot.register(cx);
        }
    }

    /// Called when the `yield` is dropped before it completed: a waiting
    /// one leaves the queue; one whose value is in flight takes it back (a
    /// cancelled `yield` did not happen).
    #[cold]
    #[inline(never)]
    fn abandon(&mut self) {
        let slot = self.slot;
        match self.state {
            YieldState::Waiting(_) => {
                slot.remove_waiter();
                if slot.tag.get() == RESERVED {
                    if slot.waiting.get() == 0 {
                        slot.tag.set(EMPTY);
                    } else {
                        // It may have been the one woken to take the
                        // slot; the others take their turn.
                        slot.wake_waiters_now();
                    }
                }
            }
            YieldState::Deposited | YieldState::Registered => slot.clear(),
            YieldState::Fresh(_) | YieldState::Done => {}
        }
    }
}

impl<Y, S> Drop for YieldCell<'_, Y, S> {
    #[inline(always)]
    fn drop(&mut self) {
        if !matches!(self.state, YieldState::Fresh(_) | YieldState::Done) {
            self.abandon();
        }
    }
}

/// Where one shared-handle `yield` stands.
pub(crate) enum YieldState<Y> {
    /// Not polled yet.
    Fresh(Y),
    /// Polled while the slot was busy; still holds its value.
    Waiting(Y),
    /// Its value is in the slot (or taken); waits to be resumed. Polled
    /// with the body's context, so it needs no waker.
    Deposited,
    /// As `Deposited`, polled with another context (a `FuturesUnordered`'s):
    /// the body wakes its `Wakers::depositor` when it is resumed.
    Registered,
    /// Resumed.
    Done,
}
