//! `task_group`: children that borrow, the first failure cancelling the
//! siblings and the body, errors collected, outside cancellation winning,
//! and children behaving as tasks (names, own cancellation, own timeouts).

use crate::common::*;

use std::cell::{Cell, RefCell};

use asyncio::{
    Error, TaskGroupError, catch_cancelled, create_task, current_task, finally, get_running_loop,
    sleep, task_group, wait_for,
};

fn now() -> f64 {
    get_running_loop().unwrap().time()
}

#[test]
fn children_borrow_locals_and_the_group_waits_for_all() {
    run_virtual(async {
        let total = Cell::new(0);
        let names = RefCell::new(Vec::new());
        let out = task_group(async |tg| {
            for d in [3, 1, 2] {
                let (total, names) = (&total, &names);
                tg.create_task(async move {
                    sleep(d).await;
                    total.set(total.get() + d);
                    names.borrow_mut().push(d);
                });
            }
            "body done"
        })
        .await;
        assert_eq!(out.unwrap(), "body done");
        assert_eq!(now(), 3.0, "returned only after the slowest child");
        assert_eq!(total.get(), 6);
        assert_eq!(*names.borrow(), [1, 2, 3]);
    });
}

#[test]
fn children_start_when_the_body_yields_in_creation_order() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let log = &l;
        task_group(async |tg| {
            for name in ["a", "b"] {
                tg.create_task(async move {
                    push(log, format!("{name} starts"));
                    sleep(0).await;
                    push(log, format!("{name} resumes"));
                });
            }
            push(log, "body before yield");
            sleep(0).await;
            push(log, "body after yield");
        })
        .await
        .unwrap();
    });
    assert_eq!(
        *log.borrow(),
        [
            "body before yield",
            "a starts",
            "b starts",
            "body after yield",
            "a resumes",
            "b resumes"
        ]
    );
}

#[test]
fn first_failure_cancels_siblings_and_body_after_their_cleanups() {
    let log = new_log();
    let l = log.clone();
    let err = run_virtual(async move {
        let out = task_group(async |tg| {
            let l1 = l.clone();
            tg.create_task(async move {
                let l2 = l1.clone();
                let _cleanup = finally(async move {
                    sleep(1).await; // async cleanup takes time
                    push(&l2, format!("sibling cleaned up at {}", now()));
                });
                sleep(3600).await;
                push(&l1, "sibling finished (must not happen)");
            });
            tg.create_task(async {
                sleep(2).await;
                panic!("child failed");
            });
            match catch_cancelled(sleep(3600)).await {
                Ok(()) => push(&l, "body finished (must not happen)"),
                Err(_) => push(&l, format!("body cancelled at {}", now())),
            }
        })
        .await;
        push(&l, format!("group returned at {}", now()));
        out.unwrap_err()
    });
    assert_eq!(
        *log.borrow(),
        [
            "body cancelled at 2",
            "sibling cleaned up at 3",
            "group returned at 3"
        ]
    );
    assert_eq!(err.errors().len(), 1);
    assert!(err.errors()[0].is_panic());
    assert!(err.to_string().contains("child failed"), "{err}");
}

#[test]
fn all_failures_are_collected_in_order() {
    let err: TaskGroupError = run_virtual(async {
        task_group(async |tg| {
            for (d, what) in [(2, "second"), (1, "first")] {
                tg.create_task(async move {
                    sleep(d).await;
                    panic!("{what}");
                });
            }
            // This one fails while being cancelled: also collected.
            tg.create_task(async {
                let _boom = finally(async {
                    panic!("cleanup panics are reported, not collected");
                });
                if catch_cancelled(sleep(3600)).await.is_err() {
                    panic!("third, while cancelled");
                }
            });
        })
        .await
        .unwrap_err()
    });
    let messages: Vec<String> = err.errors().iter().map(|e| e.to_string()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].contains("first"), "{messages:?}");
    assert!(
        messages[1].contains("third, while cancelled"),
        "{messages:?}"
    );
}

