//! The cancellation model (ARCHITECTURE.md, "Cancellation"): requests delivered at the next step,
//! catch points (`catch_cancelled`), async cleanup guards (`finally`), and
//! CPython's propagation to awaited tasks and futures.

use crate::common::*;

use std::cell::Cell;
use std::rc::Rc;

use asyncio::{
    Error, Future, catch_cancelled, create_task, create_task_named, current_task, finally,
    get_running_loop, sleep,
};

fn count(log: &Log, entry: &str) -> usize {
    log.borrow().iter().filter(|e| *e == entry).count()
}

#[test]
fn a_task_that_catches_the_cancellation_ends_with_its_result() {
    run_virtual(async {
        let mut task = create_task(async {
            match catch_cancelled(sleep(3600)).await {
                Ok(()) => 0,
                Err(_cancelled) => 42,
            }
        });
        sleep(0).await;
        assert!(task.cancel());
        let out = (&mut task).await;
        assert_eq!(out.unwrap(), 42);
        assert!(task.done());
        assert!(!task.cancelled());
        assert!(matches!(task.exception(), Ok(None)));
    });
}

#[test]
fn catch_cancelled_without_a_cancellation_passes_the_output_through() {
    run_virtual(async {
        let out = create_task(async { catch_cancelled(async { 5 }).await })
            .await
            .unwrap();
        assert_eq!(out, Ok(5));
    });
}

#[test]
fn a_task_that_cancels_itself_and_returns_without_awaiting_ends_cancelled() {
    run_virtual(async {
        let mut task = create_task(async {
            assert!(current_task().unwrap().cancel());
            5
        });
        let out = (&mut task).await;
        assert!(matches!(out, Err(Error::Cancelled(_))), "{out:?}");
        assert!(task.cancelled());
    });
}

#[test]
fn a_self_cancelled_task_receives_it_at_its_next_await() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let task = create_task(async move {
            current_task().unwrap().cancel_with("self");
            push(&l, "requested");
            match catch_cancelled(sleep(0)).await {
                Ok(()) => 0,
                Err(e) => {
                    push(&l, format!("caught {:?}", e.message()));
                    7
                }
            }
        });
        assert_eq!(task.await.unwrap(), 7);
    });
    assert_eq!(*log.borrow(), ["requested", "caught Some(\"self\")"]);
}

async fn inner_with_catch(log: Log) -> &'static str {
    push(&log, "inner start");
    match catch_cancelled(sleep(3600)).await {
        Ok(()) => "slept",
        Err(_) => {
            push(&log, "inner caught");
            sleep(1).await; // may await after catching
            "inner handled"
        }
    }
}

async fn outer_with_inner_catch(log: Log) -> &'static str {
    push(&log, "outer start");
    let r = inner_with_catch(log.clone()).await;
    push(&log, format!("outer got {r}"));
    r
}

#[test]
fn cancelling_the_outer_task_reaches_the_inner_catch_point() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let mut task = create_task(outer_with_inner_catch(l));
        sleep(0).await;
        task.cancel();
        assert_eq!((&mut task).await.unwrap(), "inner handled");
        assert!(!task.cancelled());
    });
    assert_eq!(
        *log.borrow(),
        [
            "outer start",
            "inner start",
            "inner caught",
            "outer got inner handled"
        ]
    );
}

#[test]
fn the_innermost_catch_point_takes_the_cancellation() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let l2 = l.clone();
        let task = create_task(async move {
            match catch_cancelled(inner_with_catch(l2.clone())).await {
                Ok(r) => r,
                Err(_) => {
                    push(&l2, "outer caught");
                    "outer handled"
                }
            }
        });
        sleep(0).await;
        task.cancel();
        assert_eq!(task.await.unwrap(), "inner handled");
    });
    assert_eq!(*log.borrow(), ["inner start", "inner caught"]);
}

async fn inner_without_catch(log: Log) {
    push(&log, "inner start");
    sleep(3600).await;
    push(&log, "inner end");
}

