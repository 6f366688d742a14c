//! A generational slab: the loop's table of live tasks.
//!
//! Wakers name a task by `(key, generation)` so that a stale waker of a
//! finished task can never wake a newer task that reuses the slot.

use super::waker::{GENERATION_MASK, MAX_INDEX};

/// A slot address: index plus the generation it was filled in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Key {
    pub(crate) index: u32,
    pub(crate) generation: u32,
}

enum Entry<T> {
    Occupied { generation: u32, value: T },
    Vacant { generation: u32, next_free: u32 },
}

const NONE: u32 = u32::MAX;

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
            match &self.entries[self.free_head as usize] {
                Entry::Vacant { generation, .. } => Key {
                    index: self.free_head,
                    generation: *generation,
                },
                Entry::Occupied { .. } => unreachable!("free list points at an occupied slot"),
            }
        }
    }

    pub(crate) fn insert(&mut self, value: T) -> Key {
        let key = self.next_key();
        assert!(key.index <= MAX_INDEX, "too many live tasks");
        self.len += 1;
        let entry = Entry::Occupied {
            generation: key.generation,
            value,
        };
        if key.index as usize == self.entries.len() {
            self.entries.push(entry);
        } else {
            let old = std::mem::replace(&mut self.entries[key.index as usize], entry);
            let Entry::Vacant { next_free, .. } = old else {
                unreachable!("free list points at an occupied slot")
            };
            self.free_head = next_free;
        }
        key
    }

    pub(crate) fn get(&self, key: Key) -> Option<&T> {
        match self.entries.get(key.index as usize) {
            Some(Entry::Occupied { generation, value }) if *generation == key.generation => {
                Some(value)
            }
            _ => None,
        }
    }

    pub(crate) fn get_mut(&mut self, key: Key) -> Option<&mut T> {
        match self.entries.get_mut(key.index as usize) {
            Some(Entry::Occupied { generation, value }) if *generation == key.generation => {
                Some(value)
            }
            _ => None,
        }
    }

    pub(crate) fn remove(&mut self, key: Key) -> Option<T> {
        let slot = self.entries.get_mut(key.index as usize)?;
        match slot {
            Entry::Occupied { generation, .. } if *generation == key.generation => {}
            _ => return None,
        }
        let vacant = Entry::Vacant {
            generation: key.generation.wrapping_add(1) & GENERATION_MASK,
            next_free: self.free_head,
        };
        let Entry::Occupied { value, .. } = std::mem::replace(slot, vacant) else {
            unreachable!()
        };
        self.free_head = key.index;
        self.len -= 1;
        Some(value)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Occupied { value, .. } => Some(value),
            Entry::Vacant { .. } => None,
        })
    }

    /// Empties the slab, handing back every value.
    pub(crate) fn drain(&mut self) -> Vec<T> {
        self.free_head = NONE;
        self.len = 0;
        std::mem::take(&mut self.entries)
            .into_iter()
            .filter_map(|e| match e {
                Entry::Occupied { value, .. } => Some(value),
                Entry::Vacant { .. } => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_keys_miss_after_reuse() {
        let mut slab = Slab::new();
        let a = slab.insert("a");
        assert_eq!(slab.remove(a), Some("a"));
        let b = slab.insert("b");
        assert_eq!(a.index, b.index);
        assert_eq!(slab.get(a), None);
        assert_eq!(slab.get(b), Some(&"b"));
        assert_eq!(slab.remove(a), None);
        assert_eq!(slab.len(), 1);
    }

    #[test]
    fn next_key_predicts_insert() {
        let mut slab = Slab::new();
        let k0 = slab.insert(0);
        let _k1 = slab.insert(1);
        slab.remove(k0);
        let predicted = slab.next_key();
        assert_eq!(slab.insert(2), predicted);
        assert_eq!(slab.iter().copied().collect::<Vec<_>>(), vec![2, 1]);
        assert_eq!(slab.drain().len(), 2);
        assert_eq!(slab.len(), 0);
    }
}
