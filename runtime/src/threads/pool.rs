//! The loop's blocking thread pool: where `to_thread` and
//! `run_in_executor` run their functions (CPython's default
//! `ThreadPoolExecutor`). The loop holds it as its `Offload`, made on first
//! use, and asks it how many jobs are outstanding.
//!
//! Threads start lazily — only when a job is queued and no idle thread is
//! free — up to a cap, and retire after staying idle for a while. Jobs are
//! served FIFO. A job is type-erased work that reports its own outcome to
//! the loop; the pool only runs it, or abandons it (with the reason) when it
//! can never run.
//!
//! Shutting the pool down abandons the queued jobs and lets idle threads
//! exit; a running job finishes on its thread, which then exits. Nothing
//! here ever joins a thread, so the loop cannot hang on a job that never
//! ends; [`BlockingPool::wait_drained`] waits for running jobs with a bound.

use std::cell::Cell;
use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::error::{Error, Exception, RuntimeError};
use crate::scheduler::{Core, CoreOptions, Offload};

/// Work for a pool thread.
pub(crate) trait Job: Send + 'static {
    /// Runs the work on a pool thread, keeping its outcome.
    fn run(&mut self);
    /// Hands the outcome over. The thread counts itself idle first, so work
    /// submitted in reaction to this outcome reuses it.
    fn deliver(self: Box<Self>);
    /// The work will never run; `why` is the error its awaiter gets.
    fn abandon(self: Box<Self>, why: Error);
}

/// How a loop's pool is sized.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PoolConfig {
    pub(crate) max_threads: usize,
    pub(crate) idle_timeout: Duration,
}

impl PoolConfig {
    /// The loop's options, else CPython's `ThreadPoolExecutor` cap,
    /// `min(32, cpus + 4)`, and a 10 s idle timeout.
    fn of(options: &CoreOptions) -> Self {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        PoolConfig {
            max_threads: options
                .max_blocking_threads
                .unwrap_or((cpus + 4).min(32))
                .max(1),
            idle_timeout: options
                .blocking_idle_timeout
                .unwrap_or(Duration::from_secs(10)),
        }
    }
}

/// A loop's pool as the loop uses it: the pool, made on first use, and the
/// jobs whose outcome the loop still expects.
pub(crate) struct LoopPool {
    pool: BlockingPool,
    /// Submitted jobs not yet delivered or given up: while non-zero a
    /// virtual clock does not jump ahead (see `Offload`).
    outstanding: Cell<usize>,
}

impl LoopPool {
    /// The pool of `core`, made now if it has none yet.
    pub(crate) fn of(core: &Rc<Core>) -> &LoopPool {
        let offload = core.offload_or_init(|| {
            Box::new(LoopPool {
                pool: BlockingPool::new(PoolConfig::of(core.options())),
                outstanding: Cell::new(0),
            })
        });
        let any: &dyn std::any::Any = offload;
        any.downcast_ref()
            .expect("a loop's offload is its blocking pool")
    }

    /// Sends `job` to the pool and counts it as outstanding until
    /// [`end`](Self::end); false (the job abandoned, not counted) if the
    /// loop is closed. A shut-down pool abandons the job itself, which then
    /// reports back like any finished job.
    pub(crate) fn submit(&self, core: &Core, job: Box<dyn Job>) -> bool {
        if core.is_closed() {
            job.abandon(RuntimeError::Closed.into());
            return false;
        }
        self.outstanding.set(self.outstanding.get() + 1);
        self.pool.submit(job);
        true
    }

    /// One outstanding job was delivered or given up.
    pub(crate) fn end(&self) {
        self.outstanding
            .set(self.outstanding.get().saturating_sub(1));
    }

    /// Waits (blocking this thread) for the queued and running jobs, then
    /// shuts the pool down; false if `timeout` passed first (the pool is
    /// shut down anyway, the late jobs' results are dropped).
    pub(crate) fn shutdown(&self, timeout: Option<Duration>) -> bool {
        let drained = self.pool.wait_drained(timeout);
        self.pool.shutdown(RuntimeError::ExecutorShutdown.into());
        drained
    }

    pub(crate) fn stats(&self) -> BlockingPoolStats {
        self.pool.stats()
    }
}

impl Offload for LoopPool {
    fn outstanding(&self) -> usize {
        self.outstanding.get()
    }

    fn close(&self) {
        self.pool.shutdown(RuntimeError::Closed.into());
    }
}

/// The pool statistics of a loop that may not have made its pool yet.
pub(crate) fn stats(core: &Rc<Core>) -> BlockingPoolStats {
    match core.offload() {
        Some(_) => LoopPool::of(core).stats(),
        None => BlockingPoolStats {
            max_threads: PoolConfig::of(core.options()).max_threads,
            ..BlockingPoolStats::default()
        },
    }
}