#[test]
fn cancelling_an_await_chain_without_catch_points_cancels_the_task() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let l2 = l.clone();
        let mut task = create_task(async move {
            inner_without_catch(l2.clone()).await;
            push(&l2, "outer end");
        });
        sleep(0).await;
        task.cancel();
        assert!((&mut task).await.unwrap_err().is_cancelled());
        assert!(task.cancelled());
        // The cancelled sleep's timer is gone: virtual time did not jump.
        assert_eq!(get_running_loop().unwrap().time(), 0.0);
    });
    assert_eq!(*log.borrow(), ["inner start"]);
}

struct DropLog(Log, &'static str);

impl Drop for DropLog {
    fn drop(&mut self) {
        push(&self.0, format!("dropped {}", self.1));
    }
}

#[test]
fn cancellation_drops_the_task_future_and_its_locals() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let l2 = l.clone();
        let task = create_task(async move {
            let _local = DropLog(l2.clone(), "local");
            sleep(3600).await;
        });
        sleep(0).await;
        task.cancel();
        push(&l, "cancel requested");
        assert!(task.await.unwrap_err().is_cancelled());
        push(&l, "task awaited");
    });
    assert_eq!(
        *log.borrow(),
        ["cancel requested", "dropped local", "task awaited"]
    );
}

#[test]
fn cancelling_a_task_that_never_started_skips_its_body() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let l2 = l.clone();
        let mut task = create_task(async move {
            push(&l2, "body ran");
            // Even a catch point in the body cannot see it: it never runs.
            catch_cancelled(sleep(0)).await.ok();
        });
        assert!(task.cancel());
        assert!(!task.done());
        let out = (&mut task).await;
        assert!(out.unwrap_err().is_cancelled());
        assert!(task.cancelled());
    });
    assert!(log.borrow().is_empty(), "{:?}", log.borrow());
}

#[test]
fn the_cancel_message_reaches_cancelled_error() {
    run_virtual(async {
        let task = create_task(sleep(3600));
        sleep(0).await;
        assert!(task.cancel_with("shutting down"));
        match task.await {
            Err(Error::Cancelled(e)) => {
                assert_eq!(e.message(), Some("shutting down"));
                assert_eq!(e.to_string(), "cancelled: shutting down");
            }
            other => panic!("unexpected outcome: {other:?}"),
        }

        let caught = create_task(async {
            match catch_cancelled(sleep(3600)).await {
                Ok(()) => None,
                Err(e) => e.message().map(str::to_owned),
            }
        });
        sleep(0).await;
        caught.cancel_with("caught message");
        assert_eq!(caught.await.unwrap().as_deref(), Some("caught message"));

        let plain = create_task(sleep(3600));
        sleep(0).await;
        plain.cancel();
        match plain.await {
            Err(Error::Cancelled(e)) => assert_eq!(e.message(), None),
            other => panic!("unexpected outcome: {other:?}"),
        }
    });
}

/// Work guarded by an async cleanup that itself awaits.
async fn guarded_work(log: Log) {
    let l = log.clone();
    let _guard = finally(async move {
        let name = current_task().map(|t| t.get_name()).unwrap_or_default();
        push(&l, format!("cleanup start in {name}"));
        sleep(1).await;
        push(&l, "cleanup done");
    });
    push(&log, "working");
    sleep(3600).await;
    push(&log, "work finished");
}

#[test]
fn finally_cleanup_finishes_before_the_catch_point_returns() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let l2 = l.clone();
        let task = create_task_named(
            async move {
                match catch_cancelled(guarded_work(l2.clone())).await {
                    Ok(()) => push(&l2, "not cancelled"),
                    Err(_) => push(&l2, "caught"),
                }
                push(&l2, "task carries on");
                "finished normally"
            },
            "guarded",
        );
        sleep(0).await;
        task.cancel();
        assert_eq!(task.await.unwrap(), "finished normally");
        assert_eq!(get_running_loop().unwrap().time(), 1.0);
    });
    assert_eq!(
        *log.borrow(),
        [
            "working",
            "cleanup start in guarded",
            "cleanup done",
            "caught",
            "task carries on"
        ]
    );
}

