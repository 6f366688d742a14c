//! Runtime-level checks of the scheduler paths that involve `unsafe`
//! (the pinned future inside a task cell): polling, completion, drop on
//! cancellation, panics, and cross-thread wakes. Small enough for miri.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use asyncio_runtime::{EventLoop, catch_cancelled, create_task, finally, sleep};

type Log = Rc<RefCell<Vec<String>>>;

fn log() -> Log {
    Rc::new(RefCell::new(Vec::new()))
}

fn push(log: &Log, s: impl Into<String>) {
    log.borrow_mut().push(s.into());
}

pin_project_lite::pin_project! {
    /// A future that is `!Unpin` and records when it is dropped, to check
    /// the task keeps it in place and drops it exactly once.
    struct Pinned {
        log: Log,
        polls: u32,
        #[pin]
        _pin: std::marker::PhantomPinned,
    }

    impl PinnedDrop for Pinned {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            push(this.log, format!("dropped after {} polls", this.polls));
        }
    }
}

impl Future for Pinned {
    type Output = u32;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        let this = self.project();
        *this.polls += 1;
        if *this.polls < 3 {
            cx.waker().wake_by_ref();
            Poll::Pending
        } else {
            Poll::Ready(*this.polls)
        }
    }
}

#[test]
fn pinned_future_runs_in_place_and_drops_once() {
    let l = log();
    let lp = EventLoop::builder().virtual_time(true).build().unwrap();
    let fut = Pinned {
        log: l.clone(),
        polls: 0,
        _pin: std::marker::PhantomPinned,
    };
    assert_eq!(lp.run_until_complete(fut).unwrap(), 3);
    lp.close().unwrap();
    assert_eq!(*l.borrow(), ["dropped after 3 polls"]);
}

#[test]
fn cancelled_task_drops_future_and_runs_cleanup() {
    let l = log();
    let lp = EventLoop::builder().virtual_time(true).build().unwrap();
    let l2 = l.clone();
    let out = lp.run_until_complete(async move {
        let l3 = l2.clone();
        let task = create_task(async move {
            let l4 = l3.clone();
            let _guard = finally(async move {
                sleep(1).await;
                push(&l4, "cleanup");
            });
            let fut = Pinned {
                log: l3.clone(),
                polls: 0,
                _pin: std::marker::PhantomPinned,
            };
            let caught = catch_cancelled(async move {
                sleep(10).await;
                fut.await
            })
            .await;
            push(&l3, format!("caught={}", caught.is_err()));
            sleep(100).await;
            push(&l3, "not reached");
        });
        sleep(5).await;
        task.cancel();
        sleep(0).await;
        sleep(0).await;
        task.cancel();
        let r = task.await;
        push(&l2, format!("cancelled={}", r.unwrap_err().is_cancelled()));
        7
    });
    assert_eq!(out.unwrap(), 7);
    lp.close().unwrap();
    assert_eq!(
        *l.borrow(),
        [
            "dropped after 0 polls",
            "caught=true",
            "cleanup",
            "cancelled=true"
        ]
    );
}

#[test]
fn panicking_task_is_contained() {
    let lp = EventLoop::new().unwrap();
    let out = lp.run_until_complete(async {
        let task = create_task(async {
            sleep(0).await;
            panic!("boom");
        });
        let err = task.await.unwrap_err();
        err.to_string()
    });
    lp.close().unwrap();
    assert_eq!(out.unwrap(), "panicked: boom");
}

/// A future that hands its waker to another thread, which wakes it.
struct WokenElsewhere {
    started: bool,
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Future for WokenElsewhere {
    type Output = &'static str;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<&'static str> {
        if self.done.load(std::sync::atomic::Ordering::Acquire) {
            return Poll::Ready("woken from another thread");
        }
        if !self.started {
            self.started = true;
            let waker: Waker = cx.waker().clone();
            let done = self.done.clone();
            std::thread::spawn(move || {
                done.store(true, std::sync::atomic::Ordering::Release);
                waker.wake();
            });
        }
        Poll::Pending
    }
}

#[test]
fn cross_thread_wake_reaches_a_blocked_loop() {
    let lp = EventLoop::new().unwrap();
    let out = lp.run_until_complete(WokenElsewhere {
        started: false,
        done: Default::default(),
    });
    lp.close().unwrap();
    assert_eq!(out.unwrap(), "woken from another thread");
}
