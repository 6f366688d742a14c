//! `asyncio::Future<T>`: settable results awaited by any number of tasks,
//! done callbacks scheduled on the loop, and the InvalidState rules.

use crate::common::*;

use std::fmt;

use asyncio::{Error, EventLoop, Future, Runner, create_task, get_running_loop, sleep};

#[derive(Debug)]
struct Oops(&'static str);

impl fmt::Display for Oops {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "oops: {}", self.0)
    }
}

impl std::error::Error for Oops {}

#[test]
fn future_created_outside_a_running_loop_can_be_cancelled() {
    // The seed example: no loop is running here.
    let fut: Future<i32> = Future::new();
    assert!(!fut.done());
    assert!(!fut.cancelled());
    assert!(fut.cancel());
    assert!(fut.done());
    assert!(fut.cancelled());
    assert!(!fut.cancel(), "a second cancel finds it done");
}

#[test]
fn future_outside_a_loop_can_take_a_result() {
    let fut = Future::new();
    assert!(matches!(fut.result(), Err(Error::InvalidState(_))));
    fut.set_result("x").unwrap();
    assert_eq!(fut.result().unwrap(), "x");
}

#[test]
fn set_result_then_result_and_exception() {
    asyncio::run(async {
        let fut: Future<u32> = Future::new();
        assert!(!fut.done());
        assert!(matches!(fut.result(), Err(Error::InvalidState(_))));
        assert!(matches!(fut.exception(), Err(Error::InvalidState(_))));
        assert!(format!("{fut:?}").contains("pending"));

        fut.set_result(3).unwrap();
        assert!(fut.done());
        assert!(!fut.cancelled());
        assert_eq!(fut.result().unwrap(), 3);
        assert_eq!(fut.result().unwrap(), 3);
        assert!(matches!(fut.exception(), Ok(None)));
        assert!(format!("{fut:?}").contains("finished"));

        // Done is final.
        let again = fut.set_result(4).unwrap_err();
        assert!(!again.reason().is_empty());
        assert!(fut.set_exception(Oops("late")).is_err());
        assert!(!fut.cancel());
        assert!(!fut.cancelled());
        assert_eq!(fut.result().unwrap(), 3);
        assert_eq!(fut.await.unwrap(), 3);
    });
}

#[test]
fn set_exception_reaches_result_exception_and_await() {
    asyncio::run(async {
        let fut: Future<u32> = Future::new();
        fut.set_exception(Oops("bad input")).unwrap();
        assert!(fut.done());
        assert!(!fut.cancelled());
        match fut.result() {
            Err(Error::Exception(e)) => {
                assert_eq!(e.downcast_ref::<Oops>().unwrap().0, "bad input");
                assert_eq!(e.to_string(), "oops: bad input");
            }
            other => panic!("unexpected result(): {other:?}"),
        }
        assert!(matches!(fut.exception(), Ok(Some(Error::Exception(_)))));
        assert!(format!("{fut:?}").contains("oops: bad input"));
        assert!(fut.set_result(1).is_err());
        match fut.await {
            Err(Error::Exception(e)) => assert!(e.downcast_ref::<Oops>().is_some()),
            other => panic!("unexpected await outcome: {other:?}"),
        }
    });
}

#[test]
fn cancel_makes_result_and_exception_report_cancelled() {
    asyncio::run(async {
        let fut: Future<u32> = Future::new();
        assert!(fut.cancel_with("not needed"));
        assert!(fut.done());
        assert!(fut.cancelled());
        assert!(format!("{fut:?}").contains("cancelled"));
        match fut.result() {
            Err(Error::Cancelled(e)) => assert_eq!(e.message(), Some("not needed")),
            other => panic!("unexpected result(): {other:?}"),
        }
        assert!(matches!(fut.exception(), Err(Error::Cancelled(_))));
        assert!(fut.set_result(1).is_err());
        assert!(!fut.cancel());
        assert!(fut.clone().await.unwrap_err().is_cancelled());
    });
}