#[test]
fn finally_cleanup_finishes_before_the_task_reports_done() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let mut task = create_task_named(guarded_work(l.clone()), "guarded");
        {
            let l = l.clone();
            task.add_done_callback(move |t| {
                push(&l, format!("done callback cancelled={}", t.cancelled()))
            });
        }
        sleep(0).await;
        assert!(task.cancel());
        sleep(0.5).await;
        // Half-way through the cleanup's own sleep: not done yet.
        assert!(!task.done());
        assert!(!task.cancelled());
        let described = format!("{task:?}");
        assert!(described.contains("cleaning up"), "{described}");
        assert!(!task.cancel(), "no second request while cleaning up");
        let out = (&mut task).await;
        push(&l, "await returned");
        assert!(out.unwrap_err().is_cancelled());
        assert!(task.cancelled());
        assert_eq!(get_running_loop().unwrap().time(), 1.0);
        sleep(0).await;
    });
    assert_eq!(
        *log.borrow(),
        [
            "working",
            "cleanup start in guarded",
            "cleanup done",
            // CPython order: the done callback was registered before the
            // main task began awaiting, so it is notified first.
            "done callback cancelled=true",
            "await returned",
        ]
    );
}

#[test]
fn finally_awaited_on_the_normal_path_runs_once() {
    let runs = Rc::new(Cell::new(0));
    let log = new_log();
    let (r, l) = (runs.clone(), log.clone());
    run_virtual(async move {
        let task = create_task(async move {
            let r2 = r.clone();
            let l2 = l.clone();
            let guard = finally(async move {
                sleep(0.5).await;
                r2.set(r2.get() + 1);
                push(&l2, "cleanup");
            });
            push(&l, "body");
            sleep(1).await;
            guard.await;
            push(&l, "after cleanup");
            sleep(1).await;
            push(&l, "end");
            "ok"
        });
        assert_eq!(task.await.unwrap(), "ok");
        sleep(10).await;
    });
    assert_eq!(runs.get(), 1);
    assert_eq!(*log.borrow(), ["body", "cleanup", "after cleanup", "end"]);
}

#[test]
fn finally_guard_dropped_by_an_early_return_still_runs_once() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let l2 = l.clone();
        let task = create_task(async move {
            let l3 = l2.clone();
            let _guard = finally(async move {
                sleep(0.5).await;
                push(&l3, "cleanup");
            });
            push(&l2, "returning early");
            1
        });
        assert_eq!(task.await.unwrap(), 1);
        sleep(1).await;
    });
    assert_eq!(*log.borrow(), ["returning early", "cleanup"]);
}

#[test]
fn cleanups_run_exactly_once_even_when_cancelled_again_during_cleanup() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let l2 = l.clone();
        let task = create_task(async move {
            match catch_cancelled(guarded_work(l2.clone())).await {
                Ok(()) => push(&l2, "not cancelled"),
                Err(_) => push(&l2, "caught"),
            }
        });
        sleep(0).await;
        assert!(task.cancel());
        sleep(0.5).await;
        // The catch point is running the cleanup; cancel the task again.
        task.cancel();
        let _ = task.await;
        sleep(5).await;
    });
    assert_eq!(count(&log, "cleanup done"), 1, "{:?}", log.borrow());
    assert_eq!(
        count(&log, "cleanup start in Task-2"),
        1,
        "{:?}",
        log.borrow()
    );
    assert_eq!(count(&log, "work finished"), 0);
}

#[test]
fn a_caught_cancellation_can_be_followed_by_another() {
    run_virtual(async {
        let task = create_task(async {
            let mut caught = 0;
            while caught < 2 {
                if catch_cancelled(sleep(3600)).await.is_err() {
                    caught += 1;
                }
            }
            caught
        });
        sleep(0).await;
        task.cancel();
        sleep(0).await;
        sleep(0).await;
        assert!(!task.done());
        task.cancel();
        assert_eq!(task.await.unwrap(), 2);
    });
}

#[test]
fn cancelling_a_task_that_awaits_a_task_cancels_the_awaited_one_with_a_catch_point() {
    run_virtual(async {
        let child = create_task_named(sleep(3600), "child");
        let child_ref = child.as_task_ref().clone();
        let parent = create_task(async move {
            match catch_cancelled(child).await {
                Ok(_) => "child finished",
                Err(_) => "parent caught",
            }
        });
        sleep(0).await;
        parent.cancel();
        assert_eq!(parent.await.unwrap(), "parent caught");
        sleep(0).await;
        assert!(child_ref.cancelled(), "{child_ref:?}");
    });
}

