//! `to_thread` / `run_in_executor`: the loop's blocking thread pool.
//!
//! Synchronisation with pool threads uses gates (a mutex and a condition
//! variable) and channels; waits that depend on other threads are bounded
//! by a generous limit and only ever fail a test, never pace it.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::{Gate, new_log, push, run_virtual};
use asyncio::{
    BlockingPoolStats, Error, EventLoop, Runner, RuntimeError, create_task, sleep, to_thread,
    wait_for,
};

/// The bound for anything that waits on another thread.
const LIMIT: Duration = Duration::from_secs(5);

/// Polls `cond` on the loop (yielding between polls) until it holds;
/// panics after `LIMIT`.
async fn until(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < LIMIT, "timed out waiting until {what}");
        sleep(0.001).await;
    }
}

/// Polls `cond` on this thread (the loop is not running) until it holds.
fn until_blocking(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < LIMIT, "timed out waiting until {what}");
        thread::sleep(Duration::from_millis(1));
    }
}

fn stats() -> BlockingPoolStats {
    asyncio::get_running_loop().unwrap().blocking_pool_stats()
}

#[test]
fn to_thread_returns_the_result_computed_on_another_thread() {
    let (value, worker) =
        asyncio::run(async { to_thread(|| (6 * 7, thread::current().id())).await.unwrap() });
    assert_eq!(value, 42);
    assert_ne!(worker, thread::current().id());
}

#[test]
fn other_tasks_run_while_a_thread_blocks() {
    let log = new_log();
    let l = log.clone();
    asyncio::run(async move {
        let gate = Gate::default();
        let g = gate.clone();
        let l2 = l.clone();
        let ticker = create_task(async move {
            push(&l2, "ticker ran");
            g.open(); // the blocked thread can only finish after this
        });
        let out = to_thread(move || {
            gate.wait();
            "thread done"
        })
        .await
        .unwrap();
        push(&l, out);
        ticker.await.unwrap();
    });
    assert_eq!(*log.borrow(), ["ticker ran", "thread done"]);
}

#[test]
fn a_panic_in_the_function_is_err_panicked_and_the_pool_lives_on() {
    asyncio::run(async {
        match to_thread(|| -> u32 { panic!("blocking boom") }).await {
            Err(Error::Panicked(p)) => assert_eq!(p.message(), "blocking boom"),
            other => panic!("expected Err(Panicked), got {other:?}"),
        }
        assert_eq!(to_thread(|| 1).await.unwrap(), 1);
        assert_eq!(stats().threads_started, 1, "the thread survived the panic");
    });
}

#[test]
fn threads_start_lazily_and_are_reused() {
    let lp = EventLoop::new().unwrap();
    let before = lp.blocking_pool_stats();
    assert_eq!((before.threads, before.threads_started), (0, 0));
    let ids = lp
        .run_until_complete(async {
            let mut ids = HashSet::new();
            for _ in 0..10 {
                ids.insert(to_thread(|| thread::current().id()).await.unwrap());
            }
            ids
        })
        .unwrap();
    // One job at a time: the thread that ran the first runs them all.
    assert_eq!(ids.len(), 1);
    let after = lp.blocking_pool_stats();
    assert_eq!((after.threads_started, after.threads), (1, 1));
    lp.close().unwrap();
}

