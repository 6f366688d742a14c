//! `Condition`: notify(n) wakes exactly n waiters in FIFO order, the lock
//! is re-taken, and a cancelled waiter never swallows a notification.

use crate::common::*;

use std::cell::RefCell;
use std::rc::Rc;

use asyncio::{Condition, Lock, Task, catch_cancelled, create_task, sleep};

fn waiter(cond: &Condition, log: &Log, name: &'static str) -> Task<()> {
    let (cond, log) = (cond.clone(), log.clone());
    create_task(async move {
        let guard = cond.lock().await;
        let _guard = cond.wait(guard).await;
        assert!(cond.locked());
        push(&log, format!("{name} notified"));
    })
}

#[test]
fn notify_one_wakes_exactly_one_waiter_in_fifo_order() {
    run_virtual(async {
        let log = new_log();
        let cond = Condition::new();
        let tasks = [
            waiter(&cond, &log, "a"),
            waiter(&cond, &log, "b"),
            waiter(&cond, &log, "c"),
        ];
        sleep(0).await;
        assert!(!cond.locked()); // every waiter released the lock
        for expected in [vec!["a notified"], vec!["a notified", "b notified"]] {
            let guard = cond.lock().await;
            cond.notify(1);
            drop(guard);
            sleep(1).await;
            assert_eq!(*log.borrow(), expected);
        }
        let guard = cond.lock().await;
        cond.notify(5); // more than are waiting: fine
        drop(guard);
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(*log.borrow(), ["a notified", "b notified", "c notified"]);
    });
}

#[test]
fn notify_n_and_notify_all() {
    run_virtual(async {
        let log = new_log();
        let cond = Condition::new();
        let tasks: Vec<_> = ["a", "b", "c", "d"]
            .into_iter()
            .map(|name| waiter(&cond, &log, name))
            .collect();
        sleep(0).await;
        {
            let _guard = cond.lock().await;
            cond.notify(2);
        }
        sleep(1).await;
        assert_eq!(*log.borrow(), ["a notified", "b notified"]);
        {
            let _guard = cond.lock().await;
            cond.notify_all();
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(
            *log.borrow(),
            ["a notified", "b notified", "c notified", "d notified"]
        );
    });
}

#[test]
fn a_waiter_cancelled_after_notify_passes_the_notification_on() {
    run_virtual(async {
        let log = new_log();
        let cond = Condition::new();
        let a = waiter(&cond, &log, "a");
        let b = waiter(&cond, &log, "b");
        let c = waiter(&cond, &log, "c");
        sleep(0).await;
        {
            let _guard = cond.lock().await;
            cond.notify(1); // meant for `a`...
        }
        a.cancel(); // ...which is cancelled before it runs
        assert!(a.await.unwrap_err().is_cancelled());
        b.await.unwrap();
        sleep(1).await;
        assert_eq!(*log.borrow(), ["b notified"]);
        assert!(!c.done());
        assert!(!cond.locked());
        c.cancel();
    });
}

#[test]
fn a_caught_cancellation_of_wait_passes_the_notification_on_and_leaves_the_lock_free() {
    run_virtual(async {
        let log = new_log();
        let cond = Condition::new();
        let a = {
            let (cond, log) = (cond.clone(), log.clone());
            create_task(async move {
                let guard = cond.lock().await;
                match catch_cancelled(cond.wait(guard)).await {
                    Ok(_guard) => push(&log, "a notified"),
                    Err(_) => {
                        // The guard went with the wait: the lock is not ours.
                        push(&log, "a cancelled");
                        let _guard = cond.lock().await;
                        push(&log, "a locked again");
                    }
                }
            })
        };
        let b = waiter(&cond, &log, "b");
        sleep(0).await;
        {
            let _guard = cond.lock().await;
            cond.notify(1);
        }
        a.cancel();
        a.await.unwrap();
        b.await.unwrap();
        assert_eq!(
            *log.borrow(),
            ["a cancelled", "a locked again", "b notified"]
        );
    });
}

#[test]
fn a_waiter_cancelled_while_retaking_the_lock_passes_the_notification_on() {
    run_virtual(async {
        let log = new_log();
        let cond = Condition::new();
        let a = waiter(&cond, &log, "a");
        let b = waiter(&cond, &log, "b");
        sleep(0).await;
        let guard = cond.lock().await;
        cond.notify(1);
        sleep(0).await; // `a` takes the notification and waits for the lock
        a.cancel();
        sleep(0).await;
        drop(guard);
        assert!(a.await.unwrap_err().is_cancelled());
        b.await.unwrap();
        assert_eq!(*log.borrow(), ["b notified"]);
    });
}

#[test]
fn wait_for_rechecks_the_predicate_after_each_notification() {
    run_virtual(async {
        let log = new_log();
        let lock = Lock::new();
        let cond = Condition::with_lock(lock.clone());
        let value = Rc::new(RefCell::new(0));
        let consumer = {
            let (cond, value, log) = (cond.clone(), value.clone(), log.clone());
            create_task(async move {
                let guard = cond.lock().await;
                let _guard = cond.wait_for(guard, || *value.borrow() >= 3).await;
                push(&log, format!("saw {}", value.borrow()));
            })
        };
        for _ in 0..3 {
            sleep(1).await;
            let _guard = lock.lock().await;
            *value.borrow_mut() += 1;
            cond.notify_all();
        }
        consumer.await.unwrap();
        assert_eq!(*log.borrow(), ["saw 3"]);
    });
}

#[test]
#[should_panic(expected = "guard of the condition's own lock")]
fn waiting_with_another_locks_guard_panics() {
    let cond = Condition::new();
    let other = Lock::new();
    let guard = other.try_lock().unwrap();
    drop(cond.wait(guard));
}
