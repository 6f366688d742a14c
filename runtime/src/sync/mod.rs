//! Synchronisation primitives for tasks (Python's `asyncio.Lock`, `Event`,
//! `Condition`, `Semaphore`, `BoundedSemaphore`, `Barrier` and the queues).
//!
//! Single-threaded and cheap: each is an `Rc` handle (clone it to share it
//! between tasks) over a FIFO wait list. All are cancel-safe (see
//! ARCHITECTURE.md, "Cancellation"): a cancelled task's pending wait is
//! dropped without being polled again, and a waiter dropped after something
//! was handed to it (a lock, a permit, an item's wake-up, a notification)
//! passes it on.

mod barrier;
mod condition;
mod error;
mod event;
mod lock;
mod queue;
mod semaphore;
mod wait_list;

pub use barrier::{Barrier, BarrierWait};
pub use condition::{Condition, ConditionWait};
pub use error::{BrokenBarrierError, QueueEmpty, QueueFull, ValueError};
pub use event::{Event, EventWait};
pub use lock::{Lock, LockAcquire, LockGuard};
pub use queue::{LifoQueue, PriorityQueue, Queue, QueueGet, QueueJoin, QueuePut};
pub use semaphore::{BoundedSemaphore, Semaphore, SemaphoreAcquire, SemaphoreGuard};
