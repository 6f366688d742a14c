//! `current_task`, `all_tasks`, `get_running_loop`, `get_event_loop`,
//! `set_event_loop`, and the error types.

use std::cell::RefCell;
use std::rc::Rc;

use asyncio::{
    CancelledError, Error, EventLoop, Exception, InvalidStateError, PanicError, RuntimeError,
    TimeoutError, all_tasks, create_task_named, current_task, get_event_loop, get_running_loop,
    new_event_loop, set_event_loop, sleep,
};

#[test]
fn outside_a_loop_the_introspection_functions_report_no_running_loop() {
    assert_eq!(current_task().unwrap_err(), RuntimeError::NoRunningLoop);
    assert_eq!(all_tasks().unwrap_err(), RuntimeError::NoRunningLoop);
    assert_eq!(get_running_loop().unwrap_err(), RuntimeError::NoRunningLoop);
    assert_eq!(
        get_running_loop().unwrap_err().to_string(),
        "no running event loop"
    );
    assert_eq!(
        Error::from(RuntimeError::NoRunningLoop).to_string(),
        "no running event loop"
    );
}

#[test]
fn after_a_loop_stops_there_is_no_running_loop_again() {
    let lp = EventLoop::new().unwrap();
    let inside = lp
        .run_until_complete(async { get_running_loop().is_ok() && current_task().is_ok() })
        .unwrap();
    assert!(inside);
    assert_eq!(get_running_loop().unwrap_err(), RuntimeError::NoRunningLoop);
    assert_eq!(current_task().unwrap_err(), RuntimeError::NoRunningLoop);
}

#[test]
fn current_task_in_a_callback_is_no_current_task() {
    let lp = EventLoop::new().unwrap();
    let seen = Rc::new(RefCell::new(None));
    let s = seen.clone();
    lp.call_soon(move || {
        *s.borrow_mut() = Some((
            current_task().map(|t| t.get_name()),
            get_running_loop().is_ok(),
        ));
    });
    lp.run_until_complete(sleep(0)).unwrap();
    let seen = seen.borrow_mut().take().unwrap();
    assert_eq!(seen.0, Err(RuntimeError::NoCurrentTask));
    assert!(seen.1, "the loop is running during its callbacks");
    assert!(!RuntimeError::NoCurrentTask.to_string().is_empty());
}

#[test]
fn current_task_in_a_done_callback_is_no_current_task() {
    let seen = Rc::new(RefCell::new(None));
    let s = seen.clone();
    asyncio::run(async move {
        let task = asyncio::create_task(async {});
        task.add_done_callback(move |_| *s.borrow_mut() = Some(current_task().map(|_| ())));
        task.await.unwrap();
        sleep(0).await;
    });
    assert_eq!(
        seen.borrow_mut().take(),
        Some(Err(RuntimeError::NoCurrentTask))
    );
}

#[test]
fn all_tasks_lists_the_unfinished_tasks() {
    asyncio::run(async {
        let names = || {
            let mut v: Vec<_> = all_tasks().unwrap().iter().map(|t| t.get_name()).collect();
            v.sort();
            v
        };
        assert_eq!(names(), ["Task-1"]);
        let short = create_task_named(async {}, "short");
        let long = create_task_named(sleep(0.05), "long");
        assert_eq!(names(), ["Task-1", "long", "short"]);
        sleep(0).await;
        assert!(short.done());
        assert_eq!(names(), ["Task-1", "long"]);
        assert!(all_tasks().unwrap().iter().all(|t| !t.done()));
        long.await.unwrap();
        assert_eq!(names(), ["Task-1"]);
        assert!(all_tasks().unwrap()[0] == current_task().unwrap());
    });
}

#[test]
fn event_loop_all_tasks_works_before_the_loop_runs() {
    let lp = EventLoop::new().unwrap();
    let task = lp.create_task_named(async {}, "queued");
    let names: Vec<_> = lp.all_tasks().iter().map(|t| t.get_name()).collect();
    assert_eq!(names, ["queued"]);
    lp.run_until_complete(sleep(0)).unwrap();
    assert!(task.done());
    assert!(lp.all_tasks().is_empty());
}

#[test]
fn get_running_loop_is_the_loop_that_runs() {
    let lp = EventLoop::builder().virtual_time(true).build().unwrap();
    let l = lp.clone();
    let ok = lp
        .run_until_complete(async move {
            let running = get_running_loop().unwrap();
            // Same loop: a virtual clock moved by this sleep moves both.
            sleep(2).await;
            running.is_running() && running.is_virtual_time() && running.time() == l.time()
        })
        .unwrap();
    assert!(ok);
    assert_eq!(lp.time(), 2.0);
}

