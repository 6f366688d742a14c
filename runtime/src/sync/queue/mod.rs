//! `asyncio.Queue`, and its LIFO and priority kinds (`kinds.rs`); the
//! futures of its waiting calls are in `wait.rs`.

mod kinds;
mod wait;

pub use kinds::{LifoQueue, PriorityQueue};
pub use wait::{QueueGet, QueueJoin, QueuePut};

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};
use std::fmt;
use std::rc::Rc;

use super::error::{QueueEmpty, QueueFull, ValueError};
use super::wait_list::{WaitList, Wakes};

/// A priority queue entry: smallest item first, FIFO among equal items.
struct Prio<T> {
    item: T,
    seq: u64,
}

impl<T: Ord> Ord for Prio<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        // `BinaryHeap` pops the greatest: reverse both keys.
        other
            .item
            .cmp(&self.item)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

impl<T: Ord> PartialOrd for Prio<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T: Ord> PartialEq for Prio<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<T: Ord> Eq for Prio<T> {}

type Heap<T> = BinaryHeap<Prio<T>>;

/// The items, in the order the queue kind hands them out. The heap's
/// operations are captured as function pointers where `T: Ord` is known,
/// so the rest of the queue needs no bound on `T`.
enum Items<T> {
    Fifo(VecDeque<T>),
    Lifo(Vec<T>),
    Priority {
        heap: Heap<T>,
        seq: u64,
        push: fn(&mut Heap<T>, Prio<T>),
        pop: fn(&mut Heap<T>) -> Option<Prio<T>>,
    },
}

impl<T> Items<T> {
    fn len(&self) -> usize {
        match self {
            Items::Fifo(items) => items.len(),
            Items::Lifo(items) => items.len(),
            Items::Priority { heap, .. } => heap.len(),
        }
    }

    fn push(&mut self, item: T) {
        match self {
            Items::Fifo(items) => items.push_back(item),
            Items::Lifo(items) => items.push(item),
            Items::Priority {
                heap, seq, push, ..
            } => {
                *seq += 1;
                push(heap, Prio { item, seq: *seq });
            }
        }
    }

    fn pop(&mut self) -> Option<T> {
        match self {
            Items::Fifo(items) => items.pop_front(),
            Items::Lifo(items) => items.pop(),
            Items::Priority { heap, pop, .. } => pop(heap).map(|p| p.item),
        }
    }
}

struct State<T> {
    items: Items<T>,
    maxsize: usize,
    getters: WaitList,
    putters: WaitList,
    joiners: WaitList,
    unfinished: usize,
}

impl<T> State<T> {
    fn full(&self) -> bool {
        self.maxsize > 0 && self.items.len() >= self.maxsize
    }

    fn push(&mut self, item: T, wakes: &mut Wakes) {
        self.items.push(item);
        self.unfinished += 1;
        self.wake_getters(wakes);
    }

    fn pop(&mut self, wakes: &mut Wakes) -> Option<T> {
        let item = self.items.pop()?;
        self.wake_putters(wakes);
        Some(item)
    }

    /// One granted getter per item, in FIFO order.
    fn wake_getters(&mut self, wakes: &mut Wakes) {
        while self.getters.granted() < self.items.len()
            && self.getters.grant_next((), wakes).is_ok()
        {}
    }

    fn free(&self) -> usize {
        match self.maxsize {
            0 => usize::MAX,
            max => max.saturating_sub(self.items.len()),
        }
    }

    /// One granted putter per free slot, in FIFO order.
    fn wake_putters(&mut self, wakes: &mut Wakes) {
        while self.putters.granted() < self.free() && self.putters.grant_next((), wakes).is_ok() {}
    }
}

type Shared<T> = Rc<RefCell<State<T>>>;