/// A snapshot of a loop's blocking thread pool, from
/// [`EventLoop::blocking_pool_stats`](crate::EventLoop::blocking_pool_stats).
///
/// ```
/// let lp = asyncio::EventLoop::builder().max_blocking_threads(2).build().unwrap();
/// let stats = lp.blocking_pool_stats();
/// assert_eq!((stats.threads, stats.threads_started), (0, 0)); // lazy
/// assert_eq!(stats.max_threads, 2);
/// let v = lp.run_until_complete(asyncio::to_thread(|| 21 * 2)).unwrap();
/// assert_eq!(v.unwrap(), 42);
/// assert_eq!(lp.blocking_pool_stats().threads_started, 1);
/// lp.close().unwrap();
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BlockingPoolStats {
    /// Threads alive now (running a job or idle).
    pub threads: usize,
    /// Threads waiting for work.
    pub idle_threads: usize,
    /// Jobs running on a thread now.
    pub running: usize,
    /// Jobs waiting for a thread.
    pub queued: usize,
    /// Threads started since the loop was made.
    pub threads_started: usize,
    /// The most threads the pool runs at once.
    pub max_threads: usize,
}

struct State {
    queue: VecDeque<Box<dyn Job>>,
    /// Live threads.
    threads: usize,
    /// Threads waiting for work that no submit has claimed yet.
    idle: usize,
    /// Wake-ups handed to idle threads and not yet taken by one.
    notified: usize,
    running: usize,
    /// Jobs that ran and are handing their outcome over: not drained yet.
    delivering: usize,
    started: usize,
    shutdown: bool,
}

impl State {
    /// No job is queued, running or still delivering its outcome.
    fn drained(&self) -> bool {
        self.running == 0 && self.delivering == 0 && self.queue.is_empty()
    }
}

struct Inner {
    state: Mutex<State>,
    /// Idle threads wait here for work.
    work: Condvar,
    /// `wait_drained` waits here for the last running job.
    drained: Condvar,
    config: PoolConfig,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A loop's blocking pool; dropping it shuts the pool down.
pub(crate) struct BlockingPool {
    inner: Arc<Inner>,
}

impl BlockingPool {
    /// A pool with no threads yet.
    fn new(config: PoolConfig) -> Self {
        BlockingPool {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    queue: VecDeque::new(),
                    threads: 0,
                    idle: 0,
                    notified: 0,
                    running: 0,
                    delivering: 0,
                    started: 0,
                    shutdown: false,
                }),
                work: Condvar::new(),
                drained: Condvar::new(),
                config,
            }),
        }
    }

    /// Queues `job`: an idle thread takes it, else a new thread starts if
    /// the cap allows, else it waits for a busy thread. After shutdown the
    /// job is abandoned at once with `ExecutorShutdown`.
    pub(crate) fn submit(&self, job: Box<dyn Job>) {
        let mut state = self.inner.lock();
        if state.shutdown {
            drop(state);
            job.abandon(RuntimeError::ExecutorShutdown.into());
            return;
        }
        state.queue.push_back(job);
        if state.idle > 0 {
            state.idle -= 1;
            state.notified += 1;
            drop(state);
            self.inner.work.notify_one();
            return;
        }
        if state.threads >= self.inner.config.max_threads {
            return;
        }
        state.threads += 1;
        state.started += 1;
        drop(state);
        let inner = self.inner.clone();
        let spawned = std::thread::Builder::new()
            .name("asyncio-blocking".into())
            .spawn(move || worker(inner));
        if let Err(err) = spawned {
            let mut state = self.inner.lock();
            state.threads -= 1;
            state.started -= 1;
            // With another thread alive the queue still drains; with none,
            // nothing would ever run the queued jobs: fail them now.
            let orphans: Vec<_> = if state.threads == 0 {
                state.queue.drain(..).collect()
            } else {
                Vec::new()
            };
            drop(state);
            let why = Error::Exception(Exception::new(err));
            for job in orphans {
                job.abandon(why.clone());
            }
        }
    }

    /// No new jobs; queued ones are abandoned with `why`, idle threads
    /// exit, running jobs finish and their threads exit after them.
    pub(crate) fn shutdown(&self, why: Error) {
        let mut state = self.inner.lock();
        state.shutdown = true;
        let queued: Vec<_> = state.queue.drain(..).collect();
        let drained = state.drained();
        drop(state);
        self.inner.work.notify_all();
        if drained {
            self.inner.drained.notify_all();
        }
        for job in queued {
            job.abandon(why.clone());
        }
    }

    /// Waits until no job is queued or running, for at most `timeout`
    /// (`None`: no limit); true if that point was reached.
    pub(crate) fn wait_drained(&self, timeout: Option<Duration>) -> bool {
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        let mut state = self.inner.lock();
        loop {
            if state.drained() {
                return true;
            }
            state = match deadline {
                None => self
                    .inner
                    .drained
                    .wait(state)
                    .unwrap_or_else(|e| e.into_inner()),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return false;
                    }
                    self.inner
                        .drained
                        .wait_timeout(state, deadline - now)
                        .unwrap_or_else(|e| e.into_inner())
                        .0
                }
            };
        }
    }

    pub(crate) fn stats(&self) -> BlockingPoolStats {
        let state = self.inner.lock();
        BlockingPoolStats {
            threads: state.threads,
            // Claimed-but-not-yet-awake threads count as busy.
            idle_threads: state.idle,
            running: state.running,
            queued: state.queue.len(),
            threads_started: state.started,
            max_threads: self.inner.config.max_threads,
        }
    }
}

