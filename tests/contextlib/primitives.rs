//! The runtime's own managers: `async with lock:`, semaphores, a
//! condition, `async with timeout(d):`.

use asyncio::{
    BoundedSemaphore, Condition, Error, Lock, Semaphore, TimeoutError, async_with, create_task,
    gather, sleep, timeout,
};

use crate::common::*;

/// Two tasks through one lock: the bodies never overlap, and the lock is
/// released however the body ends (a panic included).
#[test]
fn lock_serialises_bodies() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let lock = Lock::new();
        let worker = |name: &'static str| {
            let (lock, l) = (lock.clone(), l.clone());
            async move {
                async_with!(&lock => {
                    push(&l, format!("{name} in"));
                    sleep(1).await;
                    push(&l, format!("{name} out"));
                });
            }
        };
        gather!(worker("a"), worker("b")).await.unwrap();
        let failing = {
            let lock = lock.clone();
            create_task(async move {
                async_with!(&lock => {
                    assert!(lock.locked());
                    panic!("body fails");
                })
            })
        };
        assert!(failing.await.is_err());
        assert!(!lock.locked(), "released after the panic");
    });
    assert_eq!(*log.borrow(), ["a in", "a out", "b in", "b out"]);
}

/// A semaphore of 2: at most two bodies at once; a bounded one likewise.
#[test]
fn semaphores_bound_concurrency() {
    let peak = run_virtual(async {
        let sem = Semaphore::new(2);
        let bounded = BoundedSemaphore::new(2);
        let inside = std::cell::Cell::new(0);
        let peak = std::cell::Cell::new(0);
        let body = async || {
            inside.set(inside.get() + 1);
            peak.set(peak.get().max(inside.get()));
            sleep(1).await;
            inside.set(inside.get() - 1);
        };
        let one = async || async_with!(&sem => body().await);
        let two = async || async_with!(&bounded => body().await);
        futures_join(one(), one(), one()).await;
        futures_join(two(), two(), two()).await;
        assert_eq!(sem.value(), 2);
        assert_eq!(bounded.value(), 2);
        peak.get()
    });
    assert_eq!(peak, 2);
}

/// Awaits three futures concurrently (they borrow, so not tasks).
async fn futures_join(
    a: impl std::future::Future<Output = ()>,
    b: impl std::future::Future<Output = ()>,
    c: impl std::future::Future<Output = ()>,
) {
    let (a, b, c) = (std::pin::pin!(a), std::pin::pin!(b), std::pin::pin!(c));
    let mut futs: [std::pin::Pin<&mut dyn std::future::Future<Output = ()>>; 3] = [a, b, c];
    let mut done = [false; 3];
    std::future::poll_fn(|cx| {
        for (fut, done) in futs.iter_mut().zip(done.iter_mut()) {
            if !*done && fut.as_mut().poll(cx).is_ready() {
                *done = true;
            }
        }
        if done.iter().all(|d| *d) {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
}

/// `async with condition: await condition.wait()` with the guard the
/// manager hands the body.
#[test]
fn condition_wait_inside_the_manager() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let cond = Condition::new();
        let waiter = {
            let (cond, l) = (cond.clone(), l.clone());
            create_task(async move {
                async_with!(&cond as guard => {
                    push(&l, "waiting");
                    let _guard = cond.wait(guard).await;
                    push(&l, "woken holding the lock");
                    assert!(cond.locked());
                });
            })
        };
        sleep(1).await;
        async_with!(&cond => {
            push(&l, "notifying");
            cond.notify_all();
        });
        waiter.await.unwrap();
    });
    assert_eq!(
        *log.borrow(),
        ["waiting", "notifying", "woken holding the lock"]
    );
}

/// `async with timeout(d)`: the body is cancelled at the deadline and the
/// with returns `TimeoutError`; in time, the body's value; an outside
/// cancellation stays a cancellation.
#[test]
fn timeout_as_a_manager() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let lp = asyncio::get_running_loop().unwrap();
        let late: Result<(), Error> = async_with!(timeout(2) => {
            sleep(10).await;
            Ok(())
        });
        assert!(late.unwrap_err().is_timeout());
        assert_eq!(lp.time(), 2.0);
        assert_eq!(asyncio::current_task().unwrap().cancelling(), 0);

        let in_time: Result<u8, TimeoutError> = async_with!(timeout(2) as t => {
            assert_eq!(t.when(), Some(4.0));
            sleep(1).await;
            Ok(1)
        });
        assert_eq!(in_time, Ok(1));

        let l2 = l.clone();
        let outer = create_task(async move {
            let _: Result<(), TimeoutError> = async_with!(timeout(100) => {
                sleep(50).await;
                Ok(())
            });
            push(&l2, "not reached");
        });
        sleep(1).await;
        outer.cancel();
        assert!(outer.await.unwrap_err().is_cancelled(), "not a timeout");
    });
    assert!(log.borrow().is_empty());
}

/// A timeout around a lock: waiting for the lock is cut by the deadline.
#[test]
fn timeout_around_a_lock() {
    run_virtual(async {
        let lock = Lock::new();
        let _held = lock.acquire().await;
        let out: Result<(), TimeoutError> = async_with!(timeout(1) => {
            async_with!(&lock => ());
            Ok(())
        });
        assert_eq!(out, Err(TimeoutError));
    });
}