#[test]
fn try_task_errors_fail_the_group_and_ok_values_come_through() {
    run_virtual(async {
        let mut kept = None;
        let err = task_group(async |tg| {
            kept = Some(tg.create_try_task(async {
                sleep(1).await;
                Ok::<_, std::io::Error>(5)
            }));
            tg.create_try_task(async {
                sleep(2).await;
                Err::<(), _>(std::io::Error::other("disk full"))
            });
        })
        .await
        .unwrap_err();
        assert_eq!(kept.unwrap().result().unwrap(), 5);
        match &err.errors()[0] {
            Error::Exception(e) => assert_eq!(e.to_string(), "disk full"),
            other => panic!("expected an exception, got {other:?}"),
        }
    });
}

#[test]
fn a_panicking_body_fails_the_group_and_cancels_children() {
    let log = new_log();
    let l = log.clone();
    let err = run_virtual(async move {
        let log = &l;
        task_group(async |tg| {
            tg.create_task(async {
                if catch_cancelled(sleep(3600)).await.is_err() {
                    push(log, format!("child cancelled at {}", now()));
                }
            });
            sleep(1).await;
            panic!("body failed");
        })
        .await
        .unwrap_err()
    });
    assert_eq!(*log.borrow(), ["child cancelled at 1"]);
    assert!(err.errors()[0].to_string().contains("body failed"));
}

#[test]
fn a_failure_during_an_outside_cancellation_is_returned_and_the_cancellation_kept() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let l2 = l.clone();
        let runner = create_task(async move {
            let l3 = l2.clone();
            let out = task_group(async |tg| {
                tg.create_task(async {
                    let l4 = l3.clone();
                    let _cleanup = finally(async move {
                        sleep(1).await;
                        push(&l4, format!("child cleaned up at {}", now()));
                    });
                    sleep(3600).await;
                });
                // Fails while being cancelled: the failures are returned
                // and the cancellation stays pending (CPython 3.13).
                tg.create_task(async {
                    if catch_cancelled(sleep(3600)).await.is_err() {
                        panic!("failed during cancellation");
                    }
                });
                sleep(3600).await;
            })
            .await;
            push(&l2, format!("group returned {}", out.is_ok()));
        });
        sleep(1).await;
        runner.cancel();
        let outcome = (&runner).await;
        push(
            &l,
            format!("runner cancelled={} at {}", runner.cancelled(), now()),
        );
        assert!(outcome.unwrap_err().is_cancelled());
    });
    assert_eq!(
        *log.borrow(),
        [
            "child cleaned up at 2",
            "group returned false",
            "runner cancelled=true at 2"
        ]
    );
}

#[test]
fn outside_cancellation_can_be_caught_around_the_group() {
    run_virtual(async {
        let runner = create_task(async {
            let finished = Cell::new(false);
            let caught = catch_cancelled(task_group(async |tg| {
                tg.create_task(async {
                    let _ = catch_cancelled(sleep(3600)).await;
                    sleep(1).await; // keeps running after catching it
                    finished.set(true);
                });
                sleep(3600).await;
            }))
            .await;
            (caught.is_err(), finished.get(), now())
        });
        sleep(1).await;
        runner.cancel();
        assert_eq!(runner.await.unwrap(), (true, true, 2.0));
    });
}

#[test]
fn wait_for_around_a_group_times_out_after_the_children_are_done() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let log = &l;
        let out = wait_for(
            task_group(async |tg| {
                tg.create_task(async {
                    let log = log.clone();
                    let _cleanup = finally(async move {
                        sleep(0.5).await;
                        push(&log, format!("child cleanup done at {}", now()));
                    });
                    sleep(3600).await;
                });
                sleep(3600).await;
            }),
            1,
        )
        .await;
        push(log, format!("timed out: {} at {}", out.is_err(), now()));
    });
    assert_eq!(
        *log.borrow(),
        ["child cleanup done at 1.5", "timed out: true at 1.5"]
    );
}

#[test]
fn a_timeout_inside_the_body_does_not_cancel_the_group() {
    run_virtual(async {
        let out = task_group(async |tg| {
            let child = tg.create_task(async {
                sleep(2).await;
                "child"
            });
            let timed_out = wait_for(sleep(10), 1).await.is_err();
            (timed_out, child)
        })
        .await
        .unwrap();
        assert!(out.0);
        assert_eq!(out.1.result().unwrap(), "child");
        assert_eq!(now(), 2.0);
    });
}