impl Drop for BlockingPool {
    fn drop(&mut self) {
        self.shutdown(RuntimeError::Closed.into());
    }
}

/// A pool thread: runs queued jobs, idles, retires after the idle timeout.
fn worker(inner: Arc<Inner>) {
    let mut state = inner.lock();
    'work: loop {
        let mut counted_idle = false;
        while let Some(mut job) = state.queue.pop_front() {
            state.running += 1;
            drop(state);
            // Jobs catch their own panics; this only keeps the counts right.
            let _ = catch_unwind(AssertUnwindSafe(|| job.run()));
            state = inner.lock();
            state.running -= 1;
            state.delivering += 1;
            counted_idle = state.queue.is_empty() && !state.shutdown;
            if counted_idle {
                state.idle += 1;
            }
            drop(state);
            let _ = catch_unwind(AssertUnwindSafe(|| job.deliver()));
            state = inner.lock();
            state.delivering -= 1;
            if state.drained() {
                inner.drained.notify_all();
            }
            if counted_idle {
                break;
            }
        }
        if !counted_idle {
            if state.shutdown {
                break;
            }
            state.idle += 1;
        }
        let deadline = Instant::now() + inner.config.idle_timeout;
        loop {
            if state.notified > 0 {
                // A submit took this thread out of the idle count.
                state.notified -= 1;
                continue 'work;
            }
            if state.shutdown || Instant::now() >= deadline {
                state.idle -= 1;
                break 'work;
            }
            let now = Instant::now();
            state = inner
                .work
                .wait_timeout(state, deadline.saturating_duration_since(now))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
    state.threads -= 1;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;

    struct Report(mpsc::Sender<Result<usize, String>>, usize);

    impl Job for Report {
        fn run(&mut self) {}
        fn deliver(self: Box<Self>) {
            let _ = self.0.send(Ok(self.1));
        }
        fn abandon(self: Box<Self>, why: Error) {
            let _ = self.0.send(Err(why.to_string()));
        }
    }

    fn pool(max_threads: usize, idle_timeout: Duration) -> BlockingPool {
        BlockingPool::new(PoolConfig {
            max_threads,
            idle_timeout,
        })
    }

    #[test]
    fn runs_jobs_and_reuses_an_idle_thread() {
        let pool = pool(4, Duration::from_secs(60));
        let (tx, rx) = mpsc::channel();
        for i in 0..5 {
            pool.submit(Box::new(Report(tx.clone(), i)));
            assert_eq!(rx.recv().unwrap(), Ok(i));
            assert!(pool.wait_drained(None));
        }
        // One job at a time: the first thread served them all.
        assert_eq!(pool.stats().threads_started, 1);
    }

    #[test]
    fn shutdown_abandons_queued_jobs() {
        let pool = pool(1, Duration::from_secs(60));
        let (tx, rx) = mpsc::channel();
        let (gate_tx, gate_rx) = mpsc::channel::<()>();
        struct Blocker(mpsc::Receiver<()>, Arc<AtomicUsize>);
        impl Job for Blocker {
            fn run(&mut self) {
                self.1.fetch_add(1, Ordering::SeqCst);
                let _ = self.0.recv();
            }
            fn deliver(self: Box<Self>) {}
            fn abandon(self: Box<Self>, _: Error) {}
        }
        let started = Arc::new(AtomicUsize::new(0));
        pool.submit(Box::new(Blocker(gate_rx, started.clone())));
        pool.submit(Box::new(Report(tx, 1)));
        pool.shutdown(RuntimeError::Closed.into());
        assert_eq!(rx.recv().unwrap(), Err("the event loop is closed".into()));
        pool.submit(Box::new(Report(mpsc::channel().0, 2)));
        drop(gate_tx);
        assert!(pool.wait_drained(Some(Duration::from_secs(30))));
    }
}
