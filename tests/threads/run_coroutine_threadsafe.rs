//! `run_coroutine_threadsafe`: coroutines submitted from other threads, and
//! the `ConcurrentFuture` they return.
//!
//! Cross-thread steps are ordered with channels and gates; a wait on another
//! thread is bounded by a generous limit that only ever fails a test.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::{self, JoinHandle, ThreadId};
use std::time::Duration;

use crate::common::Gate;
use asyncio::{
    ConcurrentFuture, Error, EventLoop, LoopHandle, RuntimeError, catch_cancelled, finally,
    get_running_loop, run_coroutine_threadsafe, sleep, to_thread,
};

const LIMIT: Duration = Duration::from_secs(5);

/// A loop running forever on its own thread, stopped and closed on drop.
struct LoopThread {
    handle: LoopHandle,
    id: ThreadId,
    thread: Option<JoinHandle<()>>,
}

impl LoopThread {
    fn start() -> Self {
        let (tx, rx) = mpsc::channel();
        let thread = thread::spawn(move || {
            let lp = EventLoop::new().unwrap();
            tx.send((lp.handle(), thread::current().id())).unwrap();
            lp.run_forever().unwrap();
            lp.close().unwrap();
        });
        let (handle, id) = rx.recv().unwrap();
        LoopThread {
            handle,
            id,
            thread: Some(thread),
        }
    }
}

impl Drop for LoopThread {
    fn drop(&mut self) {
        self.handle.stop();
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
    }
}

#[test]
fn concurrent_future_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<ConcurrentFuture<String>>();
}

#[test]
fn the_result_comes_back_to_the_calling_thread() {
    let lt = LoopThread::start();
    let fut = run_coroutine_threadsafe(
        || async {
            sleep(0.01).await;
            3
        },
        &lt.handle,
    );
    assert_eq!(fut.result(Some(LIMIT)).unwrap(), 3);
    assert!(fut.done() && !fut.cancelled());
    // The value was moved out; asking again is an error, not a block.
    assert!(matches!(fut.result(None), Err(Error::InvalidState(_))));
}

#[test]
fn the_coroutine_runs_as_a_task_on_the_loop_thread() {
    let lt = LoopThread::start();
    let fut = run_coroutine_threadsafe(
        || async {
            let task = asyncio::current_task().map(|t| t.get_name());
            (thread::current().id(), task.is_ok())
        },
        &lt.handle,
    );
    assert_eq!(fut.result(Some(LIMIT)).unwrap(), (lt.id, true));
}

