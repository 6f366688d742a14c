//! Task wakers: `Send + Sync` as std requires, cheap on the loop's thread.
//!
//! A wake on the thread whose loop is running goes straight into that
//! loop's ready queue (no lock, no atomics beyond the `Arc` itself); a wake
//! from anywhere else is queued in [`Shared`] and wakes the poller.

use std::sync::Arc;
use std::task::{Wake, Waker};

use super::context;
use super::shared::{Remote, Shared};
use super::slab::Key;

pub(crate) struct TaskWaker {
    shared: Arc<Shared>,
    key: Key,
}

impl TaskWaker {
    pub(crate) fn new_waker(shared: Arc<Shared>, key: Key) -> Waker {
        Waker::from(Arc::new(TaskWaker { shared, key }))
    }
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    #[inline]
    fn wake_by_ref(self: &Arc<Self>) {
        if !context::schedule_local(&self.shared, self.key) {
            self.shared.push(Remote::Wake(self.key));
        }
    }
}
