//! `Lock`: fair FIFO hand-off, and a cancelled acquire never keeps the lock.

use crate::common::*;

use asyncio::{Lock, Task, catch_cancelled, create_task, sleep};

/// A task that takes the lock, logs, holds it for a second, and releases it.
fn worker(lock: &Lock, log: &Log, name: &'static str) -> Task<()> {
    let (lock, log) = (lock.clone(), log.clone());
    create_task(async move {
        let _guard = lock.lock().await;
        push(&log, format!("{name} locked"));
        sleep(1).await;
        push(&log, format!("{name} unlocks"));
    })
}

#[test]
fn waiters_get_the_lock_in_fifo_order() {
    run_virtual(async {
        let log = new_log();
        let lock = Lock::new();
        let guard = lock.lock().await;
        let tasks = [
            worker(&lock, &log, "a"),
            worker(&lock, &log, "b"),
            worker(&lock, &log, "c"),
        ];
        sleep(0).await;
        assert!(lock.locked());
        drop(guard);
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(
            *log.borrow(),
            [
                "a locked",
                "a unlocks",
                "b locked",
                "b unlocks",
                "c locked",
                "c unlocks"
            ]
        );
        assert!(!lock.locked());
    });
}

#[test]
fn a_released_lock_cannot_be_taken_by_a_latecomer_before_the_waiter() {
    run_virtual(async {
        let log = new_log();
        let lock = Lock::new();
        let guard = lock.try_lock().unwrap();
        let a = worker(&lock, &log, "a");
        sleep(0).await;
        drop(guard); // handed to `a`, which has not run yet
        assert!(lock.locked());
        assert!(lock.try_lock().is_none());
        let late = worker(&lock, &log, "late");
        a.await.unwrap();
        late.await.unwrap();
        assert_eq!(
            *log.borrow(),
            ["a locked", "a unlocks", "late locked", "late unlocks"]
        );
    });
}

#[test]
fn an_acquire_cancelled_after_the_hand_off_passes_the_lock_on() {
    run_virtual(async {
        let log = new_log();
        let lock = Lock::new();
        let guard = lock.lock().await;
        let a = worker(&lock, &log, "a");
        let b = worker(&lock, &log, "b");
        sleep(0).await;
        drop(guard); // the lock goes to `a`...
        a.cancel(); // ...which is cancelled before it runs
        assert!(a.await.unwrap_err().is_cancelled());
        b.await.unwrap();
        assert_eq!(*log.borrow(), ["b locked", "b unlocks"]);
        assert!(!lock.locked());
    });
}

#[test]
fn a_lone_acquire_cancelled_after_the_hand_off_unlocks_the_lock() {
    run_virtual(async {
        let log = new_log();
        let lock = Lock::new();
        let guard = lock.lock().await;
        let a = worker(&lock, &log, "a");
        sleep(0).await;
        drop(guard);
        a.cancel();
        assert!(a.await.unwrap_err().is_cancelled());
        assert!(!lock.locked());
        assert!(lock.try_lock().is_some());
    });
}

#[test]
fn an_acquire_cancelled_while_waiting_leaves_the_queue() {
    run_virtual(async {
        let log = new_log();
        let lock = Lock::new();
        let guard = lock.lock().await;
        let a = worker(&lock, &log, "a");
        let b = worker(&lock, &log, "b");
        let c = worker(&lock, &log, "c");
        sleep(0).await;
        b.cancel();
        sleep(0).await;
        drop(guard);
        a.await.unwrap();
        assert!(b.await.unwrap_err().is_cancelled());
        c.await.unwrap();
        assert_eq!(
            *log.borrow(),
            ["a locked", "a unlocks", "c locked", "c unlocks"]
        );
    });
}

#[test]
fn a_caught_cancellation_of_an_acquire_passes_the_lock_on_and_the_task_carries_on() {
    run_virtual(async {
        let log = new_log();
        let lock = Lock::new();
        let guard = lock.lock().await;
        let a = {
            let (lock, log) = (lock.clone(), log.clone());
            create_task(async move {
                match catch_cancelled(lock.lock()).await {
                    Ok(_guard) => push(&log, "a locked"),
                    Err(_) => push(&log, "a cancelled"),
                }
                let _guard = lock.lock().await;
                push(&log, "a locked later");
            })
        };
        let b = worker(&lock, &log, "b");
        sleep(0).await;
        drop(guard);
        a.cancel();
        a.await.unwrap();
        b.await.unwrap();
        assert_eq!(
            *log.borrow(),
            ["a cancelled", "b locked", "b unlocks", "a locked later"]
        );
    });
}

#[test]
fn the_guard_works_across_tasks_and_debug_shows_the_state() {
    run_virtual(async {
        let lock = Lock::default();
        assert_eq!(format!("{lock:?}"), "<Lock unlocked waiters=0>");
        let guard = lock.lock().await;
        assert_eq!(format!("{lock:?}"), "<Lock locked waiters=0>");
        // A guard is 'static: another task may release it.
        let releaser = create_task(async move {
            sleep(1).await;
            drop(guard);
        });
        let _second = lock.lock().await;
        releaser.await.unwrap();
        assert!(lock.locked());
    });
}
