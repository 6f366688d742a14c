//! `asyncio.to_thread(f)` and `loop.run_in_executor(None, f)`: a blocking
//! function on the loop's thread pool, awaited as a future.

use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use super::pool::{self, BlockingPoolStats, Job, LoopPool};
use crate::error::{Error, PanicError, RuntimeError, TimeoutError};
use crate::event_loop::EventLoop;
use crate::scheduler::Core;
use crate::scheduler::context;
use crate::scheduler::shared::{Completion, Remote, Shared};

/// The job waits in the pool's queue.
const QUEUED: u8 = 0;
/// A thread claimed the job (it runs, or it is being abandoned).
const CLAIMED: u8 = 1;
/// The awaiter gave up before a thread claimed the job: it never runs.
const CANCELLED: u8 = 2;

/// What the awaiting future and the pool thread share.
struct Slot<T> {
    status: AtomicU8,
    /// Whether the job still counts as outstanding work of the loop.
    counted: AtomicBool,
    /// The loop to report to; set when the job is submitted.
    shared: OnceLock<Arc<Shared>>,
    inner: Mutex<SlotInner<T>>,
}

struct SlotInner<T> {
    outcome: Option<Result<T, Error>>,
    waker: Option<Waker>,
}

impl<T> Slot<T> {
    fn lock(&self) -> MutexGuard<'_, SlotInner<T>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Claims a queued job for running (or abandoning); false if the
    /// awaiter gave up first.
    fn claim(&self) -> bool {
        self.status
            .compare_exchange(QUEUED, CLAIMED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }
}

impl<T: Send + 'static> Slot<T> {
    /// Stores the outcome and tells the loop, which wakes the awaiter.
    fn finish(self: &Arc<Self>, outcome: Result<T, Error>) {
        self.lock().outcome = Some(outcome);
        if let Some(shared) = self.shared.get() {
            // A closed loop refuses: nobody is left to take the result.
            shared.push(Remote::Completed(self.clone()));
        }
    }
}

