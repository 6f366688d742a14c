//! The timers: a hierarchical timing wheel, deadline order, FIFO among
//! equal deadlines.
//!
//! A timer lands in a slot of the wheel in O(1) whatever the number
//! pending (a binary heap of a million entries spent most of the loop's
//! time in cache misses). Level 0 has 64 slots of one tick (2^16 ns, about
//! 66 µs); each level above has 64 slots 64 times as wide. When the loop's
//! time reaches a slot, its entries move down a level, and those of the
//! current tick into `due`: a small heap ordered by deadline, then by
//! arrival, from which they fire exactly at their deadline.
//!
//! Sleeps do not allocate: their wakers live in a slab owned by the
//! timers, and an entry names its slot. A fired or cancelled sleep has no
//! slot, so its entry is dropped when it moves; once cancelled entries are
//! the majority (and numerous) every slot is swept, as CPython rebuilds its
//! heap.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use std::task::Waker;

use super::ready::Ready;
use super::slab::{Key, Slab};

struct Entry {
    when: u64,
    seq: u64,
    item: Ready,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.when, self.seq) == (other.when, other.seq)
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    /// Reversed so that `BinaryHeap` (a max-heap) pops the earliest first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.when, other.seq).cmp(&(self.when, self.seq))
    }
}

/// Cancelled entries are swept once they are the majority and this many.
const COMPACT_MIN: usize = 256;

/// A tick is 2^16 ns (about 66 µs).
const TICK_SHIFT: u32 = 16;
/// 64 slots a level.
const SLOT_BITS: u32 = 6;
const SLOTS: usize = 1 << SLOT_BITS;
/// Deadlines are below 2^64 ns, so ticks are below 2^48: 8 levels of 6
/// bits cover them all.
const LEVELS: usize = 8;
/// A slot's emptied vector keeps its memory up to this many entries.
const KEEP_CAPACITY: usize = 1024;

/// One level of the wheel: its slots, and a bit per non-empty slot.
struct Level {
    occupied: u64,
    slots: [Vec<Entry>; SLOTS],
}

impl Level {
    const fn new() -> Self {
        Level {
            occupied: 0,
            slots: [const { Vec::new() }; SLOTS],
        }
    }
}

pub(crate) struct Timers {
    levels: Box<[Level; LEVELS]>,
    /// Entries of ticks up to `elapsed`, earliest on top. Every wheel
    /// entry's tick is later than `elapsed`.
    due: BinaryHeap<Entry>,
    /// The tick the wheel has been turned to.
    elapsed: u64,
    /// Entries held, live or cancelled.
    len: usize,
    /// The wakers of armed sleeps.
    sleeps: Slab<Option<Waker>>,
    seq: u64,
    cancelled: usize,
}

impl Timers {
    pub(crate) fn new() -> Self {
        Timers {
            levels: Box::new([const { Level::new() }; LEVELS]),
            due: BinaryHeap::new(),
            elapsed: 0,
            len: 0,
            sleeps: Slab::new(),
            seq: 0,
            cancelled: 0,
        }
    }

    pub(crate) fn push(&mut self, when: u64, item: Ready) {
        let seq = self.seq;
        self.seq += 1;
        self.len += 1;
        self.place(Entry { when, seq, item });
    }

    /// Puts `entry` in `due` if its tick has been reached, else in the
    /// slot of the lowest level whose span holds both its tick and
    /// `elapsed`.
    fn place(&mut self, entry: Entry) {
        let tick = entry.when >> TICK_SHIFT;
        if tick <= self.elapsed {
            self.due.push(entry);
            return;
        }
        let highest_difference = 63 - (tick ^ self.elapsed).leading_zeros();
        let level = (highest_difference / SLOT_BITS) as usize;
        let slot = ((tick >> (level as u32 * SLOT_BITS)) as usize) & (SLOTS - 1);
        let level = &mut self.levels[level];
        level.slots[slot].push(entry);
        level.occupied |= 1 << slot;
    }

