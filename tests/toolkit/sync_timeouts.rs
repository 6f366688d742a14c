//! The primitives under `wait_for`: whichever wins the race between the
//! deadline and the hand-over (an item, the lock, a permit, a
//! notification), nothing is lost.

use crate::common::*;

use asyncio::{Condition, Lock, Queue, Semaphore, TimeoutError, create_task, sleep, wait_for};

/// Hand-over times around the 1 s deadline, including exactly on it.
const OFFSETS: [f64; 5] = [0.5, 0.999, 1.0, 1.001, 1.5];

#[test]
fn a_get_under_wait_for_either_returns_the_item_or_leaves_it_queued() {
    for offset in OFFSETS {
        run_virtual(async move {
            let queue = Queue::new(0);
            let q = queue.clone();
            let getter = create_task(async move { wait_for(q.get(), 1.0).await });
            let q = queue.clone();
            let putter = create_task(async move {
                sleep(offset).await;
                q.put_nowait(7).unwrap();
            });
            let got = getter.await.unwrap();
            putter.await.unwrap();
            match got {
                Ok(item) => {
                    assert_eq!(item, 7);
                    assert!(queue.empty(), "offset {offset}");
                }
                Err(TimeoutError) => {
                    assert!(offset >= 1.0, "offset {offset}");
                    assert_eq!(queue.get_nowait(), Ok(7), "offset {offset}");
                }
            }
        });
    }
}

#[test]
fn a_timed_out_get_passes_its_item_to_the_next_getter() {
    for offset in OFFSETS {
        run_virtual(async move {
            let queue = Queue::new(0);
            let q = queue.clone();
            let first = create_task(async move { wait_for(q.get(), 1.0).await });
            let q = queue.clone();
            let second = create_task(async move { q.get().await });
            sleep(offset).await;
            queue.put_nowait(1).unwrap();
            queue.put_nowait(2).unwrap();
            let (first, second) = (first.await.unwrap(), second.await.unwrap());
            match first {
                Ok(item) => assert_eq!((item, second), (1, 2), "offset {offset}"),
                Err(TimeoutError) => {
                    assert_eq!(second, 1, "offset {offset}");
                    assert_eq!(queue.get_nowait(), Ok(2), "offset {offset}");
                }
            }
        });
    }
}

#[test]
fn a_lock_acquire_under_wait_for_never_leaves_the_lock_held() {
    for offset in OFFSETS {
        run_virtual(async move {
            let lock = Lock::new();
            let guard = lock.lock().await;
            let l = lock.clone();
            let waiter = create_task(async move { wait_for(l.lock(), 1.0).await.is_ok() });
            let l = lock.clone();
            let next = create_task(async move {
                let _guard = l.lock().await;
            });
            sleep(offset).await;
            drop(guard);
            let got = waiter.await.unwrap();
            assert!(got || offset >= 1.0, "offset {offset}");
            next.await.unwrap();
            assert!(!lock.locked(), "offset {offset}");
        });
    }
}

#[test]
fn a_semaphore_acquire_under_wait_for_never_loses_a_permit() {
    for offset in OFFSETS {
        run_virtual(async move {
            let sem = Semaphore::new(1);
            let permit = sem.acquire().await;
            let s = sem.clone();
            let waiter = create_task(async move { wait_for(s.acquire(), 1.0).await.is_ok() });
            sleep(offset).await;
            drop(permit);
            waiter.await.unwrap();
            assert_eq!(sem.value(), 1, "offset {offset}");
        });
    }
}

#[test]
fn a_condition_wait_under_wait_for_never_swallows_a_notification() {
    for offset in OFFSETS {
        run_virtual(async move {
            let log = new_log();
            let cond = Condition::new();
            let (c, l) = (cond.clone(), log.clone());
            let first = create_task(async move {
                let guard = c.lock().await;
                if wait_for(c.wait(guard), 1.0).await.is_ok() {
                    push(&l, "first");
                }
            });
            let (c, l) = (cond.clone(), log.clone());
            let second = create_task(async move {
                let guard = c.lock().await;
                let _guard = c.wait(guard).await;
                push(&l, "second");
            });
            sleep(offset).await;
            {
                let _guard = cond.lock().await;
                cond.notify(1);
            }
            first.await.unwrap();
            sleep(2).await;
            // The single notification woke exactly one waiter: `first`, or
            // `second` if `first` timed out before or after receiving it.
            let woken = log.borrow().clone();
            assert_eq!(woken.len(), 1, "offset {offset}: {woken:?}");
            if woken == ["first"] {
                second.cancel();
            } else {
                second.await.unwrap();
            }
            assert!(!cond.locked(), "offset {offset}");
        });
    }
}