/// A first-in, first-out queue for tasks (Python's `asyncio.Queue`).
///
/// `maxsize` 0 means unbounded; otherwise [`put`](Self::put) waits while the
/// queue holds `maxsize` items. Cloning gives another handle to the same
/// queue.
///
/// Fairness: waiting getters (and putters) are served in the order they
/// started waiting, and a new `get`/`put` does not take an item (a slot)
/// that a woken waiter is due. The `_nowait` forms take whatever is there,
/// as Python's do; a woken waiter that finds nothing left waits again at
/// the head of the line.
///
/// Cancel safety: a cancelled [`get`](Self::get) never takes an item (one it
/// was woken for goes to the next getter), and a cancelled [`put`](Self::put)
/// never inserts its item.
///
/// ```
/// asyncio::run(async {
///     let queue = asyncio::Queue::new(2);
///     let producer = {
///         let queue = queue.clone();
///         asyncio::create_task(async move {
///             for i in 0..5 {
///                 queue.put(i).await; // waits while 2 items are queued
///             }
///         })
///     };
///     let mut got = Vec::new();
///     for _ in 0..5 {
///         got.push(queue.get().await);
///     }
///     producer.await.unwrap();
///     assert_eq!(got, [0, 1, 2, 3, 4]);
/// });
/// ```
pub struct Queue<T> {
    state: Shared<T>,
}

impl<T> Queue<T> {
    /// An empty queue holding at most `maxsize` items (0: no limit).
    ///
    /// ```
    /// let unbounded = asyncio::Queue::<u8>::new(0);
    /// assert_eq!(unbounded.maxsize(), 0);
    /// let bounded = asyncio::Queue::new(1);
    /// bounded.put_nowait('a').unwrap();
    /// assert!(bounded.full());
    /// ```
    pub fn new(maxsize: usize) -> Self {
        Self::with_items(Items::Fifo(VecDeque::new()), maxsize)
    }

    fn with_items(items: Items<T>, maxsize: usize) -> Self {
        Queue {
            state: Rc::new(RefCell::new(State {
                items,
                maxsize,
                getters: WaitList::new(),
                putters: WaitList::new(),
                joiners: WaitList::new(),
                unfinished: 0,
            })),
        }
    }

    /// The most items the queue holds (0: no limit).
    pub fn maxsize(&self) -> usize {
        self.state.borrow().maxsize
    }

    /// How many items are queued.
    ///
    /// ```
    /// let queue = asyncio::Queue::new(0);
    /// queue.put_nowait(1).unwrap();
    /// queue.put_nowait(2).unwrap();
    /// assert_eq!(queue.qsize(), 2);
    /// assert!(!queue.empty());
    /// ```
    pub fn qsize(&self) -> usize {
        self.state.borrow().items.len()
    }

    /// Whether no items are queued.
    pub fn empty(&self) -> bool {
        self.qsize() == 0
    }

    /// Whether `maxsize` items are queued (never, for an unbounded queue).
    pub fn full(&self) -> bool {
        self.state.borrow().full()
    }

    /// Puts `item` in the queue, waiting for a free slot if it is full.
    ///
    /// If the put is cancelled while it waits, the item is dropped with
    /// the future and never enters the queue.
    ///
    /// ```
    /// asyncio::Runner::new().virtual_time(true).run(async {
    ///     let queue = asyncio::Queue::new(1);
    ///     queue.put("first").await; // room: at once
    ///     let q = queue.clone();
    ///     let consumer = asyncio::create_task(async move {
    ///         asyncio::sleep(1).await;
    ///         q.get().await
    ///     });
    ///     queue.put("second").await; // full: waits for the consumer
    ///     assert_eq!(consumer.await.unwrap(), "first");
    ///     assert_eq!(queue.get_nowait(), Ok("second"));
    /// });
    /// ```
    pub fn put(&self, item: T) -> QueuePut<T> {
        QueuePut {
            state: self.state.clone(),
            item: Some(item),
            id: None,
        }
    }

    /// Removes and returns an item, waiting for one if the queue is empty.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let queue = asyncio::Queue::new(0);
    ///     let q = queue.clone();
    ///     let producer = asyncio::create_task(async move {
    ///         for i in 0..3 {
    ///             q.put(i).await;
    ///         }
    ///     });
    ///     let mut got = Vec::new();
    ///     for _ in 0..3 {
    ///         got.push(queue.get().await); // waits while empty
    ///     }
    ///     assert_eq!(got, [0, 1, 2]);
    ///     producer.await.unwrap();
    /// });
    /// ```
    pub fn get(&self) -> QueueGet<T> {
        QueueGet {
            state: self.state.clone(),
            id: None,
        }
    }