    /// The earliest non-empty slot: `(level, slot, its first tick)`. A
    /// level's slots all lie after every slot of the levels below, so it
    /// is the lowest non-empty level's first.
    fn next_slot(&self) -> Option<(usize, usize, u64)> {
        let (level, occupied) = self
            .levels
            .iter()
            .enumerate()
            .find_map(|(i, l)| (l.occupied != 0).then_some((i, l.occupied)))?;
        let slot = occupied.trailing_zeros() as u64;
        let shift = level as u32 * SLOT_BITS;
        let above = u64::MAX.checked_shl(shift + SLOT_BITS).unwrap_or(0);
        let start = (self.elapsed & above) | (slot << shift);
        Some((level, slot as usize, start))
    }

    /// Turns the wheel to `start`, the first tick of `slot` of `level`,
    /// and moves the slot's live entries down.
    fn cascade(&mut self, level: usize, slot: usize, start: u64) {
        self.elapsed = start;
        self.levels[level].occupied &= !(1 << slot);
        let mut entries = std::mem::take(&mut self.levels[level].slots[slot]);
        let before = entries.len();
        if level == 0 {
            let sleeps = &self.sleeps;
            let due_before = self.due.len();
            self.due
                .extend(entries.drain(..).filter(|e| !is_dead(sleeps, &e.item)));
            self.forget_dead(before - (self.due.len() - due_before));
        } else {
            let mut dead = 0;
            for entry in entries.drain(..) {
                if is_dead(&self.sleeps, &entry.item) {
                    dead += 1;
                } else {
                    self.place(entry);
                }
            }
            self.forget_dead(dead);
        }
        if entries.capacity() <= KEEP_CAPACITY {
            self.levels[level].slots[slot] = entries;
        }
    }

    /// Counts `n` cancelled entries as dropped.
    fn forget_dead(&mut self, n: usize) {
        self.len -= n;
        self.cancelled = self.cancelled.saturating_sub(n);
    }

    /// Arms a sleep's timer; its waker is woken when it fires.
    pub(crate) fn arm(&mut self, when: u64, waker: &Waker) -> Key {
        let key = self.sleeps.insert(Some(waker.clone()), false);
        self.push(when, Ready::Wake(key));
        key
    }

    /// Whether the sleep's timer is still waiting to fire.
    pub(crate) fn is_armed(&self, key: Key) -> bool {
        self.sleeps.get(key).is_some()
    }

    /// Updates the waker of an armed sleep.
    pub(crate) fn set_waker(&mut self, key: Key, waker: &Waker) {
        if let Some(Some(old)) = self.sleeps.get_mut(key)
            && !old.will_wake(waker)
        {
            *old = waker.clone();
        }
    }

    /// Cancels an armed sleep; returns its waker for the caller to drop.
    pub(crate) fn disarm(&mut self, key: Key) -> Option<Waker> {
        let waker = self.sleeps.remove(key)?;
        self.note_cancelled();
        waker
    }

    /// Fires a sleep's timer: frees its slot and returns the waker to wake.
    pub(crate) fn fire(&mut self, key: Key) -> Option<Waker> {
        self.sleeps.remove(key).flatten()
    }

    /// Records that one entry was cancelled; may sweep the wheel.
    pub(crate) fn note_cancelled(&mut self) {
        self.cancelled += 1;
        if self.cancelled > COMPACT_MIN && self.cancelled * 2 > self.len {
            self.sweep();
        }
    }

    /// Drops every cancelled entry, releasing its memory.
    fn sweep(&mut self) {
        let sleeps = &self.sleeps;
        let mut len = 0;
        for level in self.levels.iter_mut() {
            for (i, slot) in level.slots.iter_mut().enumerate() {
                slot.retain(|e| !is_dead(sleeps, &e.item));
                if slot.is_empty() {
                    level.occupied &= !(1 << i);
                    *slot = Vec::new();
                }
                len += slot.len();
            }
        }
        self.due.retain(|e| !is_dead(sleeps, &e.item));
        self.len = len + self.due.len();
        self.cancelled = 0;
    }

    /// Drops cancelled entries from the top of `due`; whether a live one
    /// is left there.
    fn live_due(&mut self) -> bool {
        while let Some(top) = self.due.peek() {
            if !is_dead(&self.sleeps, &top.item) {
                return true;
            }
            self.due.pop();
            self.forget_dead(1);
        }
        false
    }

