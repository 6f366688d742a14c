//! Reaching a loop from other threads: `LoopHandle` and `Send` wakers.
//!
//! A watchdog thread stops the loop if a test would otherwise hang; it is a
//! failure guard only (the tests assert it never fired), never a timing
//! assertion.

use std::cell::RefCell;
use std::future::Future as StdFuture;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::thread;
use std::time::Duration;

use asyncio::{EventLoop, Future, LoopHandle, RuntimeError, get_running_loop, sleep};

/// Stops the loop after a generous delay if the test has not finished.
struct Watchdog {
    done: Option<mpsc::Sender<()>>,
    fired: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Watchdog {
    const LIMIT: Duration = Duration::from_secs(30);

    fn start(handle: LoopHandle) -> Self {
        let (done, rx) = mpsc::channel::<()>();
        let fired = Arc::new(AtomicBool::new(false));
        let f = fired.clone();
        let thread = thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(Self::LIMIT) {
                f.store(true, Ordering::SeqCst);
                handle.stop();
            }
        });
        Watchdog {
            done: Some(done),
            fired,
            thread: Some(thread),
        }
    }

    fn fired(&self) -> bool {
        self.fired.load(Ordering::SeqCst)
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        drop(self.done.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Lets the loop reach its blocking OS wait before the other thread acts
/// (not required for correctness, only to exercise the blocked case).
fn brief_pause() {
    thread::sleep(Duration::from_millis(5));
}

#[test]
fn loop_handle_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<LoopHandle>();
    assert_send_sync::<std::task::Waker>();
}

#[test]
fn call_soon_threadsafe_wakes_a_loop_blocked_in_the_os() {
    let lp = EventLoop::new().unwrap();
    let handle = lp.handle();
    let watchdog = Watchdog::start(handle.clone());
    let log = Arc::new(Mutex::new(Vec::new()));
    let loop_thread = thread::current().id();
    let l = log.clone();
    let sender = thread::spawn(move || {
        brief_pause();
        handle
            .call_soon_threadsafe(move || {
                let on_loop_thread = thread::current().id() == loop_thread;
                l.lock()
                    .unwrap()
                    .push(format!("callback on loop thread: {on_loop_thread}"));
                get_running_loop().unwrap().stop();
            })
            .unwrap();
    });
    // Nothing else to do: the loop blocks in the OS until the callback.
    lp.run_forever().unwrap();
    sender.join().unwrap();
    assert!(
        !watchdog.fired(),
        "the loop was not woken by the other thread"
    );
    assert_eq!(*log.lock().unwrap(), ["callback on loop thread: true"]);
}

thread_local! {
    static SLOT: RefCell<Option<Future<u32>>> = const { RefCell::new(None) };
}

#[test]
fn call_soon_threadsafe_can_complete_run_until_complete() {
    let lp = EventLoop::new().unwrap();
    let handle = lp.handle();
    let watchdog = Watchdog::start(handle.clone());
    let out = lp.run_until_complete(async move {
        let fut: Future<u32> = Future::new();
        SLOT.with(|s| *s.borrow_mut() = Some(fut.clone()));
        let t = thread::spawn(move || {
            brief_pause();
            handle
                .call_soon_threadsafe(|| {
                    SLOT.with(|s| s.borrow().as_ref().unwrap().set_result(7).unwrap());
                })
                .unwrap();
        });
        let v = fut.await;
        t.join().unwrap();
        v
    });
    assert!(!watchdog.fired());
    assert_eq!(out.unwrap().unwrap(), 7);
}

#[test]
fn threadsafe_callbacks_from_one_thread_run_in_order() {
    let lp = EventLoop::new().unwrap();
    let handle = lp.handle();
    let watchdog = Watchdog::start(handle.clone());
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    let sender = thread::spawn(move || {
        for i in 0..100 {
            let l = l.clone();
            handle
                .call_soon_threadsafe(move || l.lock().unwrap().push(i))
                .unwrap();
        }
        handle
            .call_soon_threadsafe(|| get_running_loop().unwrap().stop())
            .unwrap();
    });
    lp.run_forever().unwrap();
    sender.join().unwrap();
    assert!(!watchdog.fired());
    assert_eq!(*log.lock().unwrap(), (0..100).collect::<Vec<_>>());
}

#[test]
fn loop_handle_stop_from_another_thread_stops_run_forever() {
    let lp = EventLoop::new().unwrap();
    let handle = lp.handle();
    let watchdog = Watchdog::start(handle.clone());
    let stopper = thread::spawn(move || {
        brief_pause();
        handle.stop();
    });
    lp.run_forever().unwrap();
    stopper.join().unwrap();
    assert!(!watchdog.fired(), "LoopHandle::stop did not stop the loop");
    assert!(!lp.is_running());
    // The loop is usable afterwards.
    assert_eq!(lp.run_until_complete(async { 1 }).unwrap(), 1);
}

#[test]
fn loop_handle_stop_before_run_forever_stops_it_promptly() {
    let lp = EventLoop::builder().virtual_time(true).build().unwrap();
    let handle = lp.handle();
    let watchdog = Watchdog::start(handle.clone());
    thread::spawn(move || handle.stop()).join().unwrap();
    let ran = Rc::new(RefCell::new(Vec::new()));
    let r = ran.clone();
    lp.call_later(100.0, move || r.borrow_mut().push("far timer"));
    lp.run_forever().unwrap();
    assert!(!watchdog.fired());
    assert!(ran.borrow().is_empty());
    assert_eq!(lp.time(), 0.0);
}

#[test]
fn call_soon_threadsafe_after_close_is_closed() {
    let lp = EventLoop::new().unwrap();
    let handle = lp.handle();
    assert!(!handle.is_closed());
    lp.close().unwrap();
    assert!(handle.is_closed());
    assert_eq!(
        handle.call_soon_threadsafe(|| {}),
        Err(RuntimeError::Closed)
    );
    let from_thread = thread::spawn(move || handle.call_soon_threadsafe(|| {}))
        .join()
        .unwrap();
    assert_eq!(from_thread, Err(RuntimeError::Closed));
}

/// A future that hands its waker to another thread, which wakes it.
struct WokenByThread {
    ready: Arc<AtomicBool>,
    polls: Arc<AtomicUsize>,
    thread: Option<thread::JoinHandle<()>>,
}

impl StdFuture for WokenByThread {
    type Output = usize;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        self.polls.fetch_add(1, Ordering::SeqCst);
        if self.ready.load(Ordering::SeqCst) {
            if let Some(t) = self.thread.take() {
                t.join().unwrap();
            }
            return Poll::Ready(self.polls.load(Ordering::SeqCst));
        }
        if self.thread.is_none() {
            let waker = cx.waker().clone();
            let ready = self.ready.clone();
            self.thread = Some(thread::spawn(move || {
                brief_pause();
                ready.store(true, Ordering::SeqCst);
                waker.wake();
            }));
        }
        Poll::Pending
    }
}

