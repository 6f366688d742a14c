//! The wait list every synchronisation primitive stands on: a FIFO of
//! waiters, each with its waker and, once something was handed to it (a
//! lock, a permit, a wake-up), the grant.
//!
//! A waiter keeps its entry (and so its place) from its first `Pending`
//! until it completes or is dropped. Granting marks the entry and wakes
//! it; the waiter takes the grant on its next poll. A waiter dropped while
//! holding a grant gets it back from [`WaitList::remove`] so the primitive
//! can pass it on: nothing handed over is ever lost to a cancellation.
//!
//! Entries are stored in a `VecDeque` in id order (ids only grow), so a
//! waiter finds its entry by binary search and waiting allocates nothing
//! beyond the deque's amortised growth.

use std::collections::VecDeque;
use std::task::Waker;

struct Entry<G> {
    id: u64,
    waker: Waker,
    grant: Option<G>,
}

/// A FIFO of waiters; `G` is what a waiter is handed (`()` for a plain wake-up).
pub(crate) struct WaitList<G = ()> {
    entries: VecDeque<Entry<G>>,
    next_id: u64,
    granted: usize,
}

impl<G> WaitList<G> {
    pub(crate) const fn new() -> Self {
        WaitList {
            entries: VecDeque::new(),
            next_id: 0,
            granted: 0,
        }
    }

    fn index(&self, id: u64) -> Option<usize> {
        self.entries.binary_search_by_key(&id, |e| e.id).ok()
    }

    /// Adds a waiter at the back; returns its id.
    pub(crate) fn push(&mut self, waker: &Waker) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.entries.push_back(Entry {
            id,
            waker: waker.clone(),
            grant: None,
        });
        id
    }

    /// Refreshes the waker of waiter `id` (a task may move between wakers).
    pub(crate) fn update(&mut self, id: u64, waker: &Waker) {
        if let Some(i) = self.index(id) {
            let entry = &mut self.entries[i];
            if !entry.waker.will_wake(waker) {
                entry.waker = waker.clone();
            }
        }
    }

    /// Registers a waiter (or refreshes its waker) and remembers its id.
    pub(crate) fn wait(&mut self, id: &mut Option<u64>, waker: &Waker) {
        match *id {
            Some(id) => self.update(id, waker),
            None => *id = Some(self.push(waker)),
        }
    }

    /// A waiter that got what it waited for leaves the list.
    pub(crate) fn leave(&mut self, id: &mut Option<u64>) {
        if let Some(id) = id.take() {
            self.remove(id);
        }
    }

    /// Takes waiter `id`'s grant, leaving the waiter in its place.
    pub(crate) fn take_grant(&mut self, id: u64) -> Option<G> {
        let i = self.index(id)?;
        let grant = self.entries[i].grant.take();
        if grant.is_some() {
            self.granted -= 1;
        }
        grant
    }

    /// Removes waiter `id`; returns the grant it held (to be passed on).
    pub(crate) fn remove(&mut self, id: u64) -> Option<G> {
        let entry = self.entries.remove(self.index(id)?)?;
        if entry.grant.is_some() {
            self.granted -= 1;
        }
        entry.grant
    }

    /// Hands `grant` to the first waiter without one; gives it back if
    /// every waiter holds one already.
    pub(crate) fn grant_next(&mut self, grant: G, wakes: &mut Wakes) -> Result<(), G> {
        match self.entries.iter_mut().find(|e| e.grant.is_none()) {
            Some(entry) => {
                entry.grant = Some(grant);
                self.granted += 1;
                wakes.push(&entry.waker);
                Ok(())
            }
            None => Err(grant),
        }
    }

    /// Hands a grant to every waiter without one.
    pub(crate) fn grant_all(&mut self, mut grant: impl FnMut() -> G, wakes: &mut Wakes) {
        for entry in self.entries.iter_mut().filter(|e| e.grant.is_none()) {
            entry.grant = Some(grant());
            self.granted += 1;
            wakes.push(&entry.waker);
        }
    }

    /// How many waiters there are.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// How many waiters hold a grant they have not taken yet.
    pub(crate) fn granted(&self) -> usize {
        self.granted
    }
}

/// Wakers to wake once the primitive's state is no longer borrowed, so a
/// waker can never observe (or re-enter) a half-updated primitive.
#[must_use = "the wakers are woken when this is dropped"]
pub(crate) struct Wakes {
    first: Option<Waker>,
    rest: Vec<Waker>,
}

impl Wakes {
    pub(crate) const fn new() -> Self {
        Wakes {
            first: None,
            rest: Vec::new(),
        }
    }

    fn push(&mut self, waker: &Waker) {
        if self.first.is_none() {
            self.first = Some(waker.clone());
        } else {
            self.rest.push(waker.clone());
        }
    }
}

impl Drop for Wakes {
    fn drop(&mut self) {
        if let Some(first) = self.first.take() {
            first.wake();
        }
        for waker in self.rest.drain(..) {
            waker.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_go_to_the_first_waiters_without_one_and_come_back_on_remove() {
        let mut list: WaitList<u32> = WaitList::new();
        let a = list.push(Waker::noop());
        let b = list.push(Waker::noop());
        let c = list.push(Waker::noop());
        let mut wakes = Wakes::new();
        assert_eq!(list.grant_next(1, &mut wakes), Ok(()));
        assert_eq!(list.take_grant(b), None);
        assert_eq!(list.remove(a), Some(1));
        assert_eq!(list.grant_next(2, &mut wakes), Ok(()));
        assert_eq!(list.granted(), 1);
        assert_eq!(list.take_grant(b), Some(2));
        assert_eq!((list.len(), list.granted()), (2, 0));
        list.grant_all(|| 3, &mut wakes);
        assert_eq!(list.grant_next(4, &mut wakes), Err(4));
        assert_eq!(list.remove(c), Some(3));
        assert_eq!(list.remove(c), None);
        assert_eq!(list.remove(b), Some(3));
        assert_eq!(list.len(), 0);
    }
}
