//! Task wakers: the task's address (loop, slot, generation) packed into the
//! waker's data word, so a waker costs no allocation and cloning or
//! dropping one touches no reference count.
//!
//! A wake on the thread whose loop is running goes straight into that
//! loop's ready queue; a wake from anywhere else finds the loop in a
//! process-wide table of live loops and queues it in [`Shared`], which
//! wakes the poller. Waking an address whose task is gone does nothing:
//! the slab's generation check turns it away. A waker that outlives its
//! loop, or a slot reused 2^16 times (2^4 on 32-bit targets) while it is
//! held, can at worst poll a task once more than needed, which every
//! future must tolerate.

#![allow(unsafe_code)] // audited: see ARCHITECTURE.md, "unsafe"

use std::sync::{Arc, Mutex, Weak};
use std::task::{RawWaker, RawWakerVTable, Waker};

use super::context;
use super::shared::{Remote, Shared};
use super::slab::Key;

/// Bits of a slot index, a generation and a loop id in a data word.
#[cfg(target_pointer_width = "64")]
mod layout {
    pub(super) const INDEX_BITS: u32 = 32;
    pub(super) const GENERATION_BITS: u32 = 16;
    pub(super) const LOOP_BITS: u32 = 16;
}
#[cfg(not(target_pointer_width = "64"))]
mod layout {
    pub(super) const INDEX_BITS: u32 = 20;
    pub(super) const GENERATION_BITS: u32 = 4;
    pub(super) const LOOP_BITS: u32 = 8;
}
use layout::{GENERATION_BITS, INDEX_BITS, LOOP_BITS};

const INDEX_MASK: u32 = ((1u64 << INDEX_BITS) - 1) as u32;
/// The largest slot index a waker can name (the slab refuses more live
/// tasks; the all-ones index is the slab's end-of-list mark).
pub(crate) const MAX_INDEX: u32 = INDEX_MASK - 1;
/// Generations wrap at this mask (the slab counts them that way).
pub(crate) const GENERATION_MASK: u32 = ((1u64 << GENERATION_BITS) - 1) as u32;
/// Loops that can be alive at once.
const MAX_LOOPS: usize = 1 << LOOP_BITS;

fn pack(loop_id: u16, key: Key) -> usize {
    debug_assert!(key.generation <= GENERATION_MASK);
    (key.index as usize)
        | ((key.generation as usize) << INDEX_BITS)
        | ((loop_id as usize) << (INDEX_BITS + GENERATION_BITS))
}

fn unpack(word: usize) -> (u16, Key) {
    let key = Key {
        index: (word & INDEX_MASK as usize) as u32,
        generation: ((word >> INDEX_BITS) & GENERATION_MASK as usize) as u32,
    };
    (((word >> (INDEX_BITS + GENERATION_BITS)) as u16), key)
}

/// The waker of the task in `key` on loop `loop_id`.
pub(crate) fn task_waker(loop_id: u16, key: Key) -> Waker {
    let data = std::ptr::without_provenance(pack(loop_id, key));
    // SAFETY: the vtable's functions never dereference `data`, which is a
    // plain integer (no pointer, nothing owned): cloning copies it,
    // dropping forgets it, and waking only reads its bits. Sending or
    // sharing an integer across threads is sound, as `Waker` requires.
    unsafe { Waker::from_raw(RawWaker::new(data, &VTABLE)) }
}

/// The task address in a waker made by [`task_waker`]; `None` for any
/// other waker (a task group child's).
pub(crate) fn key_of(waker: &Waker) -> Option<Key> {
    std::ptr::eq(waker.vtable(), &VTABLE).then(|| unpack(waker.data().addr()).1)
}

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake, forget);

fn clone(data: *const ()) -> RawWaker {
    RawWaker::new(data, &VTABLE)
}

fn wake(data: *const ()) {
    let (loop_id, key) = unpack(data.addr());
    if context::schedule_local(loop_id, key) {
        return;
    }
    let shared = LOOPS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(loop_id)
        .and_then(|weak| weak.upgrade());
    if let Some(shared) = shared {
        shared.push(Remote::Wake(key));
    }
}

fn forget(_: *const ()) {}

/// The live loops by id, for wakes from other threads.
static LOOPS: Mutex<Loops> = Mutex::new(Loops {
    slots: Vec::new(),
    free: Vec::new(),
});

struct Loops {
    slots: Vec<Weak<Shared>>,
    free: Vec<u16>,
}

impl Loops {
    fn get(&self, id: u16) -> Option<&Weak<Shared>> {
        self.slots.get(usize::from(id))
    }
}

/// Gives a new loop's [`Shared`] an id wakers can name; `None` when
/// `MAX_LOOPS` loops are alive.
pub(crate) fn register_loop(make: impl FnOnce(u16) -> Shared) -> Option<Arc<Shared>> {
    let mut loops = LOOPS.lock().unwrap_or_else(|e| e.into_inner());
    let id = match loops.free.pop() {
        Some(id) => id,
        None if loops.slots.len() < MAX_LOOPS => {
            loops.slots.push(Weak::new());
            (loops.slots.len() - 1) as u16
        }
        None => return None,
    };
    let shared = Arc::new(make(id));
    loops.slots[usize::from(id)] = Arc::downgrade(&shared);
    Some(shared)
}

/// Frees a loop's id (its [`Shared`] is being dropped).
pub(crate) fn unregister_loop(id: u16) {
    let mut loops = LOOPS.lock().unwrap_or_else(|e| e.into_inner());
    loops.slots[usize::from(id)] = Weak::new();
    loops.free.push(id);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_waker_word_round_trips_its_address() {
        for (loop_id, index, generation) in [
            (0, 0, 0),
            (3, 17, 5),
            (
                u16::MAX >> (16 - LOOP_BITS.min(16)),
                MAX_INDEX,
                GENERATION_MASK,
            ),
        ] {
            let key = Key { index, generation };
            assert_eq!(unpack(pack(loop_id, key)), (loop_id, key));
        }
    }

    #[test]
    fn clones_of_a_waker_wake_the_same_task() {
        let key = Key {
            index: 9,
            generation: 2,
        };
        let waker = task_waker(1, key);
        let other = task_waker(1, Key { index: 10, ..key });
        assert!(waker.will_wake(&waker.clone()));
        assert_eq!(key_of(&waker), Some(key));
        assert_eq!(key_of(Waker::noop()), None);
        assert!(!waker.will_wake(&other));
    }
}
