//! A task group's own abort stays the group's (CPython gh-116720, fixed in
//! 3.13): whatever the body is awaiting when a child fails — a timeout, a
//! task, a gather, another group — the group returns its failures and the
//! task around it is not left cancelled. An outside cancellation that
//! arrives while the group aborts is neither lost nor allowed to hide the
//! failures.

use crate::common::*;

use std::future::Future;

use asyncio::{
    TaskRef, catch_cancelled, create_task, current_task, gather, get_running_loop, sleep,
    task_group, timeout, wait_for,
};

fn now() -> f64 {
    get_running_loop().unwrap().time()
}

/// A child that fails after 10 ms.
async fn boom() {
    sleep(0.01).await;
    panic!("boom");
}

/// Runs `body` in a group whose one child fails; returns (the group
/// failed, the task's `cancelling()` after it, the log).
fn abort_while<F>(body: impl FnOnce(Log) -> F + 'static) -> (bool, u32, Vec<String>)
where
    F: Future<Output = ()> + 'static,
{
    let log = new_log();
    let l = log.clone();
    let (failed, cancelling) = run_virtual(async move {
        let task = create_task(async move {
            let failed = task_group(async |tg| {
                tg.create_task(boom());
                body(l.clone()).await;
                push(&l, "body finished");
            })
            .await
            .is_err();
            push(&l, format!("group returned at {}", now()));
            // The task carries on: its next await is not cancelled.
            sleep(1).await;
            push(&l, "task carried on");
            (failed, current_task().unwrap().cancelling())
        });
        let out = (&task).await;
        assert!(!task.cancelled(), "the group's abort cancelled its task");
        out.unwrap()
    });
    let log = log.borrow().clone();
    (failed, cancelling, log)
}

const AFTER: [&str; 2] = ["group returned at 0.01", "task carried on"];

#[test]
fn a_body_inside_wait_for() {
    let (failed, cancelling, log) = abort_while(|_| async {
        let _ = wait_for(sleep(10), 5).await;
    });
    assert!(failed);
    assert_eq!(cancelling, 0);
    assert_eq!(log, AFTER);
}

#[test]
fn a_body_inside_a_timeout_scope() {
    let (failed, cancelling, log) = abort_while(|l| async move {
        let scope = timeout(5);
        let out = scope.run(sleep(10)).await;
        push(&l, format!("timeout returned {out:?}"));
    });
    assert!(failed);
    assert_eq!(cancelling, 0);
    assert_eq!(log, AFTER);
}

#[test]
fn a_body_awaiting_a_task() {
    let worker = std::rc::Rc::new(std::cell::RefCell::new(None::<TaskRef>));
    let w = worker.clone();
    let (failed, cancelling, log) = abort_while(move |_| async move {
        let task = create_task(sleep(10));
        *w.borrow_mut() = Some(task.as_task_ref().clone());
        let _ = task.await;
    });
    assert!(failed);
    assert_eq!(cancelling, 0);
    assert_eq!(log, AFTER);
    let worker = worker.borrow_mut().take().unwrap();
    assert!(
        worker.cancelled(),
        "the awaited task was cancelled with the body"
    );
}

#[test]
fn a_body_awaiting_a_gather() {
    let (failed, cancelling, log) = abort_while(|_| async {
        let _ = gather([create_task(sleep(10)), create_task(sleep(20))]).await;
    });
    assert!(failed);
    assert_eq!(cancelling, 0);
    assert_eq!(log, AFTER);
}

#[test]
fn a_body_awaiting_a_nested_group() {
    let (failed, cancelling, log) = abort_while(|l| async move {
        let inner = task_group(async |tg| {
            tg.create_task(sleep(10));
            sleep(10).await;
        })
        .await;
        push(&l, format!("inner group returned {}", inner.is_ok()));
    });
    assert!(failed);
    assert_eq!(cancelling, 0);
    assert_eq!(log, AFTER);
}

#[test]
fn two_nested_groups_failing_together() {
    let (failed, cancelling, log) = abort_while(|l| async move {
        let inner = task_group(async |tg| {
            // Fails in the same step as the outer group's child.
            tg.create_task(boom());
            sleep(10).await;
        })
        .await;
        push(&l, format!("inner group failed {}", inner.is_err()));
    });
    assert!(failed);
    assert_eq!(cancelling, 0);
    // The inner group returns its failure to the outer body (which ends
    // without another await) while the outer group's cancellation, passed
    // up to it, stays the outer group's own.
    assert_eq!(
        log,
        [
            "inner group failed true",
            "body finished",
            "group returned at 0.01",
            "task carried on"
        ]
    );
}

#[test]
fn a_body_that_catches_the_abort_and_carries_on() {
    let (failed, cancelling, log) = abort_while(|l| async move {
        let caught = catch_cancelled(sleep(10)).await.is_err();
        push(&l, format!("caught {caught} at {}", now()));
        sleep(1).await;
    });
    assert!(failed, "the child's failure is still reported");
    assert_eq!(cancelling, 0);
    assert_eq!(
        log,
        [
            "caught true at 0.01",
            "body finished",
            "group returned at 1.01",
            "task carried on"
        ]
    );
}

#[test]
fn an_outside_cancellation_during_the_abort_is_delivered_after_the_failures() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let task = create_task(async move {
            let out = task_group(async |tg| {
                tg.create_task(boom());
                // The child that is still cleaning up when the outside
                // cancellation arrives.
                tg.create_task(async {
                    let _ = catch_cancelled(sleep(10)).await;
                    sleep(1).await;
                });
                sleep(10).await;
            })
            .await;
            push(&l, format!("group failed {}", out.is_err()));
            let next = catch_cancelled(sleep(0)).await;
            push(&l, format!("next await cancelled {}", next.is_err()));
            current_task().unwrap().cancelling()
        });
        sleep(0.5).await;
        task.cancel_with("from outside");
        let cancelling = (&task).await.unwrap();
        assert_eq!(cancelling, 1, "the outside request is still counted");
        assert!(!task.cancelled());
    });
    assert_eq!(
        *log.borrow(),
        ["group failed true", "next await cancelled true"]
    );
}

#[test]
fn an_outside_cancellation_without_failures_still_cancels_the_task() {
    run_virtual(async {
        let task = create_task(async {
            task_group(async |tg| {
                tg.create_task(sleep(10));
                wait_for(sleep(10), 5).await.ok();
            })
            .await
            .is_ok()
        });
        sleep(1).await;
        task.cancel();
        assert!((&task).await.unwrap_err().is_cancelled());
        assert_eq!(task.cancelling(), 1);
    });
}

#[test]
fn after_a_nested_group_fails_the_next_await_takes_the_outer_abort() {
    let (failed, cancelling, log) = abort_while(|l| async move {
        let inner = task_group(async |tg| {
            tg.create_task(boom());
            sleep(10).await;
        })
        .await;
        push(&l, format!("inner group failed {}", inner.is_err()));
        let next = catch_cancelled(sleep(5)).await;
        push(
            &l,
            format!("next await cancelled {} at {}", next.is_err(), now()),
        );
    });
    assert!(failed);
    assert_eq!(cancelling, 0);
    assert_eq!(
        log,
        [
            "inner group failed true",
            "next await cancelled true at 0.01",
            "body finished",
            "group returned at 0.01",
            "task carried on"
        ]
    );
}
