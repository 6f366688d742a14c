//! `wait_for`, the `timeout` scope and `shield`, with CPython's semantics:
//! cleanup finishes before `TimeoutError`, a caught cancellation's value is
//! returned, nested scopes, outside cancellations win, shielded work runs on.

use crate::common::*;

use asyncio::{
    TimeoutError, catch_cancelled, create_task, finally, get_running_loop, shield, sleep, timeout,
    timeout_at, wait_for,
};

fn now() -> f64 {
    get_running_loop().unwrap().time()
}

#[test]
fn wait_for_returns_the_value_in_time() {
    run_virtual(async {
        let out = wait_for(
            async {
                sleep(1).await;
                "done"
            },
            2,
        )
        .await;
        assert_eq!(out, Ok("done"));
        assert_eq!(now(), 1.0);
    });
}

#[test]
fn wait_for_times_out_after_the_inner_cleanup_finished() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let inner_log = l.clone();
        let slow = async move {
            let cleanup_log = inner_log.clone();
            let _guard = finally(async move {
                sleep(0.5).await;
                push(&cleanup_log, format!("cleanup done at {}", now()));
            });
            sleep(5).await;
            push(&inner_log, "not reached");
        };
        let out = wait_for(slow, 2).await;
        push(&l, format!("wait_for -> {out:?} at {}", now()));
    });
    assert_eq!(
        *log.borrow(),
        [
            "cleanup done at 2.5",
            "wait_for -> Err(TimeoutError) at 2.5"
        ]
    );
}

#[test]
fn a_caught_cancellation_returns_its_value() {
    run_virtual(async {
        let scope = timeout(1);
        let out = scope
            .run(async {
                match catch_cancelled(sleep(10)).await {
                    Ok(()) => "slept",
                    Err(_) => "caught",
                }
            })
            .await;
        assert_eq!(out, Ok("caught"));
        assert!(scope.expired());
        // The timeout took its own request back.
        assert_eq!(asyncio::current_task().unwrap().cancelling(), 0);
    });
}

#[test]
fn nested_scopes_with_the_same_deadline_report_only_at_the_outermost() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let outer = timeout(1);
        let inner = timeout(1);
        let li = l.clone();
        let out = outer
            .run(async {
                let r = inner.run(sleep(10)).await;
                push(&li, format!("inner returned {r:?}"));
            })
            .await;
        push(&l, format!("outer -> {out:?}"));
        assert!(outer.expired());
        assert!(inner.expired());
        assert_eq!(asyncio::current_task().unwrap().cancelling(), 0);
    });
    assert_eq!(*log.borrow(), ["outer -> Err(TimeoutError)"]);
}

#[test]
fn an_inner_scope_with_an_earlier_deadline_reports_and_the_outer_goes_on() {
    run_virtual(async {
        let outer = timeout(5);
        let out = outer
            .run(async {
                let inner = wait_for(sleep(10), 1).await;
                assert_eq!(inner, Err(TimeoutError));
                sleep(1).await;
                "outer finished"
            })
            .await;
        assert_eq!(out, Ok("outer finished"));
        assert!(!outer.expired());
        assert_eq!(now(), 2.0);
    });
}

#[test]
fn wait_for_with_a_zero_or_negative_timeout_never_starts_the_work() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        for delay in [0.0, -1.0] {
            let l2 = l.clone();
            let out = wait_for(
                async move {
                    push(&l2, "started");
                    7
                },
                delay,
            )
            .await;
            assert_eq!(out, Err(TimeoutError));
        }
        assert_eq!(now(), 0.0, "returned at once");
        assert_eq!(asyncio::current_task().unwrap().cancelling(), 0);
        // A zero timeout scope still starts its body (Python's timeout(0)).
        let scope = timeout(0);
        let l3 = l.clone();
        let out = scope
            .run(async move {
                push(&l3, "scope body started");
                sleep(1).await;
            })
            .await;
        assert_eq!(out, Err(TimeoutError));
    });
    assert_eq!(*log.borrow(), ["scope body started"]);
}

#[test]
fn wait_for_takes_its_deadline_when_the_wait_starts() {
    run_virtual(async {
        let wait = wait_for(sleep(1), 2);
        sleep(5).await;
        // Created at 0 with 2 s: it still has 2 s from now, at 5.
        assert_eq!(wait.await, Ok(()));
        assert_eq!(now(), 6.0);
    });
}

