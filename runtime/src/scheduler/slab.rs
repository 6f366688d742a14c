//! A generational slab: the loop's table of live tasks.
//!
//! Wakers name a task by `(key, generation)` so that a stale waker of a
//! finished task can never wake a newer task that reuses the slot.

use std::cell::Cell;

use super::waker::{GENERATION_MASK, MAX_INDEX};

/// A slot address: index plus the generation it was filled in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Key {
    pub(crate) index: u32,
    pub(crate) generation: u32,
}

/// One slot: 24 bytes for a two-word value (an `enum` of occupied and
/// vacant took 32), so the table of a million tasks is a third smaller.
struct Entry<T> {
    /// The slot's generation; while occupied, the top bit is the mark.
    word: Cell<u32>,
    /// While vacant: the next free slot's index.
    next_free: u32,
    value: Option<T>,
}

impl<T> Entry<T> {
    fn generation(&self) -> u32 {
        self.word.get() & !MARK
    }

    /// The value, if the slot holds one of generation `generation`.
    fn live(&self, generation: u32) -> Option<&T> {
        self.value
            .as_ref()
            .filter(|_| self.generation() == generation)
    }
}

const NONE: u32 = u32::MAX;
/// The mark bit: above every generation (they wrap at [`GENERATION_MASK`]).
const MARK: u32 = 1 << 31;
const _: () = assert!(GENERATION_MASK < MARK);

pub(crate) struct Slab<T> {
    entries: Vec<Entry<T>>,
    free_head: u32,
    len: usize,
}

impl<T> Slab<T> {
    pub(crate) const fn new() -> Self {
        Slab {
            entries: Vec::new(),
            free_head: NONE,
            len: 0,
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The key the next `insert` will use.
    pub(crate) fn next_key(&self) -> Key {
        if self.free_head == NONE {
            Key {
                index: self.entries.len() as u32,
                generation: 0,
            }
        } else {
            let entry = &self.entries[self.free_head as usize];
            debug_assert!(
                entry.value.is_none(),
                "free list points at an occupied slot"
            );
            Key {
                index: self.free_head,
                generation: entry.generation(),
            }
        }
    }

    /// Stores `value` in a free slot, marked if `marked`.
    pub(crate) fn insert(&mut self, value: T, marked: bool) -> Key {
        let key = self.next_key();
        assert!(key.index <= MAX_INDEX, "too many live tasks");
        self.len += 1;
        let word = key.generation | if marked { MARK } else { 0 };
        if key.index as usize == self.entries.len() {
            self.entries.push(Entry {
                word: Cell::new(word),
                next_free: NONE,
                value: Some(value),
            });
        } else {
            let entry = &mut self.entries[key.index as usize];
            entry.word.set(word);
            entry.value = Some(value);
            self.free_head = entry.next_free;
        }
        key
    }

    pub(crate) fn get(&self, key: Key) -> Option<&T> {
        self.entries.get(key.index as usize)?.live(key.generation)
    }

    pub(crate) fn get_mut(&mut self, key: Key) -> Option<&mut T> {
        let entry = self.entries.get_mut(key.index as usize)?;
        let generation = entry.generation();
        entry
            .value
            .as_mut()
            .filter(|_| generation == key.generation)
    }

    /// Marks the slot in `key`; `Some(was it marked)`, or `None` if `key`
    /// names no live value.
    #[inline]
    pub(crate) fn mark(&self, key: Key) -> Option<bool> {
        let entry = self.entries.get(key.index as usize)?;
        entry.live(key.generation)?;
        let word = entry.word.get();
        entry.word.set(word | MARK);
        Some(word & MARK != 0)
    }

    /// Clears the mark of the slot in `key` and returns its value.
    #[inline]
    pub(crate) fn unmark(&self, key: Key) -> Option<&T> {
        let entry = self.entries.get(key.index as usize)?;
        let value = entry.live(key.generation)?;
        entry.word.set(key.generation);
        Some(value)
    }

    pub(crate) fn remove(&mut self, key: Key) -> Option<T> {
        let entry = self.entries.get_mut(key.index as usize)?;
        entry.live(key.generation)?;
        let value = entry.value.take();
        entry
            .word
            .set(key.generation.wrapping_add(1) & GENERATION_MASK);
        entry.next_free = self.free_head;
        self.free_head = key.index;
        self.len -= 1;
        value
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.entries.iter().filter_map(|e| e.value.as_ref())
    }

    /// Empties the slab, handing back every value.
    pub(crate) fn drain(&mut self) -> Vec<T> {
        self.free_head = NONE;
        self.len = 0;
        std::mem::take(&mut self.entries)
            .into_iter()
            .filter_map(|e| e.value)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_keys_miss_after_reuse() {
        let mut slab = Slab::new();
        let a = slab.insert("a", false);
        assert_eq!(slab.remove(a), Some("a"));
        let b = slab.insert("b", false);
        assert_eq!(a.index, b.index);
        assert_eq!(slab.get(a), None);
        assert_eq!(slab.get(b), Some(&"b"));
        assert_eq!(slab.remove(a), None);
        assert_eq!(slab.len(), 1);
    }

    #[test]
    fn next_key_predicts_insert() {
        let mut slab = Slab::new();
        let k0 = slab.insert(0, false);
        let _k1 = slab.insert(1, false);
        slab.remove(k0);
        let predicted = slab.next_key();
        assert_eq!(slab.insert(2, false), predicted);
        assert_eq!(slab.iter().copied().collect::<Vec<_>>(), vec![2, 1]);
        assert_eq!(slab.drain().len(), 2);
        assert_eq!(slab.len(), 0);
    }

    #[test]
    fn marks_belong_to_the_live_value() {
        let mut slab = Slab::new();
        let a = slab.insert('a', true);
        assert_eq!(slab.mark(a), Some(true));
        assert_eq!(slab.unmark(a), Some(&'a'));
        assert_eq!(slab.mark(a), Some(false));
        assert_eq!(slab.mark(a), Some(true));
        assert_eq!(slab.get(a), Some(&'a'), "a mark is not a generation");
        slab.remove(a);
        assert_eq!(slab.mark(a), None, "a stale key marks nothing");
        let b = slab.insert('b', false);
        assert_eq!((b.index, b.generation), (a.index, a.generation + 1));
        assert_eq!(slab.mark(a), None);
        assert_eq!(slab.mark(b), Some(false), "a reused slot starts unmarked");
        assert_eq!(slab.unmark(a), None);
    }

    #[test]
    fn an_entry_is_three_words() {
        assert!(std::mem::size_of::<Entry<std::rc::Rc<dyn Fn()>>>() <= 24);
    }
}