#[test]
fn many_threads_submit_at_once() {
    let lt = LoopThread::start();
    let submitters: Vec<_> = (0..8u64)
        .map(|t| {
            let handle = lt.handle.clone();
            thread::spawn(move || {
                let futs: Vec<_> = (0..50u64)
                    .map(|i| {
                        run_coroutine_threadsafe(
                            move || async move {
                                sleep(0).await;
                                t * 1000 + i
                            },
                            &handle,
                        )
                    })
                    .collect();
                futs.iter()
                    .map(|f| f.result(Some(LIMIT)).unwrap())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for (t, submitter) in submitters.into_iter().enumerate() {
        let expected: Vec<u64> = (0..50).map(|i| t as u64 * 1000 + i).collect();
        assert_eq!(submitter.join().unwrap(), expected);
    }
}

#[test]
fn result_with_a_timeout_times_out_while_the_task_keeps_running() {
    let lt = LoopThread::start();
    let gate = Gate::default();
    let g = gate.clone();
    let fut = run_coroutine_threadsafe(
        move || async move {
            to_thread(move || g.wait()).await.unwrap();
            "finished"
        },
        &lt.handle,
    );
    let waited = fut.result(Some(Duration::from_millis(10)));
    assert!(matches!(waited, Err(Error::Timeout(_))), "{waited:?}");
    assert!(!fut.done(), "a timeout does not cancel the task");
    gate.open();
    assert_eq!(fut.result(Some(LIMIT)).unwrap(), "finished");
}

#[test]
fn cancel_from_another_thread_cancels_the_task() {
    let lt = LoopThread::start();
    let (tx, rx) = mpsc::channel();
    let fut = run_coroutine_threadsafe(
        move || async move {
            let cleanup_tx = tx.clone();
            let _cleanup = finally(async move {
                cleanup_tx.send("cleanup ran").unwrap();
            });
            tx.send("started").unwrap();
            sleep(3600).await;
            tx.send("not reached").unwrap();
        },
        &lt.handle,
    );
    assert_eq!(rx.recv_timeout(LIMIT).unwrap(), "started");
    assert!(fut.cancel());
    assert!(fut.done() && fut.cancelled());
    assert!(matches!(fut.result(None), Err(Error::Cancelled(_))));
    // The cancellation reached the task at its await: its cleanup ran.
    assert_eq!(rx.recv_timeout(LIMIT).unwrap(), "cleanup ran");
    assert!(!fut.cancel(), "already done");
    // The task is gone from the loop: only the task asking is left.
    let left =
        run_coroutine_threadsafe(|| async { asyncio::all_tasks().unwrap().len() }, &lt.handle);
    assert_eq!(left.result(Some(LIMIT)).unwrap(), 1);
    drop(lt);
    assert!(rx.try_iter().all(|m| m != "not reached"));
}

#[test]
fn a_task_that_catches_the_cancellation_is_still_reported_cancelled() {
    // As in Python: the concurrent future is cancelled at once; the task's
    // own value (it caught the cancellation) is dropped.
    let lt = LoopThread::start();
    let (tx, rx) = mpsc::channel();
    let fut = run_coroutine_threadsafe(
        move || async move {
            tx.send("started").unwrap();
            match catch_cancelled(sleep(3600)).await {
                Ok(()) => 0,
                Err(_) => {
                    tx.send("caught").unwrap();
                    5
                }
            }
        },
        &lt.handle,
    );
    assert_eq!(rx.recv_timeout(LIMIT).unwrap(), "started");
    assert!(fut.cancel());
    assert_eq!(rx.recv_timeout(LIMIT).unwrap(), "caught");
    assert!(matches!(fut.result(None), Err(Error::Cancelled(_))));
}

#[test]
fn cancel_before_the_task_starts_means_it_never_runs() {
    let lp = EventLoop::new().unwrap();
    let ran = Arc::new(AtomicBool::new(false));
    let r = ran.clone();
    let fut = run_coroutine_threadsafe(
        move || async move { r.store(true, Ordering::SeqCst) },
        &lp.handle(),
    );
    assert!(fut.cancel());
    lp.run_until_complete(sleep(0.01)).unwrap();
    assert!(!ran.load(Ordering::SeqCst));
    assert!(lp.all_tasks().is_empty());
    assert!(fut.cancelled());
    lp.close().unwrap();
}

#[test]
fn a_panic_in_the_coroutine_or_its_factory_is_err_panicked() {
    let lt = LoopThread::start();
    let fut = run_coroutine_threadsafe(
        || async {
            sleep(0).await;
            panic!("remote boom");
        },
        &lt.handle,
    );
    match fut.result(Some(LIMIT)) {
        Err(Error::Panicked(p)) => assert_eq!(p.message(), "remote boom"),
        other => panic!("expected Err(Panicked), got {other:?}"),
    }
    let fut = run_coroutine_threadsafe(
        || -> std::future::Ready<u32> { panic!("factory boom") },
        &lt.handle,
    );
    match fut.result(Some(LIMIT)) {
        Err(Error::Panicked(p)) => assert_eq!(p.message(), "factory boom"),
        other => panic!("expected Err(Panicked), got {other:?}"),
    }
    // The loop lives on.
    let fut = run_coroutine_threadsafe(|| async { "still running" }, &lt.handle);
    assert_eq!(fut.result(Some(LIMIT)).unwrap(), "still running");
}

fn is_closed<T>(out: Result<T, Error>) -> bool {
    matches!(out, Err(Error::Runtime(RuntimeError::Closed)))
}

#[test]
fn submitting_to_a_closed_loop_is_err_closed_at_once() {
    let lp = EventLoop::new().unwrap();
    let handle = lp.handle();
    lp.close().unwrap();
    let fut = thread::spawn(move || {
        let fut = run_coroutine_threadsafe(|| async { 1 }, &handle);
        assert!(fut.done());
        fut.result(None)
    });
    assert!(is_closed(fut.join().unwrap()));
}

#[test]
fn a_loop_closed_before_it_runs_the_task_gives_err_closed() {
    let lp = EventLoop::new().unwrap();
    let handle = lp.handle();
    let fut = thread::spawn(move || run_coroutine_threadsafe(|| async { 1 }, &handle))
        .join()
        .unwrap();
    assert!(!fut.done());
    lp.close().unwrap();
    assert!(is_closed(fut.result(None)));
}

#[test]
fn a_loop_closed_while_the_task_is_pending_gives_err_closed() {
    let lp = EventLoop::new().unwrap();
    let fut = run_coroutine_threadsafe(|| sleep(3600), &lp.handle());
    lp.run_until_complete(sleep(0.01)).unwrap();
    assert_eq!(lp.all_tasks().len(), 1, "the task is running");
    lp.close().unwrap();
    let waiter = thread::spawn(move || fut.result(None));
    assert!(is_closed(waiter.join().unwrap()));
}

#[test]
fn a_loop_dropped_without_close_gives_err_closed() {
    let lp = EventLoop::new().unwrap();
    let handle = lp.handle();
    let fut = run_coroutine_threadsafe(|| async { 1 }, &handle);
    drop(lp);
    assert!(handle.is_closed());
    let waiter = thread::spawn(move || fut.result(None));
    assert!(is_closed(waiter.join().unwrap()));
}

#[test]
fn result_on_the_loops_own_thread_is_an_error_not_a_deadlock() {
    let out = asyncio::run(async {
        let handle = get_running_loop().unwrap().handle();
        let fut = run_coroutine_threadsafe(|| async { 1 }, &handle);
        let blocked = fut.result(None);
        let blocked_with_timeout = fut.result(Some(Duration::from_secs(1)));
        // Awaiting lets the loop run the task; then result() has a value.
        for _ in 0..10 {
            if fut.done() {
                break;
            }
            sleep(0).await;
        }
        (blocked, blocked_with_timeout, fut.result(None))
    });
    let would_deadlock =
        |r: &Result<i32, Error>| matches!(r, Err(Error::Runtime(RuntimeError::WouldDeadlock)));
    assert!(would_deadlock(&out.0), "{:?}", out.0);
    assert!(would_deadlock(&out.1), "{:?}", out.1);
    assert_eq!(out.2.unwrap(), 1);
    let message = RuntimeError::WouldDeadlock.to_string();
    assert!(message.contains("deadlock"), "{message}");
}

#[test]
fn result_on_the_loops_thread_while_it_is_not_running_is_an_error_too() {
    let lp = EventLoop::new().unwrap();
    let fut = run_coroutine_threadsafe(|| async { 1 }, &lp.handle());
    assert!(matches!(
        fut.result(None),
        Err(Error::Runtime(RuntimeError::WouldDeadlock))
    ));
    lp.run_until_complete(sleep(0.01)).unwrap();
    assert_eq!(fut.result(None).unwrap(), 1);
    lp.close().unwrap();
}

#[test]
fn dropping_the_handle_leaves_the_task_running() {
    let lt = LoopThread::start();
    let (tx, rx) = mpsc::channel();
    drop(run_coroutine_threadsafe(
        move || async move {
            sleep(0.01).await;
            tx.send("finished anyway").unwrap();
        },
        &lt.handle,
    ));
    assert_eq!(rx.recv_timeout(LIMIT).unwrap(), "finished anyway");
}
