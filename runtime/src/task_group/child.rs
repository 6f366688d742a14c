//! A task group child: the `'static` half its [`Task`](crate::Task) handle
//! points at, the `'env` half (its future) the group owns, and the waker
//! that queues it for the group's next pass.

use std::any::Any;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use crate::scheduler::Runnable;
use crate::scheduler::header::TaskHeader;
use crate::task::Body;

/// Children woken since the group last ran them, in wake order.
#[derive(Default)]
pub(super) struct ReadyList {
    pub(super) queue: Mutex<Vec<usize>>,
    /// The waker of the task polling the group.
    pub(super) parent: Mutex<Option<Waker>>,
}

impl ReadyList {
    pub(super) fn set_parent(&self, waker: &Waker) {
        let mut parent = self.parent.lock().unwrap_or_else(|e| e.into_inner());
        if !parent.as_ref().is_some_and(|p| p.will_wake(waker)) {
            *parent = Some(waker.clone());
        }
    }

    pub(super) fn take(&self) -> Vec<usize> {
        std::mem::take(&mut *self.queue.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// A child's waker: queues the child and wakes the task running the group.
pub(super) struct ChildWaker {
    pub(super) index: usize,
    pub(super) queued: AtomicBool,
    pub(super) list: Arc<ReadyList>,
}

impl Wake for ChildWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.queued.swap(true, Ordering::AcqRel) {
            let mut queue = self.list.queue.lock().unwrap_or_else(|e| e.into_inner());
            queue.push(self.index);
        }
        let parent = self
            .list
            .parent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some(parent) = parent {
            parent.wake();
        }
    }
}

/// The `'static` half of a child: what its [`Task`](crate::Task) handle points at.
pub(super) struct ChildCell<T> {
    pub(super) header: TaskHeader,
    pub(super) output: RefCell<Option<T>>,
    pub(super) coro: &'static str,
}

impl<T: 'static> Runnable for ChildCell<T> {
    fn header(&self) -> &TaskHeader {
        &self.header
    }

    /// Never called: a group child is not in the loop's task table; its
    /// group steps it (see `TaskGroupScope::run_children`).
    fn run(self: Rc<Self>) {}

    /// Never called, for the same reason: the group's drop ends its children.
    fn close(self: Rc<Self>) {}

    fn with_output(&self, f: &mut dyn FnMut(&mut dyn Any)) {
        f(&mut *self.output.borrow_mut());
    }

    fn discard_output(&self) {
        self.output.borrow_mut().take();
    }

    fn coro(&self) -> &'static str {
        self.coro
    }

    fn describe(&self) -> String {
        crate::task::describe(&self.header, self.coro)
    }
}

/// The group's half of a child: its future, which may borrow `'env`.
pub(super) struct Child<'env> {
    pub(super) cell: Rc<dyn Runnable>,
    pub(super) waker: Arc<ChildWaker>,
    pub(super) future: RefCell<Option<Pin<Box<dyn Future<Output = ()> + 'env>>>>,
}

impl Body for Child<'_> {
    fn poll_body(&self, cx: &mut Context<'_>) -> Poll<()> {
        match self.future.borrow_mut().as_mut() {
            Some(future) => future.as_mut().poll(cx),
            None => Poll::Pending,
        }
    }

    fn drop_body(&self) {
        let future = self.future.borrow_mut().take();
        drop(future);
    }
}