    /// Puts `item` in the queue without waiting; gives it back in
    /// [`QueueFull`] if the queue is full.
    ///
    /// ```
    /// let queue = asyncio::Queue::new(1);
    /// queue.put_nowait("kept").unwrap();
    /// let refused = queue.put_nowait("refused").unwrap_err();
    /// assert_eq!(refused.into_inner(), "refused"); // the item comes back
    /// ```
    ///
    /// # Errors
    /// [`QueueFull`] (holding `item`) if the queue is full.
    pub fn put_nowait(&self, item: T) -> Result<(), QueueFull<T>> {
        let mut wakes = Wakes::new();
        let mut state = self.state.borrow_mut();
        if state.full() {
            return Err(QueueFull(item));
        }
        state.push(item, &mut wakes);
        drop(state);
        Ok(())
    }

    /// Removes and returns an item without waiting; [`QueueEmpty`] if none.
    ///
    /// ```
    /// let queue = asyncio::Queue::new(0);
    /// assert!(queue.get_nowait().is_err());
    /// queue.put_nowait(5).unwrap();
    /// assert_eq!(queue.get_nowait(), Ok(5));
    /// ```
    ///
    /// # Errors
    /// [`QueueEmpty`] if no item is there.
    pub fn get_nowait(&self) -> Result<T, QueueEmpty> {
        let mut wakes = Wakes::new();
        let item = self.state.borrow_mut().pop(&mut wakes);
        item.ok_or(QueueEmpty)
    }

    /// Marks one item taken from the queue as processed, for [`join`](Self::join).
    ///
    /// Errors (Python's `ValueError`) when called more times than items
    /// were put.
    ///
    /// ```
    /// let queue = asyncio::Queue::new(0);
    /// queue.put_nowait("job").unwrap();
    /// let _job = queue.get_nowait().unwrap();
    /// queue.task_done().unwrap();
    /// assert!(queue.task_done().is_err()); // more than were put
    /// ```
    ///
    /// # Errors
    /// [`ValueError`] when called more times than items were put.
    pub fn task_done(&self) -> Result<(), ValueError> {
        let mut wakes = Wakes::new();
        let mut state = self.state.borrow_mut();
        if state.unfinished == 0 {
            return Err(ValueError::TASK_DONE);
        }
        state.unfinished -= 1;
        if state.unfinished == 0 {
            state.joiners.grant_all(|| (), &mut wakes);
        }
        drop(state);
        Ok(())
    }

    /// Waits until every item ever put has been marked with
    /// [`task_done`](Self::task_done).
    ///
    /// ```
    /// asyncio::run(async {
    ///     let queue = asyncio::Queue::new(0);
    ///     let worker = {
    ///         let queue = queue.clone();
    ///         asyncio::create_task(async move {
    ///             loop {
    ///                 let _job: u32 = queue.get().await;
    ///                 asyncio::sleep(0.001).await;
    ///                 queue.task_done().unwrap();
    ///             }
    ///         })
    ///     };
    ///     for job in 0..3 {
    ///         queue.put_nowait(job).unwrap();
    ///     }
    ///     queue.join().await;
    ///     assert!(queue.empty());
    ///     worker.cancel();
    /// });
    /// ```
    pub fn join(&self) -> QueueJoin<T> {
        QueueJoin {
            state: self.state.clone(),
            id: None,
        }
    }
}

impl<T> Default for Queue<T> {
    /// An unbounded queue.
    fn default() -> Self {
        Self::new(0)
    }
}

impl<T> Clone for Queue<T> {
    fn clone(&self) -> Self {
        Queue {
            state: self.state.clone(),
        }
    }
}

impl<T> fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.borrow();
        write!(
            f,
            "<Queue maxsize={} qsize={} getters={} putters={} unfinished={}>",
            state.maxsize,
            state.items.len(),
            state.getters.len(),
            state.putters.len(),
            state.unfinished
        )
    }
}