#[test]
// The body hands the child's Task out on purpose, to read it afterwards.
#[allow(clippy::async_yields_async)]
fn a_child_has_its_own_timeouts_and_identity() {
    run_virtual(async {
        let out = task_group(async |tg| {
            let child = tg.create_task_named(
                async {
                    let me = current_task().unwrap();
                    let timed_out = wait_for(sleep(10), 1).await.is_err();
                    (me.get_name(), timed_out, me.cancelling())
                },
                "worker",
            );
            sleep(5).await;
            child
        })
        .await
        .unwrap();
        assert_eq!(
            out.result().unwrap(),
            ("worker".to_string(), true, 0),
            "the child's own timeout cancelled only the child's await"
        );
    });
}

#[test]
fn cancelling_one_child_does_not_abort_the_group() {
    run_virtual(async {
        let out = task_group(async |tg| {
            let victim = tg.create_task(sleep(3600));
            let other = tg.create_task(async {
                sleep(2).await;
                "other"
            });
            sleep(1).await;
            victim.cancel();
            let victim_outcome = (&victim).await;
            (victim_outcome.unwrap_err().is_cancelled(), other)
        })
        .await
        .unwrap();
        assert!(out.0);
        assert_eq!(out.1.result().unwrap(), "other");
    });
}

#[test]
fn the_body_may_await_its_children() {
    run_virtual(async {
        let sum = task_group(async |tg| {
            let a = tg.create_task(async {
                sleep(1).await;
                20
            });
            let b = tg.create_task(async {
                sleep(2).await;
                22
            });
            a.await.unwrap() + b.await.unwrap()
        })
        .await
        .unwrap();
        assert_eq!(sum, 42);
    });
}

#[test]
fn children_may_create_siblings() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let log = &l;
        task_group(async |tg| {
            let handle = tg.clone();
            tg.create_task(async move {
                sleep(1).await;
                handle.create_task(async move {
                    sleep(1).await;
                    push(log, format!("grandchild at {}", now()));
                });
                push(log, "child done");
            });
        })
        .await
        .unwrap();
        push(log, format!("group done at {}", now()));
    });
    assert_eq!(
        *log.borrow(),
        ["child done", "grandchild at 2", "group done at 2"]
    );
}

#[test]
fn tasks_created_while_aborting_never_run() {
    let ran = std::rc::Rc::new(Cell::new(false));
    let r = ran.clone();
    let err = run_virtual(async move {
        let ran = &r;
        task_group(async |tg| {
            tg.create_task(async {
                sleep(1).await;
                panic!("boom");
            });
            let _ = catch_cancelled(sleep(3600)).await;
            let late = tg.create_task(async { ran.set(true) });
            assert!((&late).await.unwrap_err().is_cancelled());
        })
        .await
        .unwrap_err()
    });
    assert!(!ran.get());
    assert_eq!(err.errors().len(), 1);
}

#[test]
fn an_empty_group_returns_at_once() {
    run_virtual(async {
        let out = task_group(async |_tg| 7).await;
        assert_eq!(out.unwrap(), 7);
        assert_eq!(now(), 0.0);
    });
}

#[test]
#[should_panic(expected = "the task group has already returned")]
fn create_task_after_the_group_returned_panics() {
    run_virtual(async {
        let kept = RefCell::new(None);
        task_group(async |tg| {
            *kept.borrow_mut() = Some(tg.clone());
        })
        .await
        .unwrap();
        let tg = kept.borrow_mut().take().unwrap();
        tg.create_task(async {});
    });
}

#[test]
fn dropping_the_group_future_ends_its_children_cancelled() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let kept = RefCell::new(None);
        {
            let group = std::pin::pin!(task_group(async |tg| {
                *kept.borrow_mut() = Some(tg.create_task(async {
                    let l = l.clone();
                    let _cleanup = finally(async move { push(&l, "child cleanup ran") });
                    sleep(3600).await;
                }));
                sleep(3600).await;
            }));
            let mut group = group;
            // One poll starts the body and the child; then the future is dropped.
            std::future::poll_fn(|cx| {
                assert!(group.as_mut().poll(cx).is_pending());
                std::task::Poll::Ready(())
            })
            .await;
        }
        let child = kept.borrow_mut().take().unwrap();
        assert!(child.done() && child.cancelled());
        sleep(0).await;
        sleep(0).await;
    });
    assert_eq!(*log.borrow(), ["child cleanup ran"]);
}
