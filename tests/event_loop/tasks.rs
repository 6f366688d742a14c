//! `Task`: names, state queries, results, panics, done callbacks, Debug,
//! `!Send` futures, and CPython's wake order.

use crate::common::*;

use std::cell::{Cell, RefCell};
use std::future::IntoFuture;
use std::rc::Rc;

use asyncio::{
    Error, EventLoop, Runner, TaskRef, create_task, create_task_named, current_task,
    get_running_loop, sleep,
};

/// Yields to the loop `n` times.
async fn yields(n: usize) {
    for _ in 0..n {
        sleep(0).await;
    }
}

#[test]
fn default_names_count_from_task_1_for_the_main_task() {
    let lp = EventLoop::new().unwrap();
    let names = lp
        .run_until_complete(async {
            let main = current_task().unwrap().get_name();
            let second = create_task(async {});
            let third = create_task(async { current_task().unwrap().get_name() });
            let second_name = second.get_name();
            (main, second_name, third.await.unwrap())
        })
        .unwrap();
    assert_eq!(names, ("Task-1".into(), "Task-2".into(), "Task-3".into()));
}

#[test]
fn named_tasks_do_not_use_up_task_numbers() {
    // CPython's counter only advances for tasks created without a name.
    asyncio::run(async {
        let named = create_task_named(async {}, "named");
        let unnamed = create_task(async {});
        assert_eq!(named.get_name(), "named");
        assert_eq!(unnamed.get_name(), "Task-2");
    });
}

#[test]
fn each_run_numbers_its_own_tasks() {
    for _ in 0..2 {
        let name = asyncio::run(async { current_task().unwrap().get_name() });
        assert_eq!(name, "Task-1");
    }
}

#[test]
fn named_tasks_and_renaming() {
    asyncio::run(async {
        let task = create_task_named(
            async {
                let me = current_task().unwrap();
                let before = me.get_name();
                sleep(0).await;
                (before, me.get_name())
            },
            "worker",
        );
        assert_eq!(task.get_name(), "worker");
        sleep(0).await;
        task.set_name("renamed");
        assert_eq!(task.get_name(), "renamed");
        let (before, after) = task.await.unwrap();
        assert_eq!(before, "worker");
        assert_eq!(after, "renamed");

        // Renaming through current_task() is seen through the handle.
        let task = create_task(async {
            current_task().unwrap().set_name("self-named");
        });
        sleep(0).await;
        assert_eq!(task.get_name(), "self-named");
    });
}

#[test]
fn current_task_is_the_same_task_as_the_handle() {
    asyncio::run(async {
        let mut task = create_task(async { current_task().unwrap() });
        let inner: TaskRef = (&mut task).await.unwrap();
        assert!(inner.ptr_eq(task.as_task_ref()));
        assert_eq!(&inner, task.as_task_ref());
        assert!(inner.done());
        assert_ne!(inner, current_task().unwrap());
    });
}

#[test]
fn cancel_marks_the_task_cancelled_and_done() {
    asyncio::run(async {
        let mut task = create_task(sleep(3600));
        sleep(0).await;
        assert!(!task.done());
        assert!(!task.cancelled());
        assert!(task.cancel());
        assert_eq!(task.cancelling(), 1);
        // Requested, not yet delivered.
        assert!(!task.done());
        assert!(!task.cancelled());
        sleep(0).await;
        assert!(task.done());
        assert!(task.cancelled());
        assert_eq!(task.cancelling(), 1, "delivery does not reset the count");
        assert!(matches!(task.result(), Err(Error::Cancelled(_))));
        assert!(matches!(task.exception(), Err(Error::Cancelled(_))));
        let awaited = (&mut task).await;
        assert!(matches!(awaited, Err(Error::Cancelled(_))), "{awaited:?}");
    });
}

#[test]
fn result_and_exception_before_completion_are_invalid_state() {
    asyncio::run(async {
        let task = create_task(async {
            sleep(0.01).await;
            1
        });
        assert!(matches!(task.result(), Err(Error::InvalidState(_))));
        assert!(matches!(task.exception(), Err(Error::InvalidState(_))));
        sleep(0).await; // started, still pending
        assert!(matches!(task.result(), Err(Error::InvalidState(_))));
        assert!(matches!(
            task.as_task_ref().exception(),
            Err(Error::InvalidState(_))
        ));
        assert_eq!(task.await.unwrap(), 1);
    });
}

