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

pub(crate) struct Waiters<A: ?Sized> {
    entries: Vec<Option<Waiter<A>>>,
}

/// Callback ids are unique across all tasks and futures, so an id from one
/// can never remove another's callback.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl<A: ?Sized> Waiters<A> {
    pub(crate) const fn new() -> Self {
        Waiters {
            entries: Vec::new(),
        }
    }

    /// Registers (or refreshes) an awaiter's waker in its slot, keeping the
    /// position it first took so wake order is the order awaiting began.
    pub(crate) fn register(&mut self, slot: &Cell<Option<usize>>, waker: &Waker) {
        if let Some(index) = slot.get()
            && let Some(Some(Waiter::Wake(old))) = self.entries.get_mut(index)
        {
            if !old.will_wake(waker) {
                *old = waker.clone();
            }
            return;
        }
        slot.set(Some(self.entries.len()));
        self.entries.push(Some(Waiter::Wake(waker.clone())));
    }

    /// Forgets an awaiter that stopped waiting.
    pub(crate) fn unregister(&mut self, slot: &Cell<Option<usize>>) {
        if let Some(index) = slot.take()
            && let Some(entry @ Some(Waiter::Wake(_))) = self.entries.get_mut(index)
        {
            *entry = None;
        }
    }

    pub(crate) fn add_callback(&mut self, callback: DoneCallback<A>) -> CallbackId {
        let id = self.fresh_id();
        self.entries.push(Some(Waiter::Callback(id, callback)));
        id
    }

    pub(crate) fn fresh_id(&mut self) -> CallbackId {
        CallbackId(NEXT_ID.fetch_add(1, Ordering::Relaxed))
    }

    /// Removes a callback; returns how many were removed (0 or 1).
    pub(crate) fn remove_callback(&mut self, id: CallbackId) -> usize {
        for entry in &mut self.entries {
            if matches!(entry, Some(Waiter::Callback(cid, _)) if *cid == id) {
                *entry = None;
                return 1;
            }
        }
        0
    }

    /// Takes everyone, in registration order.
    pub(crate) fn take(&mut self) -> impl Iterator<Item = Waiter<A>> + use<A> {
        std::mem::take(&mut self.entries).into_iter().flatten()
    }
}
