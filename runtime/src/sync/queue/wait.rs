//! The futures of a queue's waiting calls: `put`, `get` and `join`. Each
//! takes its turn in the queue's FIFO wait lists, and one dropped after it
//! was handed a turn passes the turn on.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::Shared;
use crate::sync::wait_list::Wakes;

/// The future returned by [`Queue::put`](super::Queue::put).
#[must_use = "futures do nothing unless awaited"]
pub struct QueuePut<T> {
    pub(super) state: Shared<T>,
    pub(super) item: Option<T>,
    pub(super) id: Option<u64>,
}

// The item is never pinned: it is moved into the queue by value.
impl<T> Unpin for QueuePut<T> {}

impl<T> Future for QueuePut<T> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        let mut wakes = Wakes::new();
        let mut state = this.state.borrow_mut();
        let may_put = match this.id {
            // A waiting putter goes only when it was handed a free slot...
            Some(id) => state.putters.take_grant(id).is_some(),
            // ...and a new one only takes slots no woken putter is due.
            None => state.free() > state.putters.granted(),
        };
        if may_put && !state.full() {
            state.putters.leave(&mut this.id);
            let item = this.item.take().expect("QueuePut polled after completion");
            state.push(item, &mut wakes);
            return Poll::Ready(());
        }
        state.putters.wait(&mut this.id, cx.waker());
        Poll::Pending
    }
}

impl<T> Drop for QueuePut<T> {
    fn drop(&mut self) {
        if let Some(id) = self.id
            && let Ok(mut state) = self.state.try_borrow_mut()
        {
            let mut wakes = Wakes::new();
            if state.putters.remove(id).is_some() {
                // Woken for a free slot we will not use: pass it on.
                state.wake_putters(&mut wakes);
            }
            drop(state);
        }
    }
}

/// The future returned by [`Queue::get`](super::Queue::get).
#[must_use = "futures do nothing unless awaited"]
pub struct QueueGet<T> {
    pub(super) state: Shared<T>,
    pub(super) id: Option<u64>,
}

impl<T> Future for QueueGet<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let this = &mut *self;
        let mut wakes = Wakes::new();
        let mut state = this.state.borrow_mut();
        let may_get = match this.id {
            // A waiting getter takes an item only when it was woken for one,
            // so getters are served in the order they began waiting...
            Some(id) => state.getters.take_grant(id).is_some(),
            // ...and a new one only takes items no woken getter is due.
            None => state.items.len() > state.getters.granted(),
        };
        if may_get && let Some(item) = state.pop(&mut wakes) {
            state.getters.leave(&mut this.id);
            return Poll::Ready(item);
        }
        state.getters.wait(&mut this.id, cx.waker());
        Poll::Pending
    }
}

impl<T> Drop for QueueGet<T> {
    fn drop(&mut self) {
        if let Some(id) = self.id
            && let Ok(mut state) = self.state.try_borrow_mut()
        {
            let mut wakes = Wakes::new();
            if state.getters.remove(id).is_some() {
                // Woken for an item we will not take: pass it on.
                state.wake_getters(&mut wakes);
            }
            drop(state);
        }
    }
}

/// The future returned by [`Queue::join`](super::Queue::join).
#[must_use = "futures do nothing unless awaited"]
pub struct QueueJoin<T> {
    pub(super) state: Shared<T>,
    pub(super) id: Option<u64>,
}

impl<T> Future for QueueJoin<T> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        let mut state = this.state.borrow_mut();
        let woken = this
            .id
            .is_some_and(|id| state.joiners.take_grant(id).is_some());
        if woken || state.unfinished == 0 {
            state.joiners.leave(&mut this.id);
            return Poll::Ready(());
        }
        state.joiners.wait(&mut this.id, cx.waker());
        Poll::Pending
    }
}

impl<T> Drop for QueueJoin<T> {
    fn drop(&mut self) {
        if let Some(id) = self.id
            && let Ok(mut state) = self.state.try_borrow_mut()
        {
            state.joiners.remove(id);
        }
    }
}

impl<T> fmt::Debug for QueuePut<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueuePut")
            .field("waiting", &self.id.is_some())
            .field("put", &self.item.is_none())
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for QueueGet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueueGet")
            .field("waiting", &self.id.is_some())
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for QueueJoin<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueueJoin")
            .field("waiting", &self.id.is_some())
            .finish_non_exhaustive()
    }
}
