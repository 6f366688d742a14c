//! `async_context!` (Python's `@asynccontextmanager`): the order of setup,
//! body and teardown, what the teardown sees, and the run-time errors.

use std::panic::{AssertUnwindSafe, catch_unwind};

use asyncio::{AsyncContext, Outcome, async_context, async_with};

use crate::common::*;

async_context! {
    /// The seeds' `connection()`: setup, "is ready", shutdown.
    async fn connection(log: Log) -> AsyncContext<&'static str> {
        push(&log, "Setting up connection");
        asyncio::sleep(1).await;
        yield "sqlite";
        asyncio::sleep(1).await;
        push(&log, "Shutting down");
    }
}

#[test]
fn setup_body_teardown_in_order() {
    let log = new_log();
    let l = log.clone();
    let out = run_virtual(async move {
        let lp = asyncio::get_running_loop().unwrap();
        let n = async_with!(connection(l.clone()) as db => {
            push(&l, format!("{db} is ready"));
            lp.time()
        });
        (n, lp.time())
    });
    assert_eq!(
        out,
        (1.0, 2.0),
        "the body ran after the setup's sleep, the teardown slept after"
    );
    assert_eq!(
        *log.borrow(),
        ["Setting up connection", "sqlite is ready", "Shutting down"]
    );
}

/// CPython's `test_contextmanager_plain`: state before, in and after.
#[test]
fn plain() {
    let state = run_virtual(async {
        let mut state = vec![1];
        let cm = async_context! {
            yield 42;
            // nothing to undo
        };
        async_with!(cm as x => state.push(x));
        state.push(999);
        state
    });
    assert_eq!(state, [1, 42, 999]);
}

/// A body that returns `Err`: the teardown sees it; it propagates
/// (`test_contextmanager_finally`: the teardown runs, the error goes on).
#[test]
fn error_is_seen_and_propagates() {
    let log = new_log();
    let l = log.clone();
    let out: Result<u32, String> = run_virtual(async move {
        let cm = async_context! {
            let outcome = yield ();
            push(&l, format!("teardown saw {:?}", outcome.error()));
        };
        async_with!(cm => {
            Err::<u32, _>("boom".to_string())?;
            Ok(1)
        })
    });
    assert_eq!(out, Err("boom".to_string()));
    assert_eq!(*log.borrow(), ["teardown saw Some(\"boom\")"]);
}

/// `test_contextmanager_except`: a teardown that handles the error
/// suppresses it.
#[test]
fn teardown_suppresses_error() {
    let out: Result<(), String> = run_virtual(async {
        let cm = async_context! {
            let outcome = yield ();
            if outcome.error().is_some_and(|e| e == "ignorable") {
                outcome.suppress();
            }
        };
        async_with!(cm => Err("ignorable".to_string()))
    });
    assert_eq!(out, Ok(()));
}

/// A teardown replaces the body's error, or turns success into failure
/// (the commit failed).
#[test]
fn teardown_replaces_error_and_fails_a_success() {
    let (replaced, failed) = run_virtual(async {
        let wrap = async_context! {
            let outcome = yield ();
            if let Some(e) = outcome.error().cloned() {
                outcome.set_error(format!("while committing: {e}"));
            }
        };
        let replaced: Result<u8, String> = async_with!(wrap => Err("disk".to_string()));
        let commit_fails = async_context! {
            let outcome = yield ();
            outcome.set_error("commit failed".to_string());
        };
        let failed: Result<u8, String> = async_with!(commit_fails => Ok(5));
        (replaced, failed)
    });
    assert_eq!(replaced, Err("while committing: disk".to_string()));
    assert_eq!(failed, Err("commit failed".to_string()));
}

/// The transaction pattern: commit on success, roll back otherwise.
#[test]
fn transaction_commit_or_rollback() {
    async_context! {
        async fn transaction(log: Log) -> AsyncContext<(), Result<u32, String>> {
            push(&log, "BEGIN");
            let outcome = yield ();
            asyncio::sleep(0.1).await;
            push(&log, if outcome.is_ok() { "COMMIT" } else { "ROLLBACK" });
        }
    }
    let log = new_log();
    let l = log.clone();
    let outs = run_virtual(async move {
        let ok = async_with!(transaction(l.clone()) => Ok(1));
        let bad = async_with!(transaction(l.clone()) => Err("constraint".to_string()));
        (ok, bad)
    });
    assert_eq!(outs, (Ok(1), Err("constraint".to_string())));
    assert_eq!(*log.borrow(), ["BEGIN", "COMMIT", "BEGIN", "ROLLBACK"]);
}

/// `return` in the body leaves the body with that value; `return` in the
/// manager's teardown ends the teardown.
#[test]
fn early_returns() {
    let log = new_log();
    let l = log.clone();
    let out = run_virtual(async move {
        let cm = async_context! {
            yield 10;
            if l.borrow().is_empty() {
                push(&l, "teardown returns early");
                return;
            }
            push(&l, "unreachable");
        };
        async_with!(cm as n => {
            if n > 5 {
                return n * 2;
            }
            n
        })
    });
    assert_eq!(out, 20);
    assert_eq!(*log.borrow(), ["teardown returns early"]);
}