    /// The earliest live deadline; or, if it is more than one level-0 turn
    /// (64 ticks) away, the first instant of the slot that holds it: a
    /// loop that waits until then finds nothing due, turns the wheel, and
    /// asks again. (Such a slot may hold only cancelled entries: the loop
    /// then wakes once for nothing, and drops them.)
    pub(crate) fn next_deadline(&mut self) -> Option<u64> {
        loop {
            if self.live_due() {
                return self.due.peek().map(|e| e.when);
            }
            let (level, slot, start) = self.next_slot()?;
            if level > 0 {
                return Some(start << TICK_SHIFT);
            }
            self.cascade(level, slot, start);
        }
    }

    /// Pops the earliest live entry if it is due at `now`.
    pub(crate) fn pop_expired(&mut self, now: u64) -> Option<Ready> {
        let now_tick = now >> TICK_SHIFT;
        loop {
            if self.live_due() {
                // `due` precedes every slot of the wheel.
                if self.due.peek()?.when > now {
                    return None;
                }
                self.len -= 1;
                return self.due.pop().map(|e| e.item);
            }
            match self.next_slot() {
                Some((level, slot, start)) if start <= now_tick => {
                    self.cascade(level, slot, start);
                }
                _ => {
                    // No slot begins by `now`: turning the wheel to it
                    // moves no entry.
                    self.elapsed = self.elapsed.max(now_tick);
                    return None;
                }
            }
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Empties the timers (loop close).
    pub(crate) fn clear(&mut self) -> Vec<Ready> {
        self.cancelled = 0;
        self.len = 0;
        drop(self.sleeps.drain());
        let mut items: Vec<Ready> = std::mem::take(&mut self.due)
            .into_vec()
            .into_iter()
            .map(|e| e.item)
            .collect();
        for level in self.levels.iter_mut() {
            level.occupied = 0;
            for slot in &mut level.slots {
                items.extend(std::mem::take(slot).into_iter().map(|e| e.item));
            }
        }
        items
    }
}

/// Whether running this entry would do nothing (cancelled, or already run).
fn is_dead(sleeps: &Slab<Option<Waker>>, item: &Ready) -> bool {
    match item {
        Ready::Task(_) => false,
        Ready::Callback(cell) => cell.is_cancelled(),
        Ready::Wake(key) => sleeps.get(*key).is_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::ready::CallbackCell;
    use std::cell::RefCell;
    use std::rc::Rc;

    fn logging(log: &Rc<RefCell<Vec<u32>>>, n: u32) -> Ready {
        let log = log.clone();
        Ready::Callback(CallbackCell::new(
            Box::new(move || log.borrow_mut().push(n)),
            std::panic::Location::caller(),
        ))
    }

    fn run(item: Ready) {
        if let Ready::Callback(cell) = item {
            (cell.take().unwrap())();
        }
    }

    #[test]
    fn deadline_order_then_fifo() {
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut timers = Timers::new();
        timers.push(20, logging(&log, 1));
        timers.push(10, logging(&log, 2));
        timers.push(20, logging(&log, 3));
        timers.push(10, logging(&log, 4));
        assert_eq!(timers.next_deadline(), Some(10));
        while let Some(item) = timers.pop_expired(20) {
            run(item);
        }
        assert_eq!(*log.borrow(), vec![2, 4, 1, 3]);
    }

    #[test]
    fn cancelled_entries_are_skipped_and_compacted() {
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut timers = Timers::new();
        let mut cells = Vec::new();
        for n in 0..1000 {
            let cell = CallbackCell::new(Box::new(|| {}), std::panic::Location::caller());
            cells.push(cell.clone());
            timers.push(n, Ready::Callback(cell));
        }
        timers.push(5000, logging(&log, 7));
        for cell in &cells {
            cell.take();
            timers.note_cancelled();
        }
        assert!(timers.len < 1001);
        assert_eq!(timers.next_deadline(), Some(5000));
        assert!(timers.pop_expired(4999).is_none());
        run(timers.pop_expired(5000).unwrap());
        assert_eq!(*log.borrow(), vec![7]);
        assert!(timers.is_empty());
    }

    #[test]
    fn sleeps_fire_once_and_disarmed_sleeps_never() {
        let mut timers = Timers::new();
        let a = timers.arm(10, Waker::noop());
        let b = timers.arm(10, Waker::noop());
        assert!(timers.disarm(b).is_some());
        assert!(timers.is_armed(a) && !timers.is_armed(b));
        let Some(Ready::Wake(key)) = timers.pop_expired(10) else {
            panic!("the armed sleep surfaces")
        };
        assert_eq!(key, a);
        assert!(timers.fire(key).is_some());
        assert!(timers.fire(key).is_none());
        assert!(timers.pop_expired(u64::MAX).is_none());
    }

    /// Seeded runs against a model (a sorted map of `(when, seq)`): timers
    /// from 0 ns to years ahead, cancellations, the clock moving by small
    /// steps and large jumps; every pop must be the model's earliest due
    /// entry, and `next_deadline` never later than the earliest.
    #[test]
    fn the_wheel_fires_what_a_sorted_map_would_in_the_same_order() {
        use std::collections::BTreeMap;
        // Safe code: miri checks a few seeds (all 200 take it an hour).
        let seeds: u64 = if cfg!(miri) { 3 } else { 200 };
        for seed in 1..=seeds {
            let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            let mut next = move |n: u64| {
                x ^= x >> 12;
                x ^= x << 25;
                x ^= x >> 27;
                x.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
            };
            let log = Rc::new(RefCell::new(Vec::new()));
            let mut timers = Timers::new();
            let mut model: BTreeMap<(u64, u32), Rc<CallbackCell>> = BTreeMap::new();
            let mut now = next(1 << 40);
            let mut id = 0u32;
            for _ in 0..400 {
                match next(10) {
                    0..=4 => {
                        let delay = match next(4) {
                            0 => next(1 << 20),
                            1 => next(1 << 27),
                            2 => next(1 << 36),
                            _ => next(1 << 55),
                        };
                        // One in four shares a pending deadline: FIFO.
                        let shared = model.keys().nth(next(model.len() as u64 + 1) as usize);
                        let when = match shared {
                            Some(k) if next(4) == 0 => k.0,
                            _ => now + delay,
                        };
                        let log2 = log.clone();
                        let n = id;
                        let cell = CallbackCell::new(
                            Box::new(move || log2.borrow_mut().push(n)),
                            std::panic::Location::caller(),
                        );
                        timers.push(when, Ready::Callback(cell.clone()));
                        model.insert((when, id), cell);
                        id += 1;
                    }
                    5 => {
                        if let Some(key) = model.keys().nth(next(model.len() as u64 + 1) as usize) {
                            let key = *key;
                            let cell = model.remove(&key).unwrap();
                            cell.cancel();
                            timers.note_cancelled();
                        }
                    }
                    6 => {
                        let earliest = model.keys().next().map(|k| k.0);
                        let reported = timers.next_deadline();
                        // A slot of cancelled entries may still be reported
                        // (as the instant to look again), never a live one
                        // late or missed.
                        if let Some(e) = earliest {
                            let r = reported.expect("a live timer is reported");
                            assert!(r <= e, "seed {seed}: reported {r} after the earliest {e}");
                        }
                    }
                    _ => {
                        now += match next(3) {
                            0 => next(1 << 20),
                            1 => next(1 << 30),
                            _ => next(1 << 50),
                        };
                        while let Some(item) = timers.pop_expired(now) {
                            let ((when, n), _) = model.pop_first().expect("a pop the model has");
                            assert!(when <= now, "seed {seed}: fired early");
                            run(item);
                            assert_eq!(log.borrow().last(), Some(&n), "seed {seed}: order");
                        }
                        assert!(
                            model.keys().next().is_none_or(|k| k.0 > now),
                            "seed {seed}: a due timer was not popped"
                        );
                    }
                }
            }
            // Drain what is left by following next_deadline, as a loop on a
            // virtual clock does.
            let mut steps = 0;
            while let Some(when) = timers.next_deadline() {
                now = now.max(when);
                while let Some(item) = timers.pop_expired(now) {
                    let ((_, n), _) = model.pop_first().unwrap();
                    run(item);
                    assert_eq!(log.borrow().last(), Some(&n), "seed {seed}: order");
                }
                steps += 1;
                assert!(
                    steps < 10_000,
                    "seed {seed}: next_deadline does not progress"
                );
            }
            assert!(model.is_empty() && timers.is_empty(), "seed {seed}");
        }
    }
}