#[test]
fn cancelling_a_task_that_awaits_a_task_cancels_the_awaited_one() {
    run_virtual(async {
        let child = create_task_named(sleep(3600), "child");
        let child_ref = child.as_task_ref().clone();
        let parent = create_task(child);
        sleep(0).await;
        assert!(parent.cancel());
        assert!(parent.await.unwrap_err().is_cancelled());
        sleep(0).await;
        sleep(0).await;
        assert!(
            child_ref.done(),
            "the awaited task is still running: {child_ref:?}"
        );
        assert!(child_ref.cancelled(), "{child_ref:?}");
    });
}

#[test]
fn cancelling_a_task_that_awaits_a_future_cancels_the_future_with_a_catch_point() {
    run_virtual(async {
        let fut: Future<u32> = Future::new();
        let waiter = {
            let fut = fut.clone();
            create_task(async move { catch_cancelled(fut).await.is_err() })
        };
        sleep(0).await;
        waiter.cancel_with("stop waiting");
        assert!(
            waiter.await.unwrap(),
            "the catch point took the cancellation"
        );
        assert!(fut.cancelled());
        match fut.result() {
            Err(Error::Cancelled(e)) => assert_eq!(e.message(), Some("stop waiting")),
            other => panic!("unexpected result(): {other:?}"),
        }
    });
}

#[test]
fn cancelling_a_task_that_awaits_a_future_cancels_the_future() {
    run_virtual(async {
        let fut: Future<u32> = Future::new();
        let waiter = {
            let fut = fut.clone();
            create_task(fut)
        };
        sleep(0).await;
        waiter.cancel();
        assert!(waiter.await.unwrap_err().is_cancelled());
        assert!(fut.done(), "the awaited future is still pending");
        assert!(fut.cancelled());
    });
}

#[test]
fn cancel_on_a_done_task_returns_false() {
    run_virtual(async {
        let finished = create_task(async { 1 });
        let cancelled = create_task(sleep(3600));
        sleep(0).await;
        assert!(finished.done());
        assert!(!finished.cancel());
        assert!(!finished.cancel_with("too late"));
        assert!(!finished.cancelled());
        assert_eq!(finished.result().unwrap(), 1);

        assert!(cancelled.cancel());
        sleep(0).await;
        assert!(cancelled.cancelled());
        assert!(!cancelled.cancel());
    });
}

#[test]
fn run_cancels_leftover_tasks_and_awaits_their_cleanups() {
    let log = new_log();
    let l = log.clone();
    asyncio::run(async move {
        let l2 = l.clone();
        drop(create_task_named(
            async move {
                let l3 = l2.clone();
                let _guard = finally(async move {
                    sleep(0).await;
                    sleep(0.001).await;
                    push(&l3, "leftover cleanup done");
                });
                push(&l2, "leftover started");
                sleep(3600).await;
                push(&l2, "leftover finished");
            },
            "leftover",
        ));
        let l4 = l.clone();
        drop(create_task_named(
            async move {
                if catch_cancelled(sleep(3600)).await.is_err() {
                    sleep(0).await;
                    push(&l4, "catcher handled its cancellation");
                }
            },
            "catcher",
        ));
        sleep(0).await;
        push(&l, "main returns");
    });
    push(&log, "run returned");
    let log = log.borrow();
    assert_eq!(log[0], "leftover started");
    assert_eq!(log[1], "main returns");
    assert_eq!(log.last().map(String::as_str), Some("run returned"));
    assert!(
        log.contains(&"leftover cleanup done".to_string()),
        "{log:?}"
    );
    assert!(
        log.contains(&"catcher handled its cancellation".to_string()),
        "{log:?}"
    );
    assert!(!log.contains(&"leftover finished".to_string()));
    assert_eq!(log.len(), 5);
}

#[test]
fn a_cancelled_sleep_inside_a_catch_point_does_not_complete_later() {
    // The dropped sleep must not wake or resume anything afterwards.
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let l2 = l.clone();
        let task = create_task(async move {
            let r = catch_cancelled(async {
                sleep(5).await;
                push(&l2, "inner sleep completed");
            })
            .await;
            push(&l2, format!("catch returned err={}", r.is_err()));
            sleep(10).await;
            push(&l2, "task end");
        });
        sleep(1).await;
        task.cancel();
        task.await.unwrap();
    });
    assert_eq!(*log.borrow(), ["catch returned err=true", "task end"]);
}

