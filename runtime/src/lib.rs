//! The runtime behind the [`asyncio`](https://docs.rs/asyncio) crate:
//! Python's asyncio event loop, `Task`, `Future` and cancellation model on a
//! compact single-threaded scheduler. Users depend on `asyncio`, which
//! re-exports everything here.
//!
//! # Debug mode
//! `EventLoop::set_debug(true)`, `Runner::debug(true)`,
//! `#[asyncio::main(debug = true)]` or the environment variable
//! `ASYNCIO_DEBUG=1` turn on warnings for callbacks and task steps that run
//! longer than the slow-callback threshold (100 ms by default). A panic no
//! one retrieved and a task destroyed while pending are reported always.
//! Reports go to the `log` facade (target `asyncio`) when a logger is
//! installed, else to stderr.

mod as_completed;
mod cancel;
pub mod compat;
mod contextlib;
mod error;
mod event_loop;
mod future;
mod gather;
pub mod generator;
mod handle;
mod io;
pub mod net;
mod run;
mod scheduler;
mod shield;
mod sleep;
pub mod streams;
mod sync;
mod task;
mod task_group;
mod threads;
mod timeout;
mod wait;

pub use crate::as_completed::{AsCompleted, AsCompletedNext, as_completed};
pub use crate::cancel::{CatchCancelled, Finally, catch_cancelled, finally};
pub use crate::contextlib::{AsyncContext, AsyncContextManager, AsyncExitStack, Outcome, with};
pub use crate::error::{
    CancelledError, Error, Exception, InvalidStateError, OsError, PanicError, RuntimeError,
    TimeoutError,
};
pub use crate::event_loop::{
    EventLoop, EventLoopBuilder, LoopHandle, get_event_loop, get_running_loop, new_event_loop,
    set_event_loop,
};
pub use crate::future::Future;
pub use crate::gather::{Gather, GatherAll, GatherTuple, GatherTupleAll, TaskTuple, gather};
pub use crate::generator::{AsyncGen, AsyncGenError, AsyncIterator, Co, aiter};
pub use crate::handle::{Handle, TimerHandle};
pub use crate::run::{Runner, run};
pub use crate::scheduler::waiters::CallbackId;
pub use crate::shield::{Shield, shield};
pub use crate::sleep::{Delay, Sleep, sleep};
pub use crate::sync::{
    Barrier, BarrierWait, BoundedSemaphore, BrokenBarrierError, Condition, ConditionWait, Event,
    EventWait, LifoQueue, Lock, LockAcquire, LockGuard, PriorityQueue, Queue, QueueEmpty,
    QueueFull, QueueGet, QueueJoin, QueuePut, Semaphore, SemaphoreAcquire, SemaphoreGuard,
    ValueError,
};
pub use crate::task::{
    Task, TaskRef, TaskWait, all_tasks, create_task, create_task_named, current_task,
};
pub use crate::task_group::{TaskGroup, TaskGroupError, task_group};
pub use crate::threads::{
    BlockingPoolStats, ConcurrentFuture, ToThread, run_coroutine_threadsafe, to_thread,
};
pub use crate::timeout::{Timeout, TimeoutFuture, timeout, timeout_at, wait_for};
pub use crate::wait::{
    ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION, ReturnWhen, Wait, Waitable, wait,
};

/// The async iterator trait (`futures_core::Stream`), re-exported so
/// `as_completed` and generators can be consumed without naming another crate.
pub use futures_core::Stream;

/// Items generated code refers to; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::contextlib::{resumed, with};
    pub use crate::generator::{AsyncGen, RawCo};
    pub use crate::run::Runner;

    /// Gives `async_gen!`'s body closure its parameter type, `RawCo<Y, S>`,
    /// from the turbofish: an elided lifetime there (`AsyncGen<&str>`) is
    /// then the function's own, where a closure parameter's would be a
    /// fresh one for every call (and the body could not yield a borrow).
    pub fn generator_body<Y, S, F, Fut>(body: F) -> F
    where
        F: FnOnce(RawCo<Y, S>) -> Fut,
        Fut: std::future::Future,
    {
        body
    }

    /// A value of any type, for `async_gen!`'s dead-code `break` to the
    /// body's label (a `yield` in a macro's arguments): a plain call, so no
    /// unreachable-code lint fires where a panic would. Never called.
    pub fn label_check<T>() -> T {
        unreachable!("async_gen!'s label check is dead code")
    }
}
