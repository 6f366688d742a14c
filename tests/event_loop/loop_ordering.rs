//! The event loop's ordering rules (Python's `BaseEventLoop._run_once`),
//! `stop`/`run_*` state errors, and callback handles.
//!
//! Every test asserts an event log; timers run on a virtual clock so that
//! deadlines are exact and nothing really waits.

use crate::common::*;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use asyncio::{Error, EventLoop, RuntimeError, sleep};

/// A callback that appends `entry` to `log`.
fn logs(log: &Log, entry: &str) -> impl FnOnce() + 'static {
    let log = log.clone();
    let entry = entry.to_owned();
    move || log.borrow_mut().push(entry)
}

/// A callback that appends `entry` and the loop time to `log`.
fn logs_at(lp: &EventLoop, log: &Log, entry: &str) -> impl FnOnce() + 'static {
    let (lp, log, entry) = (lp.clone(), log.clone(), entry.to_owned());
    move || log.borrow_mut().push(format!("{entry}@{}", lp.time()))
}

fn virtual_loop() -> EventLoop {
    EventLoop::builder().virtual_time(true).build().unwrap()
}

fn stopper(lp: &EventLoop) -> impl FnOnce() + 'static {
    let lp = lp.clone();
    move || lp.stop()
}

#[test]
fn call_soon_callbacks_run_in_fifo_order() {
    let lp = EventLoop::new().unwrap();
    let log = new_log();
    for name in ["a", "b", "c", "d", "e"] {
        lp.call_soon(logs(&log, name));
    }
    lp.call_soon(stopper(&lp));
    lp.run_forever().unwrap();
    assert_eq!(*log.borrow(), ["a", "b", "c", "d", "e"]);
    lp.close().unwrap();
}

#[test]
fn callbacks_scheduled_by_callbacks_run_after_the_queued_ones() {
    let lp = EventLoop::new().unwrap();
    let log = new_log();
    {
        let (l, log2) = (lp.clone(), log.clone());
        lp.call_soon(move || {
            log2.borrow_mut().push("a".into());
            l.call_soon(logs(&log2, "a-child"));
        });
    }
    lp.call_soon(logs(&log, "b"));
    lp.run_until_complete(async {
        sleep(0).await;
        sleep(0).await;
    })
    .unwrap();
    assert_eq!(*log.borrow(), ["a", "b", "a-child"]);
}

#[test]
fn stop_lets_the_current_batch_finish_and_defers_new_callbacks() {
    let lp = EventLoop::new().unwrap();
    let log = new_log();
    {
        let (l, log2) = (lp.clone(), log.clone());
        lp.call_soon(move || {
            log2.borrow_mut().push("a".into());
            // Scheduled during the batch: must wait for the next run.
            l.call_soon(logs(&log2, "scheduled-during-batch"));
        });
    }
    {
        let (l, log2) = (lp.clone(), log.clone());
        lp.call_soon(move || {
            log2.borrow_mut().push("stop".into());
            l.stop();
        });
    }
    lp.call_soon(logs(&log, "b"));
    lp.run_forever().unwrap();
    assert_eq!(*log.borrow(), ["a", "stop", "b"]);
    assert!(!lp.is_running());

    // The deferred callback runs on the next run (one batch: stop first).
    lp.stop();
    lp.run_forever().unwrap();
    assert_eq!(*log.borrow(), ["a", "stop", "b", "scheduled-during-batch"]);
}

/// A callback that logs `n` and schedules itself with `n + 1`, forever.
fn chain(lp: EventLoop, log: Log, n: u32) {
    log.borrow_mut().push(format!("step{n}"));
    let l = lp.clone();
    lp.call_soon(move || chain(l, log, n + 1));
}

#[test]
fn stop_before_run_forever_runs_exactly_one_batch() {
    let lp = EventLoop::new().unwrap();
    let log = new_log();
    {
        let (l, log2) = (lp.clone(), log.clone());
        lp.call_soon(move || chain(l, log2, 0));
    }
    lp.call_soon(logs(&log, "other"));
    lp.stop();
    lp.run_forever().unwrap();
    assert_eq!(*log.borrow(), ["step0", "other"]);

    lp.stop();
    lp.run_forever().unwrap();
    assert_eq!(*log.borrow(), ["step0", "other", "step1"]);

    lp.stop();
    lp.run_forever().unwrap();
    assert_eq!(*log.borrow(), ["step0", "other", "step1", "step2"]);
}

