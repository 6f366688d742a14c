//! `asyncio::run` and `Runner`: output, panics, nesting, leftovers, options.

use std::cell::RefCell;
use std::rc::Rc;

use asyncio::{Runner, create_task, finally, get_running_loop, sleep};

#[test]
fn run_returns_the_output() {
    assert_eq!(asyncio::run(async { 6 * 7 }), 42);
    let s = asyncio::run(async {
        sleep(0.001).await;
        String::from("slept")
    });
    assert_eq!(s, "slept");
}

#[test]
fn runner_returns_the_output_and_applies_virtual_time() {
    let t = Runner::new().virtual_time(true).run(async {
        let lp = get_running_loop().unwrap();
        assert!(lp.is_virtual_time());
        sleep(3600.0).await;
        lp.time()
    });
    assert_eq!(t, 3600.0);
}

#[test]
fn run_uses_the_real_clock_by_default() {
    let virtual_time = asyncio::run(async { get_running_loop().unwrap().is_virtual_time() });
    assert!(!virtual_time);
}

#[test]
#[should_panic(expected = "main exploded")]
fn a_panic_in_the_main_future_resumes_the_original_panic() {
    asyncio::run(async {
        sleep(0).await;
        panic!("main exploded");
    });
}

#[derive(Debug, PartialEq)]
struct Payload(u32);

#[test]
fn the_resumed_panic_keeps_its_payload() {
    let caught = std::panic::catch_unwind(|| {
        asyncio::run(async {
            std::panic::panic_any(Payload(7));
        })
    })
    .unwrap_err();
    assert_eq!(caught.downcast_ref::<Payload>(), Some(&Payload(7)));
}

#[test]
fn a_panicking_main_future_still_cleans_up_leftover_tasks() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        asyncio::run(async move {
            drop(create_task(async move {
                let l2 = l.clone();
                let _guard = finally(async move {
                    sleep(0).await;
                    l2.borrow_mut().push("cleanup");
                });
                sleep(3600).await;
            }));
            sleep(0).await;
            panic!("main failed (expected by the test)");
        })
    }));
    assert!(result.is_err());
    assert_eq!(*log.borrow(), ["cleanup"]);
}

#[test]
#[should_panic(expected = "cannot be called from a running event loop")]
fn run_inside_a_running_loop_panics() {
    asyncio::run(async {
        asyncio::run(async {});
    });
}

#[test]
fn run_inside_a_running_loop_panics_before_running_anything() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        asyncio::run(async move {
            let l2 = l.clone();
            Runner::new().run(async move { l2.borrow_mut().push("inner ran") });
        })
    }));
    let payload = result.unwrap_err();
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    assert!(
        message.contains("cannot be called from a running event loop"),
        "{message}"
    );
    assert!(log.borrow().is_empty());
}

#[test]
fn run_leaves_no_running_loop_behind() {
    asyncio::run(async {});
    assert!(get_running_loop().is_err());
    // And can be called again.
    assert_eq!(asyncio::run(async { 1 }), 1);
}

#[test]
#[should_panic(expected = "did not finish")]
fn a_cancelled_main_task_makes_run_panic() {
    asyncio::run(async {
        asyncio::current_task().unwrap().cancel();
        sleep(0).await;
    });
}

#[test]
fn run_waits_for_leftover_cleanups_before_returning() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    asyncio::run(async move {
        for n in 0..3 {
            let l = l.clone();
            drop(create_task(async move {
                let l2 = l.clone();
                let _guard = finally(async move {
                    for _ in 0..n {
                        sleep(0).await;
                    }
                    l2.borrow_mut().push(format!("cleanup {n}"));
                });
                sleep(3600).await;
            }));
        }
        sleep(0).await;
        l.borrow_mut().push("main done".into());
    });
    log.borrow_mut().push("run returned".into());
    assert_eq!(
        *log.borrow(),
        [
            "main done",
            "cleanup 0",
            "cleanup 1",
            "cleanup 2",
            "run returned"
        ]
    );
}

#[test]
fn runner_debug_sets_the_loop_debug_mode() {
    assert!(
        Runner::new()
            .debug(true)
            .run(async { get_running_loop().unwrap().get_debug() })
    );
    assert!(
        !Runner::new()
            .debug(false)
            .run(async { get_running_loop().unwrap().get_debug() })
    );
}

/// The location a panic reported, from inside `f`.
fn panic_location(f: impl FnOnce()) -> String {
    // The hook is process-wide: keep only this thread's panic, and leave
    // the hook in place (other tests' panics go to the default output).
    let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let (s, me) = (seen.clone(), std::thread::current().id());
    let previous = std::sync::Arc::new(std::panic::take_hook());
    let fallback = previous.clone();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() != me {
            return fallback(info);
        }
        if let Some(at) = info.location() {
            *s.lock().unwrap() = format!("{}:{}", at.file(), at.line());
        }
    }));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    let _ = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| previous(info)));
    assert!(result.is_err(), "expected a panic");
    seen.lock().unwrap().clone()
}

#[test]
fn misuse_panics_name_the_callers_line() {
    let at = panic_location(|| {
        drop(asyncio::sleep(f64::NAN));
    });
    assert!(at.starts_with("tests/event_loop/run.rs"), "{at}");
    let lp = asyncio::EventLoop::new().unwrap();
    lp.close().unwrap();
    let at = panic_location(move || {
        let _task = lp.create_task(async {});
    });
    assert!(at.starts_with("tests/event_loop/run.rs"), "{at}");
    let at = panic_location(|| {
        drop(asyncio::create_task(async {}));
    });
    assert!(at.starts_with("tests/event_loop/run.rs"), "{at}");
}