#[test]
fn a_body_that_never_awaits_never_times_out() {
    run_virtual(async {
        let scope = timeout(0);
        assert_eq!(scope.run(async { 7 }).await, Ok(7));
        assert!(!scope.expired());
        // The expired timer must not cancel the task later.
        sleep(1).await;
        assert_eq!(asyncio::current_task().unwrap().cancelling(), 0);
    });
}

#[test]
fn an_outside_cancellation_is_not_a_timeout() {
    run_virtual(async {
        let task = create_task(async {
            let out = catch_cancelled(wait_for(sleep(100), 10)).await;
            match out {
                Ok(r) => format!("wait_for returned {r:?}"),
                Err(e) => format!("cancelled: {}", e.message().unwrap_or("")),
            }
        });
        sleep(1).await;
        task.cancel_with("from outside");
        assert_eq!((&task).await.unwrap(), "cancelled: from outside");
    });
}

#[test]
fn an_outside_cancellation_at_the_deadline_wins() {
    run_virtual(async {
        let task = create_task(async { wait_for(sleep(100), 1).await });
        let canceller = {
            let task_ref = task.as_task_ref().clone();
            // Fires at t=1 too, after the timeout's timer (FIFO on ties).
            get_running_loop().unwrap().call_at(1.0, move || {
                task_ref.cancel();
            })
        };
        let out = (&task).await;
        assert!(out.unwrap_err().is_cancelled());
        assert!(task.cancelled());
        drop(canceller);
    });
}

#[test]
fn a_scope_left_by_cancellation_does_not_cancel_the_task_later() {
    run_virtual(async {
        let task = create_task(async {
            let caught = catch_cancelled(wait_for(sleep(100), 5)).await;
            assert!(caught.is_err());
            sleep(10).await;
            now()
        });
        sleep(1).await;
        task.cancel();
        assert_eq!((&task).await.unwrap(), 11.0);
    });
}

#[test]
fn reschedule_moves_the_deadline_and_fails_after_expiry() {
    run_virtual(async {
        let scope = timeout(1);
        assert_eq!(scope.when(), Some(1.0));
        let s = scope.clone();
        let out = scope
            .run(async move {
                sleep(0.5).await;
                s.reschedule(Some(now() + 3.0)).unwrap();
                sleep(2).await;
                "in time"
            })
            .await;
        assert_eq!(out, Ok("in time"));
        assert!(scope.reschedule(None).is_err());

        let never = timeout_at(f64::INFINITY);
        assert_eq!(never.when(), None);
        assert_eq!(never.run(sleep(1000)).await, Ok(()));
    });
}

#[test]
fn wait_for_a_task_cancels_it_and_waits_for_it() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let lt = l.clone();
        let task = create_task(async move {
            let lc = lt.clone();
            let _guard = finally(async move {
                sleep(1).await;
                push(&lc, "task cleanup done");
            });
            sleep(100).await;
        });
        let probe = task.as_task_ref().clone();
        let out = wait_for(task, 2).await;
        push(&l, format!("wait_for -> {out:?} at {}", now()));
        assert!(probe.cancelled());
    });
    assert_eq!(
        *log.borrow(),
        ["task cleanup done", "wait_for -> Err(TimeoutError) at 3"]
    );
}

#[test]
fn shield_keeps_the_inner_work_running_when_the_awaiter_is_cancelled() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let li = l.clone();
        let waiter = create_task(async move {
            let work = shield(async move {
                sleep(2).await;
                push(&li, format!("shielded work done at {}", now()));
                5
            });
            work.await
        });
        sleep(1).await;
        waiter.cancel();
        let out = (&waiter).await;
        push(
            &l,
            format!("waiter cancelled={} at {}", out.is_err(), now()),
        );
        sleep(5).await;
    });
    assert_eq!(
        *log.borrow(),
        ["waiter cancelled=true at 1", "shielded work done at 2"]
    );
}

#[test]
fn shield_passes_the_result_through() {
    run_virtual(async {
        let out = shield(async {
            sleep(1).await;
            9
        })
        .await;
        assert_eq!(out.unwrap(), 9);
    });
}