#[test]
fn result_and_exception_after_success() {
    asyncio::run(async {
        let task = create_task(async { String::from("value") });
        sleep(0).await;
        assert!(task.done());
        assert!(!task.cancelled());
        assert_eq!(task.result().unwrap(), "value");
        assert_eq!(
            task.result().unwrap(),
            "value",
            "result() can be asked again"
        );
        assert!(matches!(task.exception(), Ok(None)));
        assert_eq!(task.await.unwrap(), "value");
    });
}

#[test]
fn a_panicking_task_fails_and_the_loop_goes_on() {
    let log = new_log();
    let l = log.clone();
    asyncio::run(async move {
        let mut failing = create_task_named(
            async {
                if true {
                    panic!("task exploded (expected by the test)");
                }
                1
            },
            "failing",
        );
        let l2 = l.clone();
        let other = create_task(async move {
            sleep(0).await;
            push(&l2, "other task still runs");
            2
        });
        sleep(0).await;
        assert!(failing.done());
        assert!(!failing.cancelled());
        match failing.exception() {
            Ok(Some(Error::Panicked(p))) => {
                assert_eq!(p.message(), "task exploded (expected by the test)")
            }
            other => panic!("unexpected exception(): {other:?}"),
        }
        match (&mut failing).await {
            Err(Error::Panicked(p)) => {
                assert_eq!(p.message(), "task exploded (expected by the test)")
            }
            other => panic!("unexpected await outcome: {other:?}"),
        }
        assert!(format!("{failing:?}").contains("failed"));
        assert_eq!(other.await.unwrap(), 2);
        push(&l, "main done");
    });
    assert_eq!(*log.borrow(), ["other task still runs", "main done"]);
}

#[test]
fn done_callbacks_run_on_the_loop_after_the_step_in_registration_order() {
    let log = new_log();
    let l = log.clone();
    asyncio::run(async move {
        let l1 = l.clone();
        let task = create_task(async move {
            push(&l1, "body");
            // Scheduled inside the task's last step: a done callback run on
            // the loop must come after it, not inside the step.
            let l2 = l1.clone();
            get_running_loop()
                .unwrap()
                .call_soon(move || push(&l2, "soon from body"));
            7
        });
        for n in 1..=3 {
            let l = l.clone();
            task.add_done_callback(move |t: &TaskRef| {
                push(
                    &l,
                    format!("cb{n} done={} cancelled={}", t.done(), t.cancelled()),
                )
            });
        }
        let removed = {
            let l = l.clone();
            task.add_done_callback(move |_| push(&l, "removed callback ran"))
        };
        assert_eq!(task.remove_done_callback(removed), 1);
        assert_eq!(task.remove_done_callback(removed), 0);
        push(&l, "main before await");
        assert_eq!(task.await.unwrap(), 7);
        push(&l, "main after await");
        yields(2).await;
    });
    assert_eq!(
        *log.borrow(),
        [
            "main before await",
            "body",
            "soon from body",
            "cb1 done=true cancelled=false",
            "cb2 done=true cancelled=false",
            "cb3 done=true cancelled=false",
            "main after await",
        ]
    );
}

#[test]
fn done_callback_added_after_completion_runs_soon_not_inline() {
    let log = new_log();
    let l = log.clone();
    asyncio::run(async move {
        let task = create_task(async { 1 });
        sleep(0).await;
        assert!(task.done());
        let l2 = l.clone();
        let id = task.add_done_callback(move |t| push(&l2, format!("late cb {}", t.get_name())));
        push(&l, "after add");
        assert!(!l.borrow().iter().any(|e| e.starts_with("late cb")));
        sleep(0).await;
        assert_eq!(task.remove_done_callback(id), 0, "already ran");
    });
    assert_eq!(*log.borrow(), ["after add", "late cb Task-2"]);
}

#[test]
fn done_callbacks_run_for_cancelled_and_panicked_tasks() {
    let log = new_log();
    let l = log.clone();
    asyncio::run(async move {
        let cancelled = create_task_named(sleep(3600), "c");
        let panicked = create_task_named(
            async {
                if true {
                    panic!("boom (expected by the test)");
                }
            },
            "p",
        );
        for task in [cancelled.as_task_ref(), panicked.as_task_ref()] {
            let l = l.clone();
            task.add_done_callback(move |t| {
                push(&l, format!("{} cancelled={}", t.get_name(), t.cancelled()))
            });
        }
        sleep(0).await;
        cancelled.cancel();
        yields(3).await;
        assert!(panicked.await.unwrap_err().is_panic());
    });
    assert_eq!(*log.borrow(), ["p cancelled=false", "c cancelled=true"]);
}

