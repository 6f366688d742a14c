//! Errors print each cause once through a reporter that walks `source()`
//! (as anyhow and eyre do): `asyncio::Error` is transparent, and a task
//! group's failures are listed in its message, not repeated as a source.

use crate::common::*;

use std::fmt;

use asyncio::{Error, Exception, Future, create_task, task_group};

/// What an error reporter prints: the error, then each source in turn.
fn report(error: &dyn std::error::Error) -> Vec<String> {
    let mut lines = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        lines.push(cause.to_string());
        source = cause.source();
    }
    lines
}

#[derive(Debug)]
struct Fetch(std::io::Error);

impl fmt::Display for Fetch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("fetching the page failed")
    }
}

impl std::error::Error for Fetch {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

#[test]
fn an_exception_prints_its_own_chain_once() {
    let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
    let expected = ["fetching the page failed".to_owned(), refused.to_string()];
    let error = run_virtual(async move {
        let fut = Future::<()>::new();
        fut.set_exception(Exception::new(Fetch(refused))).unwrap();
        fut.await.unwrap_err()
    });
    assert!(matches!(error, Error::Exception(_)));
    assert_eq!(report(&error), expected);
}

#[test]
fn cancellation_and_panic_errors_are_one_line() {
    let (cancelled, panicked) = run_virtual(async {
        let sleeper = create_task(asyncio::sleep(10));
        sleeper.cancel_with("shutting down");
        let cancelled = sleeper.await.unwrap_err();
        let panicked = create_task(async { panic!("boom") }).await.unwrap_err();
        (cancelled, panicked)
    });
    assert_eq!(report(&cancelled), ["cancelled: shutting down"]);
    assert_eq!(report(&panicked), ["panicked: boom"]);
}

#[test]
fn a_task_group_lists_every_failure_once() {
    let error = run_virtual(async {
        task_group(async |tg| {
            tg.create_task(async {
                asyncio::sleep(1).await;
                panic!("first")
            });
            // Fails too, while the first failure cancels it.
            tg.create_task(async {
                if asyncio::catch_cancelled(asyncio::sleep(10)).await.is_err() {
                    panic!("second")
                }
            });
        })
        .await
        .unwrap_err()
    });
    assert_eq!(
        report(&error),
        [
            "unhandled errors in a TaskGroup (2 sub-exceptions)\n  [1] panicked: first\n  [2] panicked: second"
        ]
    );
}