impl<T: Send> Completion for Slot<T> {
    fn complete(&self, core: &Rc<Core>) {
        // Only once: the awaiter may have given the job up already.
        if self.counted.swap(false, Ordering::AcqRel) {
            LoopPool::of(core).end();
        }
        let waker = self.lock().waker.take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// The function and where its outcome goes: the pool's unit of work.
struct Work<F, T> {
    f: Option<F>,
    slot: Arc<Slot<T>>,
    /// Computed by `run`, handed over by `deliver`.
    outcome: Option<Result<T, Error>>,
}

impl<F, T> Job for Work<F, T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    fn run(&mut self) {
        let Some(f) = self.f.take() else { return };
        if !self.slot.claim() {
            return; // The awaiter is gone: as CPython, a cancelled job never starts.
        }
        let outcome = catch_unwind(AssertUnwindSafe(f))
            .map_err(|payload| Error::Panicked(PanicError::new(payload)));
        self.outcome = Some(outcome);
    }

    fn deliver(mut self: Box<Self>) {
        if let Some(outcome) = self.outcome.take() {
            self.slot.finish(outcome);
        }
    }

    fn abandon(mut self: Box<Self>, why: Error) {
        drop(self.f.take());
        if self.slot.claim() {
            self.slot.finish(Err(why));
        }
    }
}

impl<F, T> Drop for Work<F, T> {
    fn drop(&mut self) {
        // A safety net: the pool always runs or abandons a job, but a job
        // dropped unrun any other way must not leave its awaiter waiting.
        if self.f.take().is_some() && self.slot.claim() {
            let waker = {
                let mut inner = self.slot.lock();
                inner.outcome = Some(Err(RuntimeError::Closed.into()));
                inner.waker.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }
}

/// The future of [`to_thread`] and [`EventLoop::run_in_executor`]: the
/// outcome of a blocking function run on the loop's thread pool.
///
/// Resolves to `Ok(value)`, or `Err(Error::Panicked)` if the function
/// panicked. Cancelling the awaiting task (or dropping this future) ends the
/// await at once: a job that has not started yet never runs; one that is
/// running cannot be interrupted (as in Python) — it finishes on its thread
/// and its result is dropped.
#[must_use = "futures do nothing unless awaited"]
pub struct ToThread<T> {
    /// The job, until it is submitted.
    job: Option<Box<dyn Job>>,
    slot: Arc<Slot<T>>,
    /// The loop the job was submitted to.
    core: Weak<Core>,
    done: bool,
}

/// Runs the blocking function `f` on the running loop's thread pool and
/// awaits its result (Python's `asyncio.to_thread`), so the loop keeps
/// running other tasks meanwhile.
///
/// Like a Python coroutine, nothing happens until the future is awaited.
/// A panic in `f` comes back as `Err(Error::Panicked)`; the pool thread
/// lives on. See [`ToThread`] for cancellation, and
/// [`EventLoopBuilder::max_blocking_threads`](crate::EventLoopBuilder::max_blocking_threads)
/// for the pool's size.
///
/// ```
/// asyncio::run(async {
///     let ticker = asyncio::create_task(async {
///         asyncio::sleep(0.01).await;
///         "the loop kept running"
///     });
///     let sum = asyncio::to_thread(|| {
///         std::thread::sleep(std::time::Duration::from_millis(50)); // blocking
///         (1..=10).sum::<u32>()
///     })
///     .await
///     .unwrap();
///     assert_eq!(sum, 55);
///     assert_eq!(ticker.await.unwrap(), "the loop kept running");
///
///     match asyncio::to_thread(|| -> u32 { panic!("boom") }).await {
///         Err(asyncio::Error::Panicked(p)) => assert_eq!(p.message(), "boom"),
///         other => panic!("unexpected: {other:?}"),
///     }
/// });
/// ```
///
/// # Panics
/// When polled outside a running event loop.
pub fn to_thread<F, T>(f: F) -> ToThread<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    ToThread::new(f)
}

impl<T: Send + 'static> ToThread<T> {
    fn new<F: FnOnce() -> T + Send + 'static>(f: F) -> Self {
        let slot = Arc::new(Slot {
            status: AtomicU8::new(QUEUED),
            counted: AtomicBool::new(false),
            shared: OnceLock::new(),
            inner: Mutex::new(SlotInner {
                outcome: None,
                waker: None,
            }),
        });
        let job = Box::new(Work {
            f: Some(f),
            slot: slot.clone(),
            outcome: None,
        });
        ToThread {
            job: Some(job),
            slot,
            core: Weak::new(),
            done: false,
        }
    }

    fn submit(&mut self, core: &Rc<Core>) {
        let Some(job) = self.job.take() else { return };
        let _ = self.slot.shared.set(core.shared.clone());
        self.core = Rc::downgrade(core);
        if LoopPool::of(core).submit(core, job) {
            self.slot.counted.store(true, Ordering::Release);
        }
    }

    /// Gives up the job's place in the loop's outstanding count.
    fn release(&self) {
        if self.slot.counted.swap(false, Ordering::AcqRel)
            && let Some(core) = self.core.upgrade()
        {
            LoopPool::of(&core).end();
        }
    }
}

impl<T: Send + 'static> Future for ToThread<T> {
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(
            !this.done,
            "a ToThread future was polled after it completed"
        );
        if this.job.is_some() {
            let core = context::running_core()
                .expect("asyncio::to_thread() was polled outside a running event loop");
            this.submit(&core);
        }
        let mut inner = this.slot.lock();
        if let Some(outcome) = inner.outcome.take() {
            inner.waker = None;
            drop(inner);
            this.done = true;
            this.release();
            return Poll::Ready(outcome);
        }
        match &inner.waker {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            _ => inner.waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

impl<T> Drop for ToThread<T> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        // A queued job will not start; a running one finishes unobserved.
        let _ = self.slot.status.compare_exchange(
            QUEUED,
            CANCELLED,
            Ordering::AcqRel,
            Ordering::Acquire,
        );
        self.slot.lock().waker = None;
        if self.slot.counted.swap(false, Ordering::AcqRel)
            && let Some(core) = self.core.upgrade()
        {
            LoopPool::of(&core).end();
        }
    }
}

