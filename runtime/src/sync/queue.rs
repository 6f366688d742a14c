//! `asyncio.Queue`, `LifoQueue` and `PriorityQueue`.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};
use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

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

/// The future returned by [`Queue::put`].
#[must_use = "futures do nothing unless awaited"]
pub struct QueuePut<T> {
    state: Shared<T>,
    item: Option<T>,
    id: Option<u64>,
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

/// The future returned by [`Queue::get`].
#[must_use = "futures do nothing unless awaited"]
pub struct QueueGet<T> {
    state: Shared<T>,
    id: Option<u64>,
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

/// The future returned by [`Queue::join`].
#[must_use = "futures do nothing unless awaited"]
pub struct QueueJoin<T> {
    state: Shared<T>,
    id: Option<u64>,
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
