//! Debug mode and the loop's reports (slow callbacks, unretrieved panics,
//! tasks destroyed while pending), captured with a `log` logger.
//!
//! The logger is process-global, so this file is its own test binary; each
//! record keeps the id of the thread that logged it and every test only
//! looks at its own thread's records (tests run in parallel threads, and a
//! loop reports on the thread that runs it).

use std::sync::{Mutex, Once};
use std::thread::{self, ThreadId};
use std::time::Duration;

use asyncio::{Error, EventLoop, Future, Runner, create_task_named, finally, sleep};

struct Entry {
    thread: ThreadId,
    level: log::Level,
    target: String,
    message: String,
}

static RECORDS: Mutex<Vec<Entry>> = Mutex::new(Vec::new());

struct Recorder;

impl log::Log for Recorder {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        RECORDS.lock().unwrap().push(Entry {
            thread: thread::current().id(),
            level: record.level(),
            target: record.target().to_owned(),
            message: record.args().to_string(),
        });
    }

    fn flush(&self) {}
}

fn install_logger() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        static RECORDER: Recorder = Recorder;
        log::set_logger(&RECORDER).unwrap();
        log::set_max_level(log::LevelFilter::Trace);
    });
}

/// This thread's records from target `asyncio`: `(level, message)`.
fn my_reports() -> Vec<(log::Level, String)> {
    let me = thread::current().id();
    RECORDS
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.thread == me && e.target == "asyncio")
        .map(|e| (e.level, e.message.clone()))
        .collect()
}

fn reports_containing(needle: &str) -> Vec<(log::Level, String)> {
    my_reports()
        .into_iter()
        .filter(|(_, m)| m.contains(needle))
        .collect()
}

const SLOW: Duration = Duration::from_millis(20);

#[test]
fn debug_mode_can_be_read_and_changed() {
    let on = EventLoop::builder().debug(true).build().unwrap();
    assert!(on.get_debug());
    on.set_debug(false);
    assert!(!on.get_debug());
    let off = EventLoop::builder().debug(false).build().unwrap();
    assert!(!off.get_debug());
    off.set_debug(true);
    assert!(off.get_debug());
    assert!(format!("{off:?}").contains("debug=true"));
    assert!(
        Runner::new()
            .debug(true)
            .run(async { asyncio::get_running_loop().unwrap().get_debug() })
    );
}

#[test]
fn slow_callback_duration_defaults_to_100ms_and_can_be_set() {
    let lp = EventLoop::new().unwrap();
    assert_eq!(lp.slow_callback_duration(), Duration::from_millis(100));
    lp.set_slow_callback_duration(Duration::from_millis(5));
    assert_eq!(lp.slow_callback_duration(), Duration::from_millis(5));
    let built = EventLoop::builder()
        .slow_callback_duration(Duration::from_millis(7))
        .build()
        .unwrap();
    assert_eq!(built.slow_callback_duration(), Duration::from_millis(7));
}

#[test]
fn a_slow_callback_is_reported_in_debug_mode() {
    install_logger();
    let lp = EventLoop::builder()
        .debug(true)
        .slow_callback_duration(Duration::from_millis(1))
        .build()
        .unwrap();
    lp.call_soon(|| thread::sleep(SLOW));
    lp.run_until_complete(sleep(0)).unwrap();
    let reports = reports_containing("took");
    assert_eq!(reports.len(), 1, "{:?}", my_reports());
    let (level, message) = &reports[0];
    assert_eq!(*level, log::Level::Warn);
    assert!(
        message.contains("executing callback scheduled at"),
        "{message}"
    );
    assert!(message.contains("debug_reports.rs"), "{message}");
}

#[test]
fn a_slow_task_step_is_reported_in_debug_mode() {
    install_logger();
    let lp = EventLoop::builder()
        .debug(true)
        .slow_callback_duration(Duration::from_millis(1))
        .build()
        .unwrap();
    lp.run_until_complete(async {
        let task = create_task_named(async { thread::sleep(SLOW) }, "slowpoke");
        task.await.unwrap();
    })
    .unwrap();
    let reports = reports_containing("slowpoke");
    assert_eq!(reports.len(), 1, "{:?}", my_reports());
    assert_eq!(reports[0].0, log::Level::Warn);
    assert!(reports[0].1.contains("took"), "{}", reports[0].1);
}

#[test]
fn slow_callbacks_are_not_reported_without_debug_mode() {
    install_logger();
    let lp = EventLoop::builder()
        .debug(false)
        .slow_callback_duration(Duration::from_millis(1))
        .build()
        .unwrap();
    lp.call_soon(|| thread::sleep(SLOW));
    lp.run_until_complete(async { thread::sleep(SLOW) })
        .unwrap();
    assert!(reports_containing("took").is_empty(), "{:?}", my_reports());

    // Turned on at run time, it reports.
    lp.set_debug(true);
    lp.call_soon(|| thread::sleep(SLOW));
    lp.run_until_complete(sleep(0)).unwrap();
    assert_eq!(reports_containing("took").len(), 1, "{:?}", my_reports());
}

