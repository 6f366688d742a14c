//! The queue's kinds: LIFO and priority order over the same `Queue`.

use std::collections::BinaryHeap;
use std::fmt;
use std::ops::Deref;

use super::{Items, Queue};

/// A last-in, first-out queue (Python's `asyncio.LifoQueue`): [`get`](Queue::get)
/// returns the most recently put item.
///
/// It dereferences to [`Queue`], which has all the methods.
///
/// ```
/// let stack = asyncio::LifoQueue::new(0);
/// for i in 1..=3 {
///     stack.put_nowait(i).unwrap();
/// }
/// assert_eq!(stack.get_nowait(), Ok(3));
/// assert_eq!(stack.get_nowait(), Ok(2));
/// ```
pub struct LifoQueue<T>(Queue<T>);

impl<T> LifoQueue<T> {
    /// An empty LIFO queue holding at most `maxsize` items (0: no limit).
    pub fn new(maxsize: usize) -> Self {
        LifoQueue(Queue::with_items(Items::Lifo(Vec::new()), maxsize))
    }
}

/// A queue that hands out the smallest item first (Python's
/// `asyncio.PriorityQueue`); items that compare equal come out in the order
/// they were put.
///
/// It dereferences to [`Queue`], which has all the methods.
///
/// ```
/// let queue = asyncio::PriorityQueue::new(0);
/// queue.put_nowait((2, "write")).unwrap();
/// queue.put_nowait((1, "read")).unwrap();
/// queue.put_nowait((3, "close")).unwrap();
/// assert_eq!(queue.get_nowait(), Ok((1, "read")));
/// assert_eq!(queue.get_nowait(), Ok((2, "write")));
/// ```
pub struct PriorityQueue<T>(Queue<T>);

impl<T: Ord> PriorityQueue<T> {
    /// An empty priority queue holding at most `maxsize` items (0: no limit).
    pub fn new(maxsize: usize) -> Self {
        let items = Items::Priority {
            heap: BinaryHeap::new(),
            seq: 0,
            push: BinaryHeap::push,
            pop: BinaryHeap::pop,
        };
        PriorityQueue(Queue::with_items(items, maxsize))
    }
}

macro_rules! queue_kind {
    ($($kind:ident),*) => {$(
        impl<T> Deref for $kind<T> {
            type Target = Queue<T>;

            fn deref(&self) -> &Queue<T> {
                &self.0
            }
        }

        impl<T> Clone for $kind<T> {
            fn clone(&self) -> Self {
                $kind(self.0.clone())
            }
        }

        impl<T> fmt::Debug for $kind<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}{:?}", stringify!($kind), self.0)
            }
        }
    )*};
}

queue_kind!(LifoQueue, PriorityQueue);

impl<T: Ord> Default for PriorityQueue<T> {
    /// An unbounded priority queue.
    fn default() -> Self {
        Self::new(0)
    }
}

impl<T> Default for LifoQueue<T> {
    /// An unbounded LIFO queue.
    fn default() -> Self {
        Self::new(0)
    }
}