/// A panic in the body: the teardown runs and sees it, then the panic
/// resumes.
#[test]
fn panic_in_body_runs_teardown_then_resumes() {
    let log = new_log();
    let l = log.clone();
    let caught = catch_unwind(AssertUnwindSafe(|| {
        run_virtual(async move {
            let cm = async_context! {
                let outcome = yield ();
                asyncio::sleep(1).await; // a teardown that awaits still finishes
                push(&l, format!("teardown saw {outcome:?}"));
            };
            async_with!(cm => {
                panic!("body blew up");
            })
        })
    }));
    let payload = caught.expect_err("the body's panic resumes");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"body blew up"));
    assert_eq!(*log.borrow(), ["teardown saw Panicked"]);
}

/// A teardown cannot stop a panic: setting a value after one is ignored.
#[test]
fn teardown_cannot_swallow_a_panic() {
    let caught = catch_unwind(AssertUnwindSafe(|| {
        run_virtual(async {
            let cm = async_context! {
                let outcome = yield ();
                outcome.set_error("replaced".to_string());
            };
            let _: Result<(), String> = async_with!(cm => panic!("still a panic"));
        })
    }));
    assert!(caught.is_err());
}

/// `test_contextmanager_trap_no_yield`: a body that finishes without its
/// `yield` (it sat in a branch not taken) is a run-time error at enter.
#[test]
fn no_yield_at_run_time() {
    let caught = catch_unwind(AssertUnwindSafe(|| {
        run_virtual(async {
            let ready = false;
            let cm = async_context! {
                if ready {
                    yield ();
                }
            };
            async_with!(cm => ());
        })
    }));
    let payload = caught.expect_err("an enter without a yield fails");
    let message = panic_message(&*payload);
    assert!(message.contains("generator didn't yield"), "{message}");
}

/// `test_contextmanager_trap_second_yield`: yielding again after the
/// body is a run-time error at exit, and the body's value is not lost
/// silently: the exit panics.
#[test]
fn second_yield_at_run_time() {
    let log = new_log();
    let l = log.clone();
    let caught = catch_unwind(AssertUnwindSafe(|| {
        run_virtual(async move {
            let cm = async_context! {
                for i in 0..2 {
                    yield i;
                }
            };
            async_with!(cm as i => push(&l, format!("body got {i}")));
        })
    }));
    let payload = caught.expect_err("a second yield fails");
    let message = panic_message(&*payload);
    assert!(message.contains("generator didn't stop"), "{message}");
    assert_eq!(*log.borrow(), ["body got 0"]);
}

/// Nested managers (one `async_with!` with two, and two nested): entered
/// in order, exited in reverse.
#[test]
fn nested_managers_exit_in_reverse() {
    async_context! {
        async fn named(log: Log, name: &'static str) -> AsyncContext<&'static str> {
            push(&log, format!("enter {name}"));
            yield name;
            asyncio::sleep(0.5).await;
            push(&log, format!("exit {name}"));
        }
    }
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        async_with!(named(l.clone(), "a") as a, named(l.clone(), "b") as b => {
            async_with!(named(l.clone(), "c") as c => {
                push(&l, format!("body {a}{b}{c}"));
            });
        });
    });
    assert_eq!(
        *log.borrow(),
        [
            "enter a", "enter b", "enter c", "body abc", "exit c", "exit b", "exit a"
        ]
    );
}

/// The method form: `manager.with(async |v| ..)`.
#[test]
fn method_form() {
    use asyncio::AsyncContextManager;
    let out = run_virtual(async {
        let cm = async_context! {
            let outcome = yield 20;
            if let Some(n) = outcome.value_mut() {
                *n += 1;
            }
        };
        cm.with(async |n| n * 2).await
    });
    assert_eq!(out, 41, "the teardown may change the body's value");
}

/// The outcome a teardown sees, whatever the body's output type.
#[test]
fn outcome_of_a_plain_value() {
    let seen = run_virtual(async {
        let seen = std::rc::Rc::new(std::cell::Cell::new(false));
        let s = seen.clone();
        let cm = async_context! {
            let outcome: &mut Outcome<String> = yield ();
            s.set(outcome.value().is_some_and(|v| v == "value"));
        };
        let v = async_with!(cm => "value".to_string());
        assert_eq!(v, "value");
        seen.get()
    });
    assert!(seen);
}

/// The text of a panic's payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// `test_contextmanager_trap_yield_after_throw`: a teardown that sees the
/// body's error and yields again instead of ending is the same run-time
/// error ("generator didn't stop"), not a silent second enter.
#[test]
fn yield_again_after_an_error() {
    let caught = catch_unwind(AssertUnwindSafe(|| {
        run_virtual(async {
            let cm = async_context! {
                let mut outcome = yield 1;
                if outcome.error().is_some() {
                    outcome = yield 2;
                }
                let _ = outcome;
            };
            let _: Result<u32, String> = async_with!(cm => Err("boom".to_string()));
        })
    }));
    let payload = caught.expect_err("a yield after the error fails");
    assert!(panic_message(&*payload).contains("generator didn't stop"));
}