#[test]
fn the_pool_is_bounded() {
    let lp = EventLoop::builder()
        .max_blocking_threads(2)
        .build()
        .unwrap();
    let active = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let gate = Gate::default();
    let out = lp.run_until_complete({
        let (active, most, gate) = (active.clone(), most.clone(), gate.clone());
        async move {
            let tasks: Vec<_> = (0..4)
                .map(|i| {
                    let (active, most, gate) = (active.clone(), most.clone(), gate.clone());
                    create_task(to_thread(move || {
                        let now = active.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        gate.wait();
                        active.fetch_sub(1, Ordering::SeqCst);
                        i
                    }))
                })
                .collect();
            until("two jobs run and two wait", || {
                let s = stats();
                s.running == 2 && s.queued == 2
            })
            .await;
            let s = stats();
            assert_eq!((s.threads, s.threads_started), (2, 2));
            gate.open();
            let mut results = Vec::new();
            for task in tasks {
                results.push(task.await.unwrap().unwrap());
            }
            results
        }
    });
    assert_eq!(out.unwrap(), [0, 1, 2, 3]);
    assert_eq!(most.load(Ordering::SeqCst), 2, "never more than 2 at once");
    assert_eq!(lp.blocking_pool_stats().threads_started, 2);
    lp.close().unwrap();
}

#[test]
fn queued_jobs_start_in_fifo_order() {
    let lp = EventLoop::builder()
        .max_blocking_threads(1)
        .build()
        .unwrap();
    let order = Arc::new(Mutex::new(Vec::new()));
    let gate = Gate::default();
    let (o, g) = (order.clone(), gate.clone());
    lp.run_until_complete(async move {
        let tasks: Vec<_> = (0..5)
            .map(|i| {
                let (order, gate) = (o.clone(), g.clone());
                create_task(to_thread(move || {
                    gate.wait();
                    order.lock().unwrap().push(i);
                }))
            })
            .collect();
        until("one job runs and four wait", || {
            let s = stats();
            s.running == 1 && s.queued == 4
        })
        .await;
        gate.open();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
    })
    .unwrap();
    assert_eq!(*order.lock().unwrap(), [0, 1, 2, 3, 4]);
    lp.close().unwrap();
}

#[test]
fn idle_threads_retire_and_start_again_on_demand() {
    let lp = EventLoop::builder()
        .blocking_idle_timeout(Duration::from_millis(20))
        .build()
        .unwrap();
    assert_eq!(lp.run_until_complete(to_thread(|| 1)).unwrap().unwrap(), 1);
    until_blocking("the idle thread retired", || {
        lp.blocking_pool_stats().threads == 0
    });
    assert_eq!(lp.run_until_complete(to_thread(|| 2)).unwrap().unwrap(), 2);
    assert_eq!(lp.blocking_pool_stats().threads_started, 2);
    lp.close().unwrap();
}

#[test]
fn cancelling_the_awaiting_task_ends_the_await_and_drops_the_result() {
    struct Tracked(Arc<AtomicBool>);
    impl Drop for Tracked {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }
    let log = new_log();
    let l = log.clone();
    let gate = Gate::default();
    let finished = Arc::new(AtomicBool::new(false));
    let dropped = Arc::new(AtomicBool::new(false));
    let (g, f, d) = (gate.clone(), finished.clone(), dropped.clone());
    asyncio::run(async move {
        let l2 = l.clone();
        let waiter = create_task(async move {
            let out = to_thread(move || {
                g.wait();
                f.store(true, Ordering::SeqCst);
                Tracked(d)
            })
            .await;
            push(&l2, format!("await returned: {}", out.is_ok()));
        });
        until("the job runs", || stats().running == 1).await;
        waiter.cancel();
        let outcome = (&waiter).await;
        push(
            &l,
            format!("waiter cancelled: {}", outcome.unwrap_err().is_cancelled()),
        );
        // The thread cannot be interrupted: it finishes, unobserved.
        gate.open();
        until("the job finished", || stats().running == 0).await;
    });
    assert_eq!(*log.borrow(), ["waiter cancelled: true"]);
    assert!(finished.load(Ordering::SeqCst), "the job ran to its end");
    until_blocking("the result was dropped", || dropped.load(Ordering::SeqCst));
}