#[test]
fn a_second_cancel_during_cleanup_goes_to_the_outer_catch_point() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let l2 = l.clone();
        let task = create_task(async move {
            let inner = async {
                match catch_cancelled(guarded_work(l2.clone())).await {
                    Ok(()) => push(&l2, "inner not cancelled"),
                    Err(_) => push(&l2, "inner caught"),
                }
            };
            match catch_cancelled(inner).await {
                Ok(()) => push(&l2, "outer not cancelled"),
                Err(_) => push(&l2, "outer caught"),
            }
            "done"
        });
        sleep(0).await;
        assert!(task.cancel());
        sleep(0.5).await;
        // The inner catch point is running the cleanup (it sleeps 1 s).
        assert!(task.cancel());
        assert_eq!(task.await.unwrap(), "done");
        assert_eq!(get_running_loop().unwrap().time(), 1.0);
    });
    assert_eq!(
        *log.borrow(),
        [
            "working",
            "cleanup start in Task-2",
            "cleanup done",
            "outer caught"
        ]
    );
}

/// A child that catches its cancellation, works on for a while and returns.
async fn child_that_catches(log: Log) -> u32 {
    match catch_cancelled(sleep(3600)).await {
        Ok(()) => 0,
        Err(_) => {
            push(&log, "child caught");
            sleep(1).await;
            push(&log, "child returns 5");
            5
        }
    }
}

#[test]
fn a_parent_awaiting_a_child_that_catches_gets_the_childs_value() {
    // CPython: parent.cancel() is passed to the awaited child; the child
    // catches and returns 5 a second later, and the parent resumes with 5.
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let child = create_task(child_that_catches(l.clone()));
        let probe = child.as_task_ref().clone();
        let lp = l.clone();
        let parent = create_task(async move {
            let got = child.await;
            push(&lp, format!("parent got {got:?}"));
            got.unwrap() + 1
        });
        sleep(0).await;
        assert!(parent.cancel());
        sleep(0).await;
        assert!(
            probe.cancelling() > 0 || probe.done(),
            "the child was asked to cancel"
        );
        let out = (&parent).await;
        assert_eq!(out.unwrap(), 6);
        assert!(!parent.cancelled());
        assert_eq!(get_running_loop().unwrap().time(), 1.0);
    });
    assert_eq!(
        *log.borrow(),
        ["child caught", "child returns 5", "parent got Ok(5)"]
    );
}

#[test]
fn a_parent_whose_child_ends_cancelled_gets_the_cancellation_back() {
    // The child does not catch: it ends cancelled, and the cancellation
    // returns to the parent, whose catch point receives it only after the
    // child is done.
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let lc = l.clone();
        let child = create_task(async move {
            let lc2 = lc.clone();
            let _guard = finally(async move {
                sleep(2).await;
                push(&lc2, "child cleanup done");
            });
            sleep(3600).await;
        });
        let probe = child.as_task_ref().clone();
        let lp = l.clone();
        let parent = create_task(async move {
            match catch_cancelled(child).await {
                Ok(_) => push(&lp, "parent: child finished"),
                Err(e) => push(&lp, format!("parent caught {e}")),
            }
            7
        });
        sleep(0).await;
        parent.cancel_with("stop");
        assert_eq!((&parent).await.unwrap(), 7);
        assert!(probe.cancelled());
        assert_eq!(get_running_loop().unwrap().time(), 2.0);
    });
    assert_eq!(
        *log.borrow(),
        ["child cleanup done", "parent caught cancelled: stop"]
    );
}

#[test]
fn a_parent_without_a_catch_point_ends_cancelled_with_its_child() {
    run_virtual(async {
        let child = create_task(sleep(3600));
        let probe = child.as_task_ref().clone();
        let parent = create_task(async move { child.await.is_ok() });
        sleep(0).await;
        parent.cancel();
        let out = (&parent).await;
        assert!(out.unwrap_err().is_cancelled());
        assert!(parent.cancelled());
        assert!(probe.cancelled());
    });
}