#[test]
fn fast_callbacks_are_not_reported_in_debug_mode() {
    install_logger();
    let lp = EventLoop::builder().debug(true).build().unwrap();
    lp.call_soon(|| {});
    lp.run_until_complete(sleep(0)).unwrap();
    assert!(reports_containing("took").is_empty(), "{:?}", my_reports());
}

#[test]
fn a_panic_nobody_retrieved_is_reported() {
    install_logger();
    let lp = EventLoop::builder().debug(false).build().unwrap();
    lp.run_until_complete(async {
        drop(create_task_named(
            async {
                if true {
                    panic!("unobserved failure (expected by the test)");
                }
            },
            "doomed",
        ));
        sleep(0).await;
        sleep(0).await;
    })
    .unwrap();
    let reports = reports_containing("never retrieved");
    assert_eq!(reports.len(), 1, "{:?}", my_reports());
    let (level, message) = &reports[0];
    assert_eq!(*level, log::Level::Error);
    assert!(message.contains("doomed"), "{message}");
    assert!(message.contains("unobserved failure"), "{message}");
    assert!(
        message.contains("debug_reports.rs"),
        "the creation site: {message}"
    );
}

#[test]
fn a_retrieved_panic_is_not_reported() {
    install_logger();
    let lp = EventLoop::new().unwrap();
    lp.run_until_complete(async {
        let awaited = create_task_named(
            async {
                if true {
                    panic!("observed failure (expected by the test)");
                }
            },
            "awaited",
        );
        assert!(awaited.await.unwrap_err().is_panic());
        let inspected = create_task_named(
            async {
                if true {
                    panic!("inspected failure (expected by the test)");
                }
            },
            "inspected",
        );
        sleep(0).await;
        assert!(matches!(
            inspected.exception(),
            Ok(Some(Error::Panicked(_)))
        ));
        drop(inspected);
        sleep(0).await;
    })
    .unwrap();
    assert!(
        reports_containing("never retrieved").is_empty(),
        "{:?}",
        my_reports()
    );
}

#[test]
fn a_pending_task_destroyed_by_close_is_reported() {
    install_logger();
    let lp = EventLoop::new().unwrap();
    let started = lp.create_task_named(sleep(3600), "stuck");
    lp.run_until_complete(sleep(0)).unwrap(); // "stuck" starts and waits
    let unstarted = lp.create_task_named(async {}, "queued"); // never runs
    assert!(!started.done() && !unstarted.done());
    lp.close().unwrap();

    let reports = reports_containing("destroyed but it is pending");
    let names: Vec<_> = ["stuck", "queued"]
        .into_iter()
        .filter(|n| {
            reports
                .iter()
                .any(|(_, m)| m.contains(&format!("name='{n}'")))
        })
        .collect();
    assert_eq!(names, ["stuck", "queued"], "{:?}", my_reports());
    assert!(reports.iter().all(|(level, _)| *level == log::Level::Warn));

    for task in [&started, &unstarted] {
        assert!(task.done());
        assert!(task.cancelled());
        match task.exception() {
            Err(Error::Cancelled(e)) => assert!(e.message().is_some_and(|m| m.contains("closed"))),
            other => panic!("unexpected: {other:?}"),
        }
    }
}

#[test]
fn cleanups_that_cannot_run_at_close_are_reported() {
    install_logger();
    let lp = EventLoop::builder().virtual_time(true).build().unwrap();
    let task = lp.create_task_named(
        async {
            let _guard = finally(async { sleep(10).await });
            sleep(3600).await;
        },
        "cleaning",
    );
    lp.run_until_complete(sleep(0)).unwrap();
    task.cancel();
    lp.run_until_complete(sleep(1)).unwrap();
    assert!(!task.done(), "still in its cleanup");
    lp.close().unwrap();
    assert!(task.done());
    let reports = reports_containing("could not run");
    assert_eq!(reports.len(), 1, "{:?}", my_reports());
    assert!(reports[0].1.contains("cleaning"), "{}", reports[0].1);
}

#[test]
fn a_future_exception_nobody_retrieved_is_reported() {
    install_logger();
    let fut: Future<()> = Future::new();
    fut.set_exception(std::io::Error::other("lost error"))
        .unwrap();
    drop(fut);
    let reports = reports_containing("never retrieved");
    assert_eq!(reports.len(), 1, "{:?}", my_reports());
    assert!(reports[0].1.contains("lost error"));

    let seen: Future<()> = Future::new();
    seen.set_exception(std::io::Error::other("seen error"))
        .unwrap();
    assert!(seen.exception().is_ok());
    drop(seen);
    assert_eq!(reports_containing("never retrieved").len(), 1);
}