impl<T> fmt::Debug for ToThread<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.done {
            "finished"
        } else if self.job.is_some() {
            "not started"
        } else {
            "pending"
        };
        write!(f, "<ToThread {state}>")
    }
}

impl EventLoop {
    /// Runs the blocking function `f` on this loop's thread pool (Python's
    /// `loop.run_in_executor(None, f)`) and returns the future of its
    /// outcome.
    ///
    /// Unlike [`to_thread`], the job is queued at once, even before the loop
    /// runs or the future is awaited. Dropping the future before a thread
    /// has picked the job up cancels it. On a closed loop the future
    /// resolves to `Err(Runtime(Closed))`; after
    /// [`shutdown_default_executor`](Self::shutdown_default_executor), to
    /// `Err(Runtime(ExecutorShutdown))`.
    ///
    /// ```
    /// let lp = asyncio::EventLoop::new().unwrap();
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// let fut = lp.run_in_executor(move || {
    ///     tx.send("started").unwrap();
    ///     6 * 7
    /// });
    /// // Already running on a pool thread, before the loop runs.
    /// assert_eq!(rx.recv().unwrap(), "started");
    /// assert_eq!(lp.run_until_complete(fut).unwrap().unwrap(), 42);
    /// lp.close().unwrap();
    /// ```
    pub fn run_in_executor<F, T>(&self, f: F) -> ToThread<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let mut fut = ToThread::new(f);
        fut.submit(&self.core);
        fut
    }

    /// Waits for the jobs the thread pool has queued or running, at most
    /// `timeout` (`None`: no limit), then shuts the pool down (Python's
    /// `loop.shutdown_default_executor(timeout)`). Later `to_thread` and
    /// `run_in_executor` calls fail with `Err(Runtime(ExecutorShutdown))`.
    ///
    /// Blocks this thread (Python's is a coroutine), so it must be called
    /// while the loop is not running: `Err(Runtime(AlreadyRunning))`
    /// otherwise. If the timeout passes first: `Err(Timeout)`; the pool is
    /// shut down anyway, the late jobs finish on their threads and their
    /// results are dropped. [`run`](crate::run()) calls this before closing
    /// the loop, with a 300 s bound as CPython.
    ///
    /// ```
    /// let lp = asyncio::EventLoop::new().unwrap();
    /// let fut = lp.run_in_executor(|| "finished anyway");
    /// lp.shutdown_default_executor(None).unwrap(); // waits for the job
    /// assert_eq!(lp.run_until_complete(fut).unwrap().unwrap(), "finished anyway");
    /// let late = lp.run_until_complete(asyncio::to_thread(|| ())).unwrap();
    /// assert!(late.is_err());
    /// lp.close().unwrap();
    /// ```
    ///
    /// # Errors
    /// `Timeout` if jobs were still running when `timeout` passed.
    pub fn shutdown_default_executor(&self, timeout: Option<Duration>) -> Result<(), Error> {
        if self.core.is_running() {
            return Err(RuntimeError::AlreadyRunning.into());
        }
        if LoopPool::of(&self.core).shutdown(timeout) {
            Ok(())
        } else {
            Err(TimeoutError.into())
        }
    }

    /// A snapshot of this loop's blocking thread pool: live, idle and
    /// started threads, running and queued jobs.
    ///
    /// ```
    /// let lp = asyncio::EventLoop::builder().max_blocking_threads(4).build().unwrap();
    /// assert_eq!(lp.blocking_pool_stats().max_threads, 4);
    /// lp.run_until_complete(asyncio::to_thread(|| ())).unwrap().unwrap();
    /// assert_eq!(lp.blocking_pool_stats().threads_started, 1);
    /// lp.close().unwrap();
    /// ```
    pub fn blocking_pool_stats(&self) -> BlockingPoolStats {
        pool::stats(&self.core)
    }
}