#[test]
fn a_job_cancelled_before_it_starts_never_runs() {
    let lp = EventLoop::builder()
        .max_blocking_threads(1)
        .build()
        .unwrap();
    let gate = Gate::default();
    let second_ran = Arc::new(AtomicBool::new(false));
    let (g, ran) = (gate.clone(), second_ran.clone());
    lp.run_until_complete(async move {
        let first = create_task(to_thread(move || g.wait()));
        let second = create_task(to_thread(move || ran.store(true, Ordering::SeqCst)));
        until("one job runs and one waits", || {
            let s = stats();
            s.running == 1 && s.queued == 1
        })
        .await;
        second.cancel();
        assert!((&second).await.unwrap_err().is_cancelled());
        gate.open();
        first.await.unwrap().unwrap();
    })
    .unwrap();
    lp.shutdown_default_executor(Some(LIMIT)).unwrap();
    assert!(!second_ran.load(Ordering::SeqCst));
    lp.close().unwrap();
}

#[test]
fn virtual_time_stands_still_while_a_thread_works() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let lp = asyncio::get_running_loop().unwrap();
        let l2 = l.clone();
        let lp2 = lp.clone();
        let sibling = create_task(async move {
            sleep(5).await;
            push(&l2, format!("sibling slept 5 at t={}", lp2.time()));
        });
        let out = wait_for(
            to_thread(|| {
                thread::sleep(Duration::from_millis(50)); // the work itself, not pacing
                7
            }),
            10.0,
        )
        .await;
        push(&l, format!("thread result {out:?} at t={}", lp.time()));
        sibling.await.unwrap();
        push(&l, format!("end at t={}", lp.time()));
    });
    assert_eq!(
        *log.borrow(),
        [
            "thread result Ok(Ok(7)) at t=0",
            "sibling slept 5 at t=5",
            "end at t=5",
        ]
    );
}

#[test]
fn virtual_time_moves_on_once_no_thread_result_is_awaited() {
    // A cancelled await no longer holds the clock, although its job may run on.
    let gate = Gate::default();
    let g = gate.clone();
    let out = run_virtual(async move {
        let lp = asyncio::get_running_loop().unwrap();
        let waiter = create_task(to_thread(move || g.wait()));
        sleep(0).await; // the waiter starts and submits the job
        waiter.cancel();
        let cancelled = (&waiter).await.unwrap_err().is_cancelled();
        sleep(2).await; // would wait for the gate if the job still held the clock
        let t = lp.time();
        gate.open();
        (cancelled, t)
    });
    assert_eq!(out, (true, 2.0));
}

#[test]
fn run_in_executor_starts_the_job_at_once() {
    let lp = EventLoop::new().unwrap();
    let (tx, rx) = mpsc::channel();
    let fut = lp.run_in_executor(move || {
        tx.send(thread::current().id()).unwrap();
        "from the executor"
    });
    // The loop has not run yet, but the job already did.
    let worker = rx
        .recv_timeout(LIMIT)
        .expect("the job started without the loop");
    assert_ne!(worker, thread::current().id());
    assert_eq!(
        lp.run_until_complete(fut).unwrap().unwrap(),
        "from the executor"
    );
    lp.close().unwrap();
}

#[test]
fn many_jobs_from_many_tasks_all_complete() {
    let sum = asyncio::run(async {
        let tasks: Vec<_> = (0..200u64)
            .map(|i| create_task(to_thread(move || i * 2)))
            .collect();
        let mut sum = 0;
        for task in tasks {
            sum += task.await.unwrap().unwrap();
        }
        sum
    });
    assert_eq!(sum, (0..200u64).map(|i| i * 2).sum());
}

