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

/// An awaiter's place among a task's or future's waiters: the index it
/// took when it began waiting (kept so a re-poll refreshes its waker in
/// place), or none. Four bytes, so handles that carry one stay small.
#[derive(Debug)]
#[doc(hidden)]
pub struct WaiterSlot(Cell<u32>);

const NO_SLOT: u32 = u32::MAX;

impl WaiterSlot {
    pub(crate) const fn new() -> Self {
        WaiterSlot(Cell::new(NO_SLOT))
    }

    /// Whether the awaiter is registered.
    pub(crate) fn is_set(&self) -> bool {
        self.0.get() != NO_SLOT
    }

    /// Forgets the registration (the waiters were taken).
    pub(crate) fn clear(&self) {
        self.0.set(NO_SLOT);
    }

    fn get(&self) -> Option<u32> {
        Some(self.0.get()).filter(|&i| i != NO_SLOT)
    }

    fn take(&self) -> Option<u32> {
        let index = self.get();
        self.clear();
        index
    }
}

impl Default for WaiterSlot {
    fn default() -> Self {
        Self::new()
    }
}

/// Entries in registration order. The common case, one awaiting waker,
/// lives inline and allocates nothing; callbacks and further awaiters go
/// to a boxed list indexed by registration number (its entry 0 stays empty
/// while the first entry is the inline waker).
#[allow(
    clippy::box_collection,
    reason = "the box keeps the rarely used list to one word (a Vec is three)"
)]
pub(crate) struct Waiters<A: ?Sized> {
    first: Option<Waker>,
    rest: Option<Box<Vec<Option<Waiter<A>>>>>,
    /// How many entries were ever added (the next index).
    added: u32,
}

/// Callback ids are unique across all tasks and futures, so an id from one
/// can never remove another's callback.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl<A: ?Sized> Waiters<A> {
    pub(crate) const fn new() -> Self {
        Waiters {
            first: None,
            rest: None,
            added: 0,
        }
    }

    fn push(&mut self, waiter: Waiter<A>) -> u32 {
        let index = self.added;
        assert!(index < NO_SLOT, "too many waiters on one task or future");
        self.added += 1;
        match waiter {
            Waiter::Wake(waker) if index == 0 => self.first = Some(waker),
            waiter => {
                let rest = self.rest.get_or_insert_with(Default::default);
                // Entry 0 of the list stands for the inline waker.
                if rest.is_empty() && index > 0 {
                    rest.push(None);
                }
                rest.push(Some(waiter));
            }
        }
        index
    }

    fn rest_entry(&mut self, index: u32) -> Option<&mut Option<Waiter<A>>> {
        self.rest.as_mut()?.get_mut(index as usize)
    }

    /// Registers (or refreshes) an awaiter's waker in its slot, keeping the
    /// position it first took so wake order is the order awaiting began.
    pub(crate) fn register(&mut self, slot: &WaiterSlot, waker: &Waker) {
        if let Some(index) = slot.get() {
            let old = match index {
                0 => self.first.as_mut(),
                i => match self.rest_entry(i) {
                    Some(Some(Waiter::Wake(old))) => Some(old),
                    _ => None,
                },
            };
            if let Some(old) = old {
                if !old.will_wake(waker) {
                    old.clone_from(waker);
                }
                return;
            }
        }
        slot.0.set(self.push(Waiter::Wake(waker.clone())));
    }

    /// Forgets an awaiter that stopped waiting.
    pub(crate) fn unregister(&mut self, slot: &WaiterSlot) {
        match slot.take() {
            Some(0) => self.first = None,
            Some(i) => {
                if let Some(entry @ Some(Waiter::Wake(_))) = self.rest_entry(i) {
                    *entry = None;
                }
            }
            None => {}
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
        let Some(rest) = self.rest.as_mut() else {
            return 0;
        };
        for entry in rest.iter_mut() {
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
            rest: self.rest.take(),
        }
    }
}

/// The waiters of a completed task or future, owned (no borrow held).
#[allow(clippy::box_collection, reason = "moved out of `Waiters` as it is")]
pub(crate) struct Taken<A: ?Sized> {
    first: Option<Waker>,
    rest: Option<Box<Vec<Option<Waiter<A>>>>>,
}

impl<A: ?Sized> Taken<A> {
    /// Visits each waiter in registration order.
    pub(crate) fn for_each(self, mut f: impl FnMut(Waiter<A>)) {
        if let Some(first) = self.first {
            f(Waiter::Wake(first));
        }
        if let Some(rest) = self.rest {
            rest.into_iter().flatten().for_each(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_registration_order_across_inline_and_spilled_entries() {
        let mut waiters: Waiters<u32> = Waiters::new();
        let slot = WaiterSlot::new();
        waiters.register(&slot, Waker::noop());
        let a = waiters.add_callback(Box::new(|_| {}));
        let b = waiters.add_callback(Box::new(|_| {}));
        assert_eq!(waiters.remove_callback(a), 1);
        assert_eq!(waiters.remove_callback(a), 0);
        waiters.register(&slot, Waker::noop());
        assert_eq!(slot.get(), Some(0));
        let second = WaiterSlot::new();
        waiters.register(&second, Waker::noop());
        assert_eq!(second.get(), Some(3));
        let mut kinds = Vec::new();
        waiters.take().for_each(|w| {
            kinds.push(match w {
                Waiter::Wake(_) => "wake".to_string(),
                Waiter::Callback(id, _) => format!("cb {}", id == b),
            })
        });
        assert_eq!(kinds, ["wake", "cb true", "wake"]);
        waiters.unregister(&slot);
        waiters.unregister(&second);
        let mut left = 0;
        waiters.take().for_each(|_| left += 1);
        assert_eq!(left, 0);
    }

    #[test]
    fn a_callback_registered_first_still_comes_first() {
        let mut waiters: Waiters<u32> = Waiters::new();
        let first = waiters.add_callback(Box::new(|_| {}));
        let slot = WaiterSlot::new();
        waiters.register(&slot, Waker::noop());
        waiters.register(&slot, Waker::noop());
        assert_eq!(slot.get(), Some(1));
        let mut kinds = Vec::new();
        waiters.take().for_each(|w| {
            kinds.push(match w {
                Waiter::Wake(_) => "wake",
                Waiter::Callback(id, _) if id == first => "first callback",
                Waiter::Callback(..) => "other callback",
            })
        });
        assert_eq!(kinds, ["first callback", "wake"]);
    }
}
