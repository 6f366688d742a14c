//! Who to tell when a task or future completes: awaiting wakers and done
//! callbacks, in one list so they are notified in registration order (as
//! CPython's single `_callbacks` list does).

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Waker;

/// Identifies a done callback for `remove_done_callback`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CallbackId(pub(crate) u64);

/// A done callback, given the completed task or future.
pub(crate) type DoneCallback<A> = Box<dyn FnOnce(&A)>;

pub(crate) enum Waiter<A: ?Sized> {
    Wake(Waker),
    Callback(CallbackId, DoneCallback<A>),
}

/// Entries in registration order. The first lives inline, so the common
/// case of a single awaiter allocates nothing.
pub(crate) struct Waiters<A: ?Sized> {
    first: Option<Waiter<A>>,
    rest: Vec<Option<Waiter<A>>>,
    /// How many entries were ever added (the next slot index).
    added: usize,
}

/// Callback ids are unique across all tasks and futures, so an id from one
/// can never remove another's callback.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl<A: ?Sized> Waiters<A> {
    pub(crate) const fn new() -> Self {
        Waiters {
            first: None,
            rest: Vec::new(),
            added: 0,
        }
    }

    fn entry(&mut self, index: usize) -> Option<&mut Option<Waiter<A>>> {
        match index {
            0 if self.added > 0 => Some(&mut self.first),
            0 => None,
            i => self.rest.get_mut(i - 1),
        }
    }

    fn push(&mut self, waiter: Waiter<A>) -> usize {
        let index = self.added;
        if index == 0 {
            self.first = Some(waiter);
        } else {
            self.rest.push(Some(waiter));
        }
        self.added += 1;
        index
    }

    /// Registers (or refreshes) an awaiter's waker in its slot, keeping the
    /// position it first took so wake order is the order awaiting began.
    pub(crate) fn register(&mut self, slot: &Cell<Option<usize>>, waker: &Waker) {
        if let Some(index) = slot.get()
            && let Some(Some(Waiter::Wake(old))) = self.entry(index)
        {
            if !old.will_wake(waker) {
                *old = waker.clone();
            }
            return;
        }
        slot.set(Some(self.push(Waiter::Wake(waker.clone()))));
    }

    /// Forgets an awaiter that stopped waiting.
    pub(crate) fn unregister(&mut self, slot: &Cell<Option<usize>>) {
        if let Some(index) = slot.take()
            && let Some(entry @ Some(Waiter::Wake(_))) = self.entry(index)
        {
            *entry = None;
        }
    }

    pub(crate) fn add_callback(&mut self, callback: DoneCallback<A>) -> CallbackId {
        let id = self.fresh_id();
        self.push(Waiter::Callback(id, callback));
        id
    }

    pub(crate) fn fresh_id(&mut self) -> CallbackId {
        CallbackId(NEXT_ID.fetch_add(1, Ordering::Relaxed))
    }

    /// Removes a callback; returns how many were removed (0 or 1).
    pub(crate) fn remove_callback(&mut self, id: CallbackId) -> usize {
        let first = std::iter::once(&mut self.first).filter(|_| self.added > 0);
        for entry in first.chain(self.rest.iter_mut()) {
            if matches!(entry, Some(Waiter::Callback(cid, _)) if *cid == id) {
                *entry = None;
                return 1;
            }
        }
        0
    }

    /// Takes everyone, in registration order.
    pub(crate) fn take(&mut self) -> Taken<A> {
        self.added = 0;
        Taken {
            first: self.first.take(),
            rest: std::mem::take(&mut self.rest),
        }
    }
}

/// The waiters of a completed task or future, owned (no borrow held).
pub(crate) struct Taken<A: ?Sized> {
    first: Option<Waiter<A>>,
    rest: Vec<Option<Waiter<A>>>,
}

impl<A: ?Sized> Taken<A> {
    /// Visits each waiter in registration order.
    pub(crate) fn for_each(self, mut f: impl FnMut(Waiter<A>)) {
        if let Some(first) = self.first {
            f(first);
        }
        if !self.rest.is_empty() {
            self.rest.into_iter().flatten().for_each(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_registration_order_across_inline_and_spilled_entries() {
        let mut waiters: Waiters<u32> = Waiters::new();
        let slot = Cell::new(None);
        waiters.register(&slot, Waker::noop());
        let a = waiters.add_callback(Box::new(|_| {}));
        let b = waiters.add_callback(Box::new(|_| {}));
        assert_eq!(waiters.remove_callback(a), 1);
        assert_eq!(waiters.remove_callback(a), 0);
        waiters.register(&slot, Waker::noop());
        assert_eq!(slot.get(), Some(0));
        let mut kinds = Vec::new();
        waiters.take().for_each(|w| {
            kinds.push(match w {
                Waiter::Wake(_) => "wake".to_string(),
                Waiter::Callback(id, _) => format!("cb {}", id == b),
            })
        });
        assert_eq!(kinds, ["wake", "cb true"]);
        waiters.unregister(&slot);
        let mut left = 0;
        waiters.take().for_each(|_| left += 1);
        assert_eq!(left, 0);
    }
}
