//! An `async with` under cancellation: the exit runs to completion (its
//! awaits included) before the task reports, an enter that did not finish
//! is not exited, and a second cancellation interrupts an exit, as in
//! Python.

use std::cell::Cell;
use std::rc::Rc;

use asyncio::{
    AsyncContext, Outcome, TimeoutError, async_context, async_with, catch_cancelled, create_task,
    finally, sleep, task_group, wait_for,
};

use crate::common::*;

fn now() -> f64 {
    asyncio::get_running_loop().unwrap().time()
}

async_context! {
    /// A manager whose setup and teardown both await, logging each step
    /// and what the teardown saw.
    async fn resource(log: Log) -> AsyncContext<()> {
        push(&log, format!("setup start {}", now()));
        sleep(1).await;
        push(&log, "setup done");
        let outcome = yield ();
        push(&log, format!("teardown saw {outcome:?} at {}", now()));
        sleep(1).await;
        push(&log, format!("teardown done at {}", now()));
    }
}

/// Cancelled in the body: the teardown (which awaits) finishes, then the
/// task ends cancelled, and only then do its waiters hear of it.
#[test]
fn cancel_in_body_runs_the_whole_teardown_first() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let l2 = l.clone();
        let task = create_task(async move {
            async_with!(resource(l2.clone()) => {
                push(&l2, "body");
                sleep(3600).await;
                push(&l2, "body finished");
            });
            push(&l2, "after the with");
        });
        let l3 = l.clone();
        task.add_done_callback(move |_| push(&l3, format!("task done at {}", now())));
        sleep(2).await;
        task.cancel();
        let out = task.await;
        assert!(out.unwrap_err().is_cancelled());
    });
    assert_eq!(
        *log.borrow(),
        [
            "setup start 0",
            "setup done",
            "body",
            "teardown saw Cancelled at 2",
            "teardown done at 3",
            "task done at 3",
        ]
    );
}

/// Cancelled during the setup: the teardown does not run, but the
/// setup's own `finally` cleanup does.
#[test]
fn cancel_in_setup_skips_the_teardown() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let l2 = l.clone();
        let task = create_task(async move {
            let l3 = l2.clone();
            let cm = async_context! {
                let l4 = l3.clone();
                let _guard = finally(async move { push(&l4, "setup's finally") });
                sleep(10).await;
                push(&l3, "setup done");
                yield ();
                push(&l3, "teardown");
            };
            async_with!(cm => push(&l2, "body"));
        });
        sleep(1).await;
        task.cancel();
        assert!(task.await.unwrap_err().is_cancelled());
    });
    assert_eq!(*log.borrow(), ["setup's finally"]);
}

/// A second cancellation while the teardown awaits interrupts the
/// teardown there (Python throws `CancelledError` into `__aexit__`'s
/// await), and the task ends cancelled.
#[test]
fn second_cancel_interrupts_the_teardown() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let l2 = l.clone();
        let task = create_task(async move {
            async_with!(resource(l2.clone()) => sleep(3600).await);
        });
        sleep(2).await;
        task.cancel();
        sleep(0.5).await; // the teardown is sleeping now
        task.cancel();
        assert!(task.await.unwrap_err().is_cancelled());
    });
    let log = log.borrow();
    assert_eq!(log.last().unwrap(), "teardown saw Cancelled at 2");
    assert!(!log.iter().any(|e| e.starts_with("teardown done")));
}

/// A body that catches its cancellation and returns: the teardown sees a
/// value, and the task carries on (Python's `except CancelledError` in the
/// body).
#[test]
fn body_that_catches_the_cancellation_returns() {
    let log = new_log();
    let l = log.clone();
    let out = run_virtual(async move {
        let l2 = l.clone();
        let task = create_task(async move {
            let got = async_with!(resource(l2.clone()) => {
                catch_cancelled(sleep(3600)).await.is_err()
            });
            push(&l2, format!("caught: {got}"));
            7
        });
        sleep(2).await;
        task.cancel();
        task.await.unwrap()
    });
    assert_eq!(out, 7);
    assert_eq!(
        log.borrow()[2..],
        [
            "teardown saw Returned(..) at 2",
            "teardown done at 3",
            "caught: true"
        ]
    );
}

/// `wait_for` around an `async with`: on the timeout the teardown finishes
/// before `wait_for` returns `TimeoutError`.
#[test]
fn wait_for_sees_the_teardown_finish() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let l2 = l.clone();
        let out = wait_for(
            async move { async_with!(resource(l2) => sleep(3600).await) },
            5,
        )
        .await;
        assert_eq!(out, Err(TimeoutError));
        push(&l, format!("wait_for returned at {}", now()));
    });
    assert_eq!(
        log.borrow()[2..],
        [
            "teardown saw Cancelled at 5",
            "teardown done at 6",
            "wait_for returned at 6"
        ]
    );
}

/// A manager in a task group's child whose sibling fails: the child is
/// cancelled, its teardown runs to the end, then the group reports.
#[test]
fn teardown_in_a_task_group_child_when_a_sibling_fails() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let l2 = l.clone();
        let out = task_group(async |tg| {
            let l3 = l2.clone();
            tg.create_task(async move {
                async_with!(resource(l3) => sleep(3600).await);
            });
            tg.create_task(async {
                sleep(2).await;
                panic!("sibling fails");
            });
        })
        .await;
        assert_eq!(out.unwrap_err().errors().len(), 1);
        push(&l, format!("group returned at {}", now()));
    });
    assert_eq!(
        log.borrow()[2..],
        [
            "teardown saw Cancelled at 2",
            "teardown done at 3",
            "group returned at 3"
        ]
    );
}

/// Nested managers under cancellation: each teardown runs, innermost
/// first, each awaiting.
#[test]
fn nested_teardowns_under_cancellation() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let l2 = l.clone();
        let task = create_task(async move {
            async_with!(resource(l2.clone()), resource(l2.clone()) => sleep(3600).await);
        });
        sleep(5).await;
        task.cancel();
        assert!(task.await.unwrap_err().is_cancelled());
    });
    let log = log.borrow();
    let teardowns: Vec<&str> = log
        .iter()
        .filter(|e| e.starts_with("teardown"))
        .map(String::as_str)
        .collect();
    assert_eq!(
        teardowns,
        [
            "teardown saw Cancelled at 5",
            "teardown done at 6",
            "teardown saw Cancelled at 6",
            "teardown done at 7"
        ]
    );
}

/// The cancellation is passed on, not swallowed: the code after the
/// `async with` does not run, and `cancelling()` still counts it.
#[test]
fn cancellation_is_passed_on() {
    let ran_after = Rc::new(Cell::new(false));
    let r = ran_after.clone();
    run_virtual(async move {
        let task = create_task(async move {
            let cm = async_context! {
                let outcome: &mut Outcome<()> = yield ();
                assert!(outcome.is_cancelled());
            };
            let caught = catch_cancelled(async {
                async_with!(cm => sleep(3600).await);
                r.set(true);
            })
            .await;
            assert!(caught.is_err(), "the catch point around the with takes it");
            asyncio::current_task().unwrap().cancelling()
        });
        sleep(1).await;
        task.cancel();
        assert_eq!(task.await.unwrap(), 1);
    });
    assert!(!ran_after.get());
}