#[test]
fn stop_is_reset_after_run_forever_returns() {
    // `stop()` consumed by one run does not stop the next one early.
    let lp = virtual_loop();
    let log = new_log();
    lp.stop();
    lp.run_forever().unwrap();
    lp.call_later(1.0, logs(&log, "timer"));
    lp.call_later(2.0, stopper(&lp));
    lp.run_forever().unwrap();
    assert_eq!(*log.borrow(), ["timer"]);
    assert_eq!(lp.time(), 2.0);
}

#[test]
fn already_queued_callbacks_run_before_expired_timers() {
    let lp = virtual_loop();
    let log = new_log();
    // The timers are scheduled first and are already due...
    lp.call_at(0.0, logs(&log, "timer-at-0"));
    lp.call_later(0.0, logs(&log, "timer-later-0"));
    // ...but the ready callbacks go first, as in CPython's _run_once.
    lp.call_soon(logs(&log, "soon-1"));
    lp.call_soon(logs(&log, "soon-2"));
    lp.run_until_complete(sleep(1.0)).unwrap();
    assert_eq!(
        *log.borrow(),
        ["soon-1", "soon-2", "timer-at-0", "timer-later-0"]
    );
}

#[test]
fn expired_timers_run_before_callbacks_they_see_scheduled_later() {
    // Due timers are appended behind the batch; callbacks scheduled while
    // that batch runs come after the timers.
    let lp = virtual_loop();
    let log = new_log();
    lp.call_later(0.0, logs(&log, "timer"));
    {
        let (l, log2) = (lp.clone(), log.clone());
        lp.call_soon(move || {
            log2.borrow_mut().push("soon".into());
            l.call_soon(logs(&log2, "soon-child"));
        });
    }
    lp.run_until_complete(sleep(1.0)).unwrap();
    assert_eq!(*log.borrow(), ["soon", "timer", "soon-child"]);
}

#[test]
fn timers_run_by_deadline_and_fifo_on_equal_deadlines() {
    let lp = virtual_loop();
    let log = new_log();
    lp.call_later(0.3, logs_at(&lp, &log, "a"));
    lp.call_at(0.2, logs_at(&lp, &log, "tie-1"));
    lp.call_later(0.1, logs_at(&lp, &log, "b"));
    lp.call_at(0.2, logs_at(&lp, &log, "tie-2"));
    lp.call_later(0.2, logs_at(&lp, &log, "tie-3"));
    lp.call_at(0.2, logs_at(&lp, &log, "tie-4"));
    lp.run_until_complete(sleep(1.0)).unwrap();
    assert_eq!(
        *log.borrow(),
        [
            "b@0.1",
            "tie-1@0.2",
            "tie-2@0.2",
            "tie-3@0.2",
            "tie-4@0.2",
            "a@0.3"
        ]
    );
    assert_eq!(lp.time(), 1.0);
}

#[test]
fn call_later_in_virtual_time_orders_by_delay_and_is_exact() {
    let lp = virtual_loop();
    let log = new_log();
    for delay in [5u32, 1, 4, 2, 3] {
        lp.call_later(f64::from(delay), logs_at(&lp, &log, &format!("d{delay}")));
    }
    // A timer scheduled by a timer counts from the time it runs.
    {
        let (l, log2) = (lp.clone(), log.clone());
        lp.call_later(2.5, move || {
            l.call_later(0.25, logs_at(&l, &log2, "nested"));
        });
    }
    lp.call_later(10, stopper(&lp));
    lp.run_forever().unwrap();
    assert_eq!(
        *log.borrow(),
        ["d1@1", "d2@2", "nested@2.75", "d3@3", "d4@4", "d5@5"]
    );
    assert_eq!(lp.time(), 10.0);
}

#[test]
fn virtual_sleep_of_an_hour_is_exact() {
    let lp = virtual_loop();
    assert!(lp.is_virtual_time());
    assert_eq!(lp.time(), 0.0);
    lp.run_until_complete(sleep(3600.0)).unwrap();
    assert_eq!(lp.time(), 3600.0);
    lp.run_until_complete(sleep(std::time::Duration::from_millis(1500)))
        .unwrap();
    assert_eq!(lp.time(), 3601.5);
}

