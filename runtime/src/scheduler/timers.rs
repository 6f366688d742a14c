//! The timer heap: deadline order, FIFO among equal deadlines.
//!
//! Sleeps do not allocate: their wakers live in a slab owned by the heap,
//! and a heap entry names its slot. A fired or cancelled sleep has no slot,
//! so its heap entry is skipped when it surfaces.

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

/// Cancelled entries stay in the heap until popped; once they are the
/// majority (and numerous) the heap is rebuilt without them, as CPython does.
const COMPACT_MIN: usize = 256;

pub(crate) struct Timers {
    heap: BinaryHeap<Entry>,
    /// The wakers of armed sleeps.
    sleeps: Slab<Option<Waker>>,
    seq: u64,
    cancelled: usize,
}

impl Timers {
    pub(crate) const fn new() -> Self {
        Timers {
            heap: BinaryHeap::new(),
            sleeps: Slab::new(),
            seq: 0,
            cancelled: 0,
        }
    }

    pub(crate) fn push(&mut self, when: u64, item: Ready) {
        let seq = self.seq;
        self.seq += 1;
        self.heap.push(Entry { when, seq, item });
    }

    /// Arms a sleep's timer; its waker is woken when it fires.
    pub(crate) fn arm(&mut self, when: u64, waker: &Waker) -> Key {
        let key = self.sleeps.insert(Some(waker.clone()));
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

    /// Records that one entry was cancelled; may compact the heap.
    pub(crate) fn note_cancelled(&mut self) {
        self.cancelled += 1;
        if self.cancelled > COMPACT_MIN && self.cancelled * 2 > self.heap.len() {
            let sleeps = &self.sleeps;
            self.heap.retain(|e| !is_dead(sleeps, &e.item));
            self.cancelled = 0;
        }
    }

    /// Drops cancelled entries from the top of the heap.
    fn skip_cancelled(&mut self) {
        while self
            .heap
            .peek()
            .is_some_and(|e| is_dead(&self.sleeps, &e.item))
        {
            self.heap.pop();
            self.cancelled = self.cancelled.saturating_sub(1);
        }
    }

    /// The earliest live deadline.
    pub(crate) fn next_deadline(&mut self) -> Option<u64> {
        self.skip_cancelled();
        self.heap.peek().map(|e| e.when)
    }

    /// Pops the earliest live entry if it is due at `now`.
    pub(crate) fn pop_expired(&mut self, now: u64) -> Option<Ready> {
        self.skip_cancelled();
        if self.heap.peek()?.when <= now {
            self.heap.pop().map(|e| e.item)
        } else {
            None
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Empties the heap (loop close).
    pub(crate) fn clear(&mut self) -> Vec<Ready> {
        self.cancelled = 0;
        drop(self.sleeps.drain());
        std::mem::take(&mut self.heap)
            .into_vec()
            .into_iter()
            .map(|e| e.item)
            .collect()
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
        assert!(timers.heap.len() < 1001);
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
}