#[test]
fn a_panicking_callback_is_reported() {
    install_logger();
    let lp = EventLoop::new().unwrap();
    lp.call_soon(|| panic!("callback failure (expected by the test)"));
    lp.run_until_complete(sleep(0)).unwrap();
    let reports = reports_containing("callback failure");
    assert_eq!(reports.len(), 1, "{:?}", my_reports());
    assert_eq!(reports[0].0, log::Level::Error);
    assert!(
        reports[0].1.contains("debug_reports.rs"),
        "{}",
        reports[0].1
    );
}

/// Sets its flag when dropped: shows what a closed loop let go of.
struct Dropped(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Drop for Dropped {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

fn flag() -> (std::sync::Arc<std::sync::atomic::AtomicBool>, Dropped) {
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    (flag.clone(), Dropped(flag))
}

fn is_set(flag: &std::sync::atomic::AtomicBool) -> bool {
    flag.load(std::sync::atomic::Ordering::SeqCst)
}

#[test]
fn a_loop_dropped_without_close_is_reported_and_closed() {
    install_logger();
    let (timer_gone, in_timer) = flag();
    let (task_gone, in_task) = flag();
    let lp = EventLoop::new().unwrap();
    lp.call_later(60, move || drop(in_timer));
    lp.create_task(async move {
        let _held = in_task;
        sleep(3600).await;
    });
    drop(lp);
    // Nothing held the loop but the handle: closed at once.
    assert!(is_set(&timer_gone) && is_set(&task_gone));
    let unclosed = reports_containing("unclosed event loop");
    assert_eq!(unclosed.len(), 1, "{unclosed:?}");
    assert_eq!(unclosed[0].0, log::Level::Warn);
    assert!(!reports_containing("destroyed but it is pending").is_empty());
}

#[test]
fn a_loop_kept_alive_by_its_own_tasks_is_closed_when_its_thread_ends() {
    install_logger();
    let (timer_gone, in_timer) = flag();
    let (task_gone, in_task) = flag();
    let (timer_seen, task_seen) = (timer_gone.clone(), task_gone.clone());
    let (alive_before_exit, thread) = thread::spawn(move || {
        let lp = EventLoop::new().unwrap();
        // A timer and a task that hold the loop: a reference cycle.
        let held = lp.clone();
        lp.call_later(60, move || {
            drop(in_timer);
            held.stop();
        });
        let held = lp.clone();
        lp.create_task(async move {
            let _held = (held, in_task);
            sleep(3600).await;
        });
        drop(lp);
        (
            !is_set(&timer_seen) && !is_set(&task_seen),
            thread::current().id(),
        )
    })
    .join()
    .unwrap();
    assert!(
        alive_before_exit,
        "the cycle kept the loop alive until the thread ended"
    );
    assert!(
        is_set(&timer_gone) && is_set(&task_gone),
        "the loop was not closed at thread exit"
    );
    let reports: Vec<String> = RECORDS
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.thread == thread && e.message.contains("unclosed event loop"))
        .map(|e| e.message.clone())
        .collect();
    assert_eq!(reports.len(), 1, "{reports:?}");
}

/// Panics when dropped (after its future finished).
struct PanicsOnDrop;

/// A future that is ready at once and whose drop panics: `async` blocks
/// drop their locals inside the final poll, this one only afterwards.
struct ReadyThenPanicsOnDrop(
    PanicsOnDrop,
    #[allow(dead_code, reason = "held to see that the rest is dropped")] Dropped,
);

impl std::future::Future for ReadyThenPanicsOnDrop {
    type Output = u8;

    fn poll(self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<u8> {
        std::task::Poll::Ready(7)
    }
}

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("drop failure (expected by the test)");
    }
}

#[test]
fn a_finished_future_that_panics_in_its_drop_fails_its_task_and_is_reported() {
    install_logger();
    let lp = EventLoop::new().unwrap();
    let (gone, held) = flag();
    let outcome = lp
        .run_until_complete(async move {
            let task = asyncio::create_task(ReadyThenPanicsOnDrop(PanicsOnDrop, held));
            task.await
        })
        .unwrap();
    // The output is discarded: the task failed with the drop's panic.
    match outcome {
        Err(asyncio::Error::Panicked(panic)) => assert!(panic.message().contains("drop failure")),
        other => panic!("unexpected: {other:?}"),
    }
    assert!(is_set(&gone), "the rest of the future was dropped");
    let reports = reports_containing("dropping the future of");
    assert_eq!(reports.len(), 1, "{:?}", my_reports());
    assert_eq!(reports[0].0, log::Level::Error);
}