#[test]
fn close_does_not_wait_for_a_running_job_and_drops_queued_ones() {
    let lp = EventLoop::builder()
        .max_blocking_threads(1)
        .build()
        .unwrap();
    let gate = Gate::default();
    let g = gate.clone();
    let queued_ran = Arc::new(AtomicBool::new(false));
    let q = queued_ran.clone();
    let running = lp.run_in_executor(move || g.wait());
    let queued = lp.run_in_executor(move || q.store(true, Ordering::SeqCst));
    until_blocking("the first job runs", || {
        let s = lp.blocking_pool_stats();
        s.running == 1 && s.queued == 1
    });
    lp.close().unwrap(); // returns although a job is blocked
    assert_eq!(lp.blocking_pool_stats().queued, 0);
    drop((running, queued));
    gate.open();
    until_blocking("the pool thread exited", || {
        lp.blocking_pool_stats().threads == 0
    });
    assert!(!queued_ran.load(Ordering::SeqCst));
}

#[test]
fn run_in_executor_on_a_closed_loop_is_err_closed() {
    let lp = EventLoop::new().unwrap();
    lp.close().unwrap();
    let fut = lp.run_in_executor(|| 1);
    // Nothing can await it on a closed loop; a plain poll shows the outcome.
    let out = poll_once(fut);
    assert!(
        matches!(out, Some(Err(Error::Runtime(RuntimeError::Closed)))),
        "{out:?}"
    );
}

fn poll_once<F: std::future::Future>(fut: F) -> Option<F::Output> {
    let mut fut = std::pin::pin!(fut);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match fut.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(out) => Some(out),
        std::task::Poll::Pending => None,
    }
}

#[test]
fn shutdown_default_executor_waits_then_refuses_new_work() {
    let lp = EventLoop::new().unwrap();
    let gate = Gate::default();
    let g = gate.clone();
    let fut = lp.run_in_executor(move || {
        g.wait();
        "done"
    });
    until_blocking("the job runs", || lp.blocking_pool_stats().running == 1);
    let waited = lp.shutdown_default_executor(Some(Duration::from_millis(10)));
    assert!(
        waited.unwrap_err().is_timeout(),
        "a stuck job is not waited for forever"
    );
    gate.open();
    // The job still finishes, and its awaiter still gets the result.
    assert_eq!(lp.run_until_complete(fut).unwrap().unwrap(), "done");
    let late = lp.run_until_complete(to_thread(|| ())).unwrap();
    assert!(
        matches!(late, Err(Error::Runtime(RuntimeError::ExecutorShutdown))),
        "{late:?}"
    );
    let refused = lp.run_until_complete(async {
        asyncio::get_running_loop()
            .unwrap()
            .shutdown_default_executor(None)
    });
    assert!(matches!(
        refused.unwrap(),
        Err(Error::Runtime(RuntimeError::AlreadyRunning))
    ));
    lp.close().unwrap();
}

#[test]
fn asyncio_run_waits_for_running_jobs_before_closing() {
    let finished = Arc::new(AtomicBool::new(false));
    let f = finished.clone();
    asyncio::run(async move {
        let started = Arc::new(AtomicBool::new(false));
        let s = started.clone();
        // Detached: main returns while the job still runs.
        drop(create_task(to_thread(move || {
            s.store(true, Ordering::SeqCst);
            thread::sleep(Duration::from_millis(20)); // the work itself
            f.store(true, Ordering::SeqCst);
        })));
        until("the job started", || started.load(Ordering::SeqCst)).await;
    });
    assert!(
        finished.load(Ordering::SeqCst),
        "asyncio::run waited for the job"
    );
}

#[test]
fn runner_gives_up_on_a_stuck_job_after_its_bound() {
    let gate = Gate::default();
    let g = gate.clone();
    let finished = Arc::new(AtomicBool::new(false));
    let f = finished.clone();
    Runner::new()
        .executor_shutdown_timeout(Duration::from_millis(10))
        .run(async move {
            drop(create_task(to_thread(move || {
                g.wait();
                f.store(true, Ordering::SeqCst);
            })));
            until("the job runs", || stats().running == 1).await;
        });
    // `run` returned although the job is still blocked.
    assert!(!finished.load(Ordering::SeqCst));
    gate.open();
    until_blocking("the job finished", || finished.load(Ordering::SeqCst));
}