#[test]
fn virtual_sleeps_in_tasks_wake_by_deadline() {
    let lp = virtual_loop();
    let log = new_log();
    let log2 = log.clone();
    let l = lp.clone();
    lp.run_until_complete(async move {
        let mut tasks = Vec::new();
        for (name, delay) in [("three", 3.0), ("one", 1.0), ("two", 2.0), ("one-b", 1.0)] {
            let (log, l) = (log2.clone(), l.clone());
            tasks.push(asyncio::create_task(async move {
                sleep(delay).await;
                log.borrow_mut().push(format!("{name}@{}", l.time()));
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
    })
    .unwrap();
    assert_eq!(*log.borrow(), ["one@1", "one-b@1", "two@2", "three@3"]);
}

#[test]
fn run_until_complete_returns_as_soon_as_its_future_is_done() {
    let lp = virtual_loop();
    let log = new_log();
    lp.call_later(100.0, logs(&log, "late timer"));
    let background = {
        let log = log.clone();
        lp.create_task(async move {
            sleep(50.0).await;
            log.borrow_mut().push("background done".into());
        })
    };
    let out = lp.run_until_complete(async {
        sleep(1.0).await;
        7
    });
    assert_eq!(out.unwrap(), 7);
    assert_eq!(lp.time(), 1.0);
    assert!(log.borrow().is_empty());
    assert!(!background.done());

    // The rest is still there for the next run.
    lp.run_until_complete(sleep(200.0)).unwrap();
    assert_eq!(*log.borrow(), ["background done", "late timer"]);
    assert!(background.done());
}

#[test]
fn run_until_complete_returns_despite_an_endless_callback_chain() {
    let lp = EventLoop::new().unwrap();
    let log = new_log();
    {
        let (l, log2) = (lp.clone(), log.clone());
        lp.call_soon(move || chain(l, log2, 0));
    }
    let out = lp.run_until_complete(async {
        for _ in 0..3 {
            sleep(0).await;
        }
        "done"
    });
    assert_eq!(out.unwrap(), "done");
    // Bounded: the loop stopped soon after the future finished.
    let steps = log.borrow().len();
    assert!((3..10).contains(&steps), "{steps} chained steps ran");
}

#[test]
fn stop_before_run_until_complete_reports_stopped_and_the_loop_stays_usable() {
    let lp = virtual_loop();
    let work = lp.create_task(async {
        sleep(1.0).await;
        5
    });
    lp.stop();
    let err = lp.run_until_complete(sleep(2.0)).unwrap_err();
    assert!(
        matches!(err, Error::Runtime(RuntimeError::StoppedBeforeComplete)),
        "{err:?}"
    );
    assert!(!lp.is_running());
    assert!(!work.done());
    assert_eq!(lp.time(), 0.0);

    // Run again: the work completes.
    let out = lp.run_until_complete(work).unwrap();
    assert_eq!(out.unwrap(), 5);
    assert_eq!(lp.time(), 1.0);
}

#[test]
fn stop_from_inside_the_future_reports_stopped_before_complete() {
    let lp = virtual_loop();
    let l = lp.clone();
    let finished = Rc::new(Cell::new(false));
    let f = finished.clone();
    let err = lp
        .run_until_complete(async move {
            l.stop();
            sleep(0.5).await;
            f.set(true);
        })
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Runtime(RuntimeError::StoppedBeforeComplete)
    ));
    assert!(!finished.get());
    // The loop is usable; the first future's task is still scheduled and
    // finishes while the loop runs again.
    assert_eq!(lp.run_until_complete(async { 8 }).unwrap(), 8);
    lp.run_until_complete(sleep(1.0)).unwrap();
    assert!(finished.get());
}

#[test]
fn run_on_a_running_loop_is_already_running() {
    let lp = EventLoop::new().unwrap();
    let l = lp.clone();
    let (nested, forever, tasks_before, tasks_after) = lp
        .run_until_complete(async move {
            let before = l.all_tasks().len();
            let nested = l.run_until_complete(async { 1 });
            let forever = l.run_forever();
            let after = l.all_tasks().len();
            (nested.map_err(|e| e.to_string()), forever, before, after)
        })
        .unwrap();
    assert_eq!(
        nested,
        Err(RuntimeError::AlreadyRunning.to_string()),
        "run_until_complete inside the loop"
    );
    assert_eq!(forever, Err(RuntimeError::AlreadyRunning));
    // The refused call did not leave a task behind.
    assert_eq!(tasks_before, tasks_after);
}

#[test]
fn run_until_complete_error_kinds_on_a_running_loop() {
    let lp = EventLoop::new().unwrap();
    let l = lp.clone();
    let ok = lp
        .run_until_complete(async move {
            matches!(
                l.run_until_complete(async {}),
                Err(Error::Runtime(RuntimeError::AlreadyRunning))
            )
        })
        .unwrap();
    assert!(ok);
}

#[test]
fn close_on_a_running_loop_is_refused() {
    let lp = EventLoop::new().unwrap();
    let l = lp.clone();
    let (closed, running) = lp
        .run_until_complete(async move { (l.close(), l.is_running()) })
        .unwrap();
    assert_eq!(closed, Err(RuntimeError::CloseWhileRunning));
    assert!(running);
    assert!(!lp.is_closed());
    assert!(!lp.is_running());
    assert_eq!(lp.run_until_complete(async { 3 }).unwrap(), 3);
    lp.close().unwrap();
    assert!(lp.is_closed());
}

#[test]
fn run_on_a_closed_loop_is_closed() {
    let lp = EventLoop::new().unwrap();
    lp.close().unwrap();
    assert!(lp.is_closed());
    assert_eq!(lp.run_forever(), Err(RuntimeError::Closed));
    let err = lp.run_until_complete(async { 1 }).unwrap_err();
    assert!(
        matches!(err, Error::Runtime(RuntimeError::Closed)),
        "{err:?}"
    );
    // Closing again is a no-op.
    assert_eq!(lp.close(), Ok(()));
}

#[test]
fn a_second_loop_inside_a_running_one_is_another_loop_running() {
    let outer = EventLoop::new().unwrap();
    let inner = EventLoop::new().unwrap();
    let i = inner.clone();
    let (until, forever) = outer
        .run_until_complete(async move {
            let until = matches!(
                i.run_until_complete(async { 1 }),
                Err(Error::Runtime(RuntimeError::AnotherLoopRunning))
            );
            (until, i.run_forever())
        })
        .unwrap();
    assert!(until);
    assert_eq!(forever, Err(RuntimeError::AnotherLoopRunning));
    // Once the outer loop is done the inner one runs fine.
    assert_eq!(inner.run_until_complete(async { 2 }).unwrap(), 2);
}

#[test]
fn handle_cancel_prevents_the_callback() {
    let lp = EventLoop::new().unwrap();
    let log = new_log();
    let keep = lp.call_soon(logs(&log, "kept"));
    let dropped = lp.call_soon(logs(&log, "cancelled"));
    assert!(!dropped.cancelled());
    dropped.cancel();
    assert!(dropped.cancelled());
    assert!(format!("{dropped:?}").contains("cancelled"));
    lp.run_until_complete(sleep(0)).unwrap();
    assert_eq!(*log.borrow(), ["kept"]);
    // Cancelling after it ran has no effect.
    keep.cancel();
    assert!(!keep.cancelled());
}

#[test]
fn timer_handle_cancel_prevents_the_callback_and_reports_when() {
    let lp = virtual_loop();
    let log = new_log();
    let kept = lp.call_later(1.5, logs_at(&lp, &log, "kept"));
    let cancelled = lp.call_at(1.0, logs_at(&lp, &log, "cancelled"));
    assert_eq!(kept.when(), 1.5);
    assert_eq!(cancelled.when(), 1.0);
    cancelled.cancel();
    assert!(cancelled.cancelled());
    assert!(!kept.cancelled());
    lp.run_until_complete(sleep(2)).unwrap();
    assert_eq!(*log.borrow(), ["kept@1.5"]);
    kept.cancel();
    assert!(!kept.cancelled(), "cancel after it ran is a no-op");

    // `when` is absolute on the loop clock.
    let later = lp.call_later(0.5, || {});
    assert_eq!(later.when(), 2.5);
}

#[test]
fn a_cancelled_timer_does_not_advance_virtual_time() {
    let lp = virtual_loop();
    let log = new_log();
    let far = lp.call_later(3600.0, logs(&log, "far"));
    far.cancel();
    lp.run_until_complete(sleep(1.0)).unwrap();
    assert_eq!(lp.time(), 1.0);
    assert!(log.borrow().is_empty());
}

#[test]
fn a_panicking_callback_does_not_stop_the_loop() {
    let lp = EventLoop::new().unwrap();
    let log = new_log();
    lp.call_soon(|| panic!("callback failure (expected by the test)"));
    lp.call_soon(logs(&log, "after"));
    lp.run_until_complete(sleep(0)).unwrap();
    assert_eq!(*log.borrow(), ["after"]);
}

#[test]
fn tasks_and_callbacks_share_one_fifo() {
    let lp = EventLoop::new().unwrap();
    let log = new_log();
    let l = lp.clone();
    let log2 = log.clone();
    lp.run_until_complete(async move {
        let log3 = log2.clone();
        let task = asyncio::create_task(async move { log3.borrow_mut().push("task".into()) });
        l.call_soon(logs(&log2, "callback"));
        log2.borrow_mut().push("main".into());
        task.await.unwrap();
        sleep(0).await;
    })
    .unwrap();
    assert_eq!(*log.borrow(), ["main", "task", "callback"]);
}

#[test]
fn a_sleep_resumes_one_iteration_after_its_timer_fires() {
    // As in CPython: the sleep's timer only schedules the task, so a timer
    // callback due at the same deadline (scheduled later) runs first.
    let lp = virtual_loop();
    let log = new_log();
    let l = lp.clone();
    let log2 = log.clone();
    lp.run_until_complete(async move {
        let log3 = log2.clone();
        let sleeper = asyncio::create_task(async move {
            sleep(1.0).await;
            log3.borrow_mut().push("task woke".into());
        });
        sleep(0).await; // the sleeper arms its timer first
        l.call_at(1.0, logs(&log2, "timer callback"));
        sleeper.await.unwrap();
    })
    .unwrap();
    assert_eq!(*log.borrow(), ["timer callback", "task woke"]);
}

#[test]
fn run_until_complete_reports_a_panicking_future_and_the_loop_stays_usable() {
    let lp = EventLoop::new().unwrap();
    let err = lp
        .run_until_complete(async {
            if true {
                panic!("main future failed (expected by the test)");
            }
            1
        })
        .unwrap_err();
    match err {
        Error::Panicked(p) => assert_eq!(p.message(), "main future failed (expected by the test)"),
        other => panic!("unexpected error: {other:?}"),
    }
    assert_eq!(lp.run_until_complete(async { 2 }).unwrap(), 2);
}

#[test]
fn a_callback_cancelled_by_an_earlier_one_in_the_same_batch_does_not_run() {
    let lp = virtual_loop();
    let log = new_log();
    // Two timers due together: the first cancels the second after both
    // were moved to the ready queue.
    let second = Rc::new(RefCell::new(None::<asyncio::TimerHandle>));
    {
        let (s, log2) = (second.clone(), log.clone());
        lp.call_at(1.0, move || {
            log2.borrow_mut().push("first".into());
            if let Some(h) = s.borrow().as_ref() {
                h.cancel();
            }
        });
    }
    *second.borrow_mut() = Some(lp.call_at(1.0, logs(&log, "second")));
    // The same for plain callbacks.
    let victim = Rc::new(RefCell::new(None::<asyncio::Handle>));
    {
        let v = victim.clone();
        lp.call_soon(move || {
            if let Some(h) = v.borrow().as_ref() {
                h.cancel();
            }
        });
    }
    *victim.borrow_mut() = Some(lp.call_soon(logs(&log, "victim")));
    lp.run_until_complete(sleep(2)).unwrap();
    assert_eq!(*log.borrow(), ["first"]);
    assert!(second.borrow().as_ref().unwrap().cancelled());
    assert!(victim.borrow().as_ref().unwrap().cancelled());
}
