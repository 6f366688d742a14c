//! `Event`: set wakes every current waiter; cancelled waiters take nothing.

use crate::common::*;

use asyncio::{Event, Task, catch_cancelled, create_task, sleep};

fn waiter(event: &Event, log: &Log, name: &'static str) -> Task<()> {
    let (event, log) = (event.clone(), log.clone());
    create_task(async move {
        event.wait().await;
        push(&log, format!("{name} woke"));
    })
}

#[test]
fn set_wakes_every_waiter_in_fifo_order() {
    run_virtual(async {
        let log = new_log();
        let event = Event::new();
        assert!(!event.is_set());
        let tasks = [
            waiter(&event, &log, "a"),
            waiter(&event, &log, "b"),
            waiter(&event, &log, "c"),
        ];
        sleep(1).await;
        assert!(log.borrow().is_empty());
        event.set();
        assert!(event.is_set());
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(*log.borrow(), ["a woke", "b woke", "c woke"]);
        // Set: waiting returns at once.
        event.wait().await;
    });
}

#[test]
fn clear_right_after_set_still_wakes_the_waiters_of_that_set() {
    run_virtual(async {
        let log = new_log();
        let event = Event::new();
        let a = waiter(&event, &log, "a");
        sleep(0).await;
        event.set();
        event.clear();
        let b = waiter(&event, &log, "b");
        a.await.unwrap();
        sleep(1).await;
        assert_eq!(*log.borrow(), ["a woke"]);
        assert!(!b.done());
        event.set();
        b.await.unwrap();
        assert_eq!(*log.borrow(), ["a woke", "b woke"]);
    });
}

#[test]
fn a_cancelled_waiter_does_not_take_the_wake_up_of_others() {
    run_virtual(async {
        let log = new_log();
        let event = Event::new();
        let a = waiter(&event, &log, "a");
        let b = waiter(&event, &log, "b");
        let c = {
            let (event, log) = (event.clone(), log.clone());
            create_task(async move {
                if catch_cancelled(event.wait()).await.is_err() {
                    push(&log, "c cancelled");
                }
            })
        };
        sleep(0).await;
        event.set();
        a.cancel();
        c.cancel();
        assert!(a.await.unwrap_err().is_cancelled());
        b.await.unwrap();
        c.await.unwrap();
        assert_eq!(*log.borrow(), ["b woke", "c cancelled"]);
        assert_eq!(format!("{event:?}"), "<Event set waiters=0>");
    });
}