#[test]
fn a_waker_woken_from_another_thread_reschedules_the_task() {
    let lp = EventLoop::new().unwrap();
    let watchdog = Watchdog::start(lp.handle());
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    let out = lp.run_until_complete(async move {
        let task = asyncio::create_task(async move {
            let polls = WokenByThread {
                ready: Arc::new(AtomicBool::new(false)),
                polls: Arc::new(AtomicUsize::new(0)),
                thread: None,
            }
            .await;
            l.borrow_mut().push("woken");
            polls
        });
        task.await.unwrap()
    });
    assert!(!watchdog.fired(), "the cross-thread wake was lost");
    let polls = out.unwrap();
    assert!(polls >= 2, "polled {polls} times");
    assert_eq!(*log.borrow(), ["woken"]);
}

#[test]
fn cross_thread_wakes_interleave_with_local_work() {
    // A task woken from another thread resumes while other tasks keep the
    // loop busy (the OS is polled even when work is ready).
    let lp = EventLoop::new().unwrap();
    let watchdog = Watchdog::start(lp.handle());
    let out = lp.run_until_complete(async {
        let busy_stop = Rc::new(std::cell::Cell::new(false));
        let b = busy_stop.clone();
        let busy = asyncio::create_task(async move {
            let mut spins = 0u64;
            while !b.get() {
                spins += 1;
                sleep(0).await;
            }
            spins
        });
        let woken = WokenByThread {
            ready: Arc::new(AtomicBool::new(false)),
            polls: Arc::new(AtomicUsize::new(0)),
            thread: None,
        }
        .await;
        busy_stop.set(true);
        (woken, busy.await.unwrap())
    });
    assert!(!watchdog.fired());
    let (polls, spins) = out.unwrap();
    assert!(polls >= 2);
    assert!(spins >= 1);
}

#[test]
fn other_threads_see_no_running_loop() {
    let seen = asyncio::run(async {
        assert!(get_running_loop().is_ok());
        thread::spawn(|| {
            (
                get_running_loop().err(),
                asyncio::current_task().err(),
                asyncio::all_tasks().err(),
            )
        })
        .join()
        .unwrap()
    });
    let none = Some(RuntimeError::NoRunningLoop);
    assert_eq!(seen, (none, none, none));
}