#[test]
fn debug_format_shows_name_and_state() {
    asyncio::run(async {
        let task = create_task_named(sleep(3600), "sleeper");
        let pending = format!("{task:?}");
        assert!(pending.contains("name='sleeper'"), "{pending}");
        assert!(pending.contains("pending"), "{pending}");
        sleep(0).await;
        task.cancel();
        let cancelling = format!("{task:?}");
        assert!(cancelling.contains("cancelling"), "{cancelling}");
        sleep(0).await;
        let cancelled = format!("{:?}", task.as_task_ref());
        assert!(cancelled.contains("cancelled"), "{cancelled}");
        assert!(cancelled.contains("name='sleeper'"), "{cancelled}");

        let done = create_task_named(async { 1 }, "quick");
        sleep(0).await;
        let finished = format!("{done:?}");
        assert!(finished.contains("finished"), "{finished}");
        assert!(finished.contains("name='quick'"), "{finished}");
        // The creation site is part of the description.
        assert!(finished.contains("tasks.rs"), "{finished}");
        assert_eq!(done.location().file(), file!());
    });
}

#[test]
fn tasks_need_not_be_send() {
    let shared = Rc::new(Cell::new(0));
    let s = shared.clone();
    asyncio::run(async move {
        let mut tasks = Vec::new();
        for i in 1..=3 {
            let s = s.clone();
            let local = Rc::new(RefCell::new(vec![i]));
            tasks.push(create_task(async move {
                sleep(0).await; // the Rc lives across an await
                local.borrow_mut().push(i * 10);
                s.set(s.get() + local.borrow().iter().sum::<i32>());
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
    });
    assert_eq!(shared.get(), 11 + 22 + 33);
}

#[test]
fn the_creator_runs_first_and_children_start_in_creation_order() {
    let log = new_log();
    let l = log.clone();
    asyncio::run(async move {
        for name in ["A", "B", "C"] {
            let lt = l.clone();
            drop(create_task(async move {
                push(&lt, format!("{name} start"));
                sleep(0).await;
                push(&lt, format!("{name} resumed"));
            }));
            push(&l, format!("created {name}"));
        }
        push(&l, "main still running");
        sleep(0).await;
        push(&l, "main resumed");
        yields(2).await;
    });
    assert_eq!(
        *log.borrow(),
        [
            "created A",
            "created B",
            "created C",
            "main still running",
            "A start",
            "B start",
            "C start",
            "main resumed",
            "A resumed",
            "B resumed",
            "C resumed",
        ]
    );
}

#[test]
fn sleep_zero_yields_round_robin() {
    let log = new_log();
    let l = log.clone();
    asyncio::run(async move {
        let tasks: Vec<_> = ["A", "B", "C"]
            .into_iter()
            .map(|name| {
                let l = l.clone();
                create_task(async move {
                    for _ in 0..3 {
                        push(&l, name);
                        sleep(0).await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    assert_eq!(
        log.borrow().concat(),
        "ABCABCABC",
        "interleaving: {:?}",
        log.borrow()
    );
}

#[test]
fn waiters_of_one_future_wake_in_the_order_they_began_waiting() {
    let log = new_log();
    let l = log.clone();
    asyncio::run(async move {
        let fut: asyncio::Future<u32> = asyncio::Future::new();
        // Created 1, 2, 3; they start awaiting in the order 3, 2, 1.
        let mut tasks = Vec::new();
        for (name, delay) in [("w1", 2), ("w2", 1), ("w3", 0)] {
            let (l, fut) = (l.clone(), fut.clone());
            tasks.push(create_task(async move {
                yields(delay).await;
                push(&l, format!("{name} waits"));
                let v = fut.await.unwrap();
                push(&l, format!("{name} woke with {v}"));
            }));
        }
        yields(4).await;
        fut.set_result(9).unwrap();
        for task in tasks {
            task.await.unwrap();
        }
    });
    assert_eq!(
        *log.borrow(),
        [
            "w3 waits",
            "w2 waits",
            "w1 waits",
            "w3 woke with 9",
            "w2 woke with 9",
            "w1 woke with 9",
        ]
    );
}

#[test]
fn dropping_a_task_handle_detaches_the_task() {
    let log = new_log();
    let l = log.clone();
    Runner::new().virtual_time(true).run(async move {
        let l2 = l.clone();
        drop(create_task_named(
            async move {
                sleep(5.0).await;
                push(&l2, "detached task finished");
            },
            "detached",
        ));
        let names: Vec<_> = asyncio::all_tasks()
            .unwrap()
            .iter()
            .map(|t| t.get_name())
            .collect();
        assert!(names.contains(&"detached".to_string()), "{names:?}");
        sleep(10.0).await;
        push(&l, "main done");
        assert_eq!(asyncio::all_tasks().unwrap().len(), 1);
    });
    assert_eq!(*log.borrow(), ["detached task finished", "main done"]);
}

#[test]
fn awaiting_a_task_gives_its_output() {
    let out = asyncio::run(async {
        let a = create_task(async { 6 * 7 });
        let b = create_task(async {
            sleep(0.001).await;
            vec![1, 2]
        });
        (a.await.unwrap(), b.await.unwrap())
    });
    assert_eq!(out, (42, vec![1, 2]));
}

#[test]
fn tasks_created_on_a_loop_before_it_runs_start_when_it_runs() {
    let lp = EventLoop::new().unwrap();
    let log = new_log();
    let l = log.clone();
    let early = lp.create_task(async move {
        push(&l, "early task ran");
        3
    });
    assert_eq!(early.get_name(), "Task-1");
    assert!(log.borrow().is_empty());
    assert!(!early.done());
    let main_name = lp
        .run_until_complete(async { current_task().unwrap().get_name() })
        .unwrap();
    assert_eq!(main_name, "Task-2");
    assert_eq!(*log.borrow(), ["early task ran"]);
    assert_eq!(early.result().unwrap(), 3);
}

#[test]
fn get_coro_names_the_future_type() {
    asyncio::run(async {
        let task = create_task(sleep(1e-3));
        assert!(task.get_coro().contains("Sleep"), "{}", task.get_coro());
        task.await.unwrap();
    });
}

#[test]
fn remove_done_callback_ignores_ids_of_other_tasks() {
    let log = new_log();
    let l = log.clone();
    asyncio::run(async move {
        let a = create_task(async {});
        let b = create_task(async {});
        let la = l.clone();
        let id_a = a.add_done_callback(move |_| push(&la, "a callback"));
        let lb = l.clone();
        let _id_b = b.add_done_callback(move |_| push(&lb, "b callback"));
        assert_eq!(
            b.remove_done_callback(id_a),
            0,
            "id_a is not one of b's callbacks"
        );
        a.await.unwrap();
        b.await.unwrap();
        yields(2).await;
    });
    assert_eq!(*log.borrow(), ["a callback", "b callback"]);
}

#[test]
fn awaiting_a_task_by_reference_leaves_its_result_for_everyone() {
    run_virtual(async {
        let task = create_task(async {
            asyncio::sleep(1).await;
            String::from("done")
        });
        let (a, b) = futures::join!((&task).into_future(), (&task).into_future());
        assert_eq!((a.unwrap(), b.unwrap()), ("done".into(), "done".into()));
        // As Python's task.result(): as often as asked.
        assert_eq!(task.result().unwrap(), "done");
        assert_eq!(task.result().unwrap(), "done");
        // Awaiting the handle itself moves the output out.
        assert_eq!(task.await.unwrap(), "done");
    });
}

#[test]
fn a_task_of_another_loop_is_an_error_where_it_could_never_run() {
    let lp1 = EventLoop::new().unwrap();
    let lp2 = EventLoop::builder().virtual_time(true).build().unwrap();
    let stranger = lp1.create_task(asyncio::sleep(0.1));
    // Awaiting it on lp2 (even under wait_for): an error at once, not a hang.
    let out = lp2.run_until_complete(async move { asyncio::wait_for(stranger, 0.1).await });
    match out {
        Ok(Ok(Err(Error::Runtime(asyncio::RuntimeError::DifferentLoop)))) => {}
        other => panic!("unexpected: {other:?}"),
    }
    // On its own loop a task is awaited as usual.
    let own = lp1.create_task(async { 5 });
    assert_eq!(lp1.run_until_complete(own).unwrap().unwrap(), 5);
    // wait() and as_completed() say what was misused.
    let stranger = lp1.create_task(asyncio::sleep(0.1));
    let waited = lp2.run_until_complete(async move { asyncio::wait([stranger]).await });
    let message = waited.unwrap_err().to_string();
    assert!(
        message.contains("different") || message.contains("not the one running here"),
        "{message}"
    );
    lp1.close().unwrap();
    lp2.close().unwrap();
}