#[test]
fn get_event_loop_returns_the_running_loop_inside_one() {
    let lp = EventLoop::builder().virtual_time(true).build().unwrap();
    let t = lp
        .run_until_complete(async {
            let l = get_event_loop().unwrap();
            sleep(3).await;
            l.time()
        })
        .unwrap();
    assert_eq!(t, 3.0);
}

#[test]
fn set_event_loop_sets_what_get_event_loop_returns_outside_a_loop() {
    let lp = new_event_loop().unwrap();
    set_event_loop(Some(lp.clone()));
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    // Scheduled through get_event_loop(): it runs when `lp` runs.
    get_event_loop()
        .unwrap()
        .call_soon(move || l.borrow_mut().push("via get_event_loop"));
    lp.run_until_complete(sleep(0)).unwrap();
    assert_eq!(*log.borrow(), ["via get_event_loop"]);

    // asyncio::run restores this thread's current loop afterwards.
    asyncio::run(async {});
    let l = log.clone();
    get_event_loop()
        .unwrap()
        .call_soon(move || l.borrow_mut().push("still lp"));
    lp.run_until_complete(sleep(0)).unwrap();
    assert_eq!(*log.borrow(), ["via get_event_loop", "still lp"]);

    set_event_loop(None);
    lp.close().unwrap();
    // A fresh default loop is made on demand.
    assert!(!get_event_loop().unwrap().is_closed());
}

#[test]
fn get_event_loop_outside_a_loop_is_stable_per_thread() {
    let a = get_event_loop().unwrap();
    a.set_slow_callback_duration(std::time::Duration::from_millis(1234));
    let b = get_event_loop().unwrap();
    assert_eq!(
        b.slow_callback_duration(),
        std::time::Duration::from_millis(1234)
    );
}

fn assert_error_type<E: std::error::Error + std::fmt::Display + Send + Sync + 'static>(e: E) {
    assert!(!e.to_string().is_empty(), "{e:?}");
}

#[test]
fn the_error_types_implement_display_and_error() {
    assert_error_type(CancelledError::new(None));
    assert_error_type(CancelledError::new(Some("m".into())));
    assert_error_type(TimeoutError);
    assert_error_type(RuntimeError::NoRunningLoop);
    assert_error_type(Error::from(TimeoutError));
    assert_eq!(TimeoutError.to_string(), "the operation timed out");
    assert_eq!(CancelledError::new(None).to_string(), "cancelled");

    // PanicError is made by the runtime: reach one through a task.
    let p: PanicError = asyncio::run(async {
        let task = asyncio::create_task(async {
            if true {
                panic!("task panic (expected by the test)");
            }
        });
        match task.await {
            Err(Error::Panicked(p)) => p,
            other => panic!("unexpected: {other:?}"),
        }
    });
    assert_eq!(p.message(), "task panic (expected by the test)");
    assert_eq!(p.to_string(), "panicked: task panic (expected by the test)");
    assert_error_type(p.clone());
    assert!(Error::from(p).is_panic());

    let fut = asyncio::Future::<u8>::new();
    fut.set_result(1).unwrap();
    let invalid: InvalidStateError = fut.set_result(2).unwrap_err();
    assert!(invalid.to_string().contains(invalid.reason()));
    assert_error_type(invalid.clone());
    assert!(matches!(Error::from(invalid), Error::InvalidState(_)));

    let exc = Exception::new(std::io::Error::other("disk full"));
    assert_eq!(exc.to_string(), "disk full");
    let err = Error::from(exc);
    assert_eq!(err.to_string(), "disk full");
    // Transparent: the inner error is the message, so not a source too.
    assert!(std::error::Error::source(&err).is_none());
    assert_error_type(err);

    let cancelled = Error::from(CancelledError::new(Some("bye".into())));
    assert!(cancelled.is_cancelled());
    assert!(!cancelled.is_timeout());
    assert_eq!(cancelled.to_string(), "cancelled: bye");
    assert!(Error::from(TimeoutError).is_timeout());

    for e in [
        RuntimeError::NoRunningLoop,
        RuntimeError::NoCurrentTask,
        RuntimeError::AlreadyRunning,
        RuntimeError::AnotherLoopRunning,
        RuntimeError::Closed,
        RuntimeError::CloseWhileRunning,
        RuntimeError::StoppedBeforeComplete,
    ] {
        let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(e);
        assert!(!boxed.to_string().is_empty());
        assert_eq!(Error::from(e).to_string(), e.to_string());
    }
}

#[test]
fn errors_convert_with_the_question_mark_operator() {
    fn check() -> Result<u32, Box<dyn std::error::Error>> {
        let lp = EventLoop::new().unwrap();
        lp.close()?;
        let v = lp.run_until_complete(async { 1 })?;
        Ok(v)
    }
    let err = check().unwrap_err();
    assert_eq!(err.to_string(), RuntimeError::Closed.to_string());
}