#[test]
fn awaited_by_many_tasks_each_gets_the_value() {
    let results = asyncio::run(async {
        let fut: Future<String> = Future::new();
        let waiters: Vec<_> = (0..4)
            .map(|i| {
                let fut = fut.clone();
                create_task(async move { format!("{i}:{}", fut.await.unwrap()) })
            })
            .collect();
        sleep(0).await;
        assert!(waiters.iter().all(|t| !t.done()));
        fut.set_result("shared".to_string()).unwrap();
        let mut out = Vec::new();
        for w in waiters {
            out.push(w.await.unwrap());
        }
        // Awaiting after completion also works, any number of times.
        out.push(fut.clone().await.unwrap());
        out.push(fut.await.unwrap());
        out
    });
    assert_eq!(
        results,
        [
            "0:shared", "1:shared", "2:shared", "3:shared", "shared", "shared"
        ]
    );
}

#[test]
fn done_callbacks_are_scheduled_on_the_loop_not_run_inside_set_result() {
    let log = new_log();
    let l = log.clone();
    asyncio::run(async move {
        let fut: Future<u32> = Future::new();
        for n in 1..=3 {
            let l = l.clone();
            fut.add_done_callback(move |f| push(&l, format!("cb{n} got {}", f.result().unwrap())));
        }
        let removed = {
            let l = l.clone();
            fut.add_done_callback(move |_| push(&l, "removed callback ran"))
        };
        assert_eq!(fut.remove_done_callback(removed), 1);
        assert_eq!(fut.remove_done_callback(removed), 0);
        push(&l, "before set_result");
        fut.set_result(5).unwrap();
        push(&l, "set_result returned");
        sleep(0).await;
        push(&l, "main after yield");
    });
    assert_eq!(
        *log.borrow(),
        [
            "before set_result",
            "set_result returned",
            "cb1 got 5",
            "cb2 got 5",
            "cb3 got 5",
            "main after yield"
        ]
    );
}

#[test]
fn done_callback_added_after_done_runs_soon() {
    let log = new_log();
    let l = log.clone();
    asyncio::run(async move {
        let fut: Future<u32> = Future::new();
        fut.set_result(1).unwrap();
        let l2 = l.clone();
        let id = fut.add_done_callback(move |_| push(&l2, "late callback"));
        push(&l, "added");
        sleep(0).await;
        assert_eq!(fut.remove_done_callback(id), 0);
    });
    assert_eq!(*log.borrow(), ["added", "late callback"]);
}

#[test]
fn a_loops_future_runs_its_callbacks_when_that_loop_runs() {
    let lp = EventLoop::new().unwrap();
    let log = new_log();
    let fut: Future<&str> = lp.create_future();
    {
        let l = log.clone();
        fut.add_done_callback(move |f| push(&l, format!("callback: {}", f.result().unwrap())));
    }
    fut.set_result("set before run").unwrap();
    assert!(log.borrow().is_empty(), "not run inside set_result");
    lp.run_until_complete(sleep(0)).unwrap();
    assert_eq!(*log.borrow(), ["callback: set before run"]);
}

#[test]
fn a_timer_callback_can_resolve_a_future() {
    let (value, at) = Runner::new().virtual_time(true).run(async {
        let lp = get_running_loop().unwrap();
        let fut: Future<&str> = Future::new();
        let setter = fut.clone();
        lp.call_later(2.5, move || setter.set_result("timer").unwrap());
        let value = fut.await.unwrap();
        (value, lp.time())
    });
    assert_eq!(value, "timer");
    assert_eq!(at, 2.5);
}

#[test]
fn future_default_is_pending() {
    asyncio::run(async {
        let fut: Future<()> = Future::default();
        assert!(!fut.done());
        let setter = fut.clone();
        create_task(async move { setter.set_result(()).unwrap() })
            .await
            .unwrap();
        assert!(fut.done());
    });
}

#[test]
fn remove_done_callback_ignores_ids_of_other_futures() {
    let log = new_log();
    let l = log.clone();
    asyncio::run(async move {
        let a: Future<()> = Future::new();
        let b: Future<()> = Future::new();
        let la = l.clone();
        let id_a = a.add_done_callback(move |_| push(&la, "a callback"));
        let lb = l.clone();
        let _id_b = b.add_done_callback(move |_| push(&lb, "b callback"));
        assert_eq!(
            b.remove_done_callback(id_a),
            0,
            "id_a is not one of b's callbacks"
        );
        a.set_result(()).unwrap();
        b.set_result(()).unwrap();
        sleep(0).await;
    });
    assert_eq!(*log.borrow(), ["a callback", "b callback"]);
}
