//! `AsyncContextManager` implemented by hand: the seeds' `Connection`
//! class, an exit that suppresses errors of one kind, and an enter that is
//! cancelled.

use asyncio::{AsyncContextManager, Outcome, async_with, create_task, sleep};

use crate::common::*;

/// The seeds' `Connection` class (`__aenter__` / `__aexit__`).
struct Connection {
    log: Log,
}

impl<R> AsyncContextManager<R> for Connection {
    type Value = &'static str;

    async fn aenter(&mut self) -> &'static str {
        push(&self.log, "Setting up a connection");
        sleep(1).await;
        "sqlite"
    }

    async fn aexit(self, outcome: &mut Outcome<R>) {
        sleep(1).await;
        push(&self.log, format!("Connection is closed ({outcome:?})"));
    }
}

#[test]
fn class_form_in_order() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let conn = Connection { log: l.clone() };
        async_with!(conn as db => push(&l, format!("{db} is ready")));
    });
    assert_eq!(
        *log.borrow(),
        [
            "Setting up a connection",
            "sqlite is ready",
            "Connection is closed (Returned(..))"
        ]
    );
}

/// Suppresses "not found" errors and lets the others through, as a class
/// whose `__aexit__` returns `True` for one exception type.
struct IgnoreNotFound;

impl<T: Default> AsyncContextManager<Result<T, std::io::Error>> for IgnoreNotFound {
    type Value = ();

    async fn aenter(&mut self) {}

    async fn aexit(self, outcome: &mut Outcome<Result<T, std::io::Error>>) {
        if outcome
            .error()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound)
        {
            outcome.suppress();
        }
    }
}

#[test]
fn exit_suppresses_one_kind_of_error() {
    use std::io::{Error, ErrorKind};
    let (missing, denied, fine) = run_virtual(async {
        let missing = async_with!(IgnoreNotFound => Err::<u8, _>(Error::from(ErrorKind::NotFound)));
        let denied =
            async_with!(IgnoreNotFound => Err::<u8, _>(Error::from(ErrorKind::PermissionDenied)));
        let fine = async_with!(IgnoreNotFound => Ok::<u8, Error>(3));
        (missing, denied, fine)
    });
    assert_eq!(missing.unwrap(), 0, "suppressed: the default value");
    assert_eq!(denied.unwrap_err().kind(), ErrorKind::PermissionDenied);
    assert_eq!(fine.unwrap(), 3);
}

/// An enter that is cancelled: no exit (Python calls `__aexit__` only after
/// `__aenter__` returned).
#[test]
fn cancelled_enter_has_no_exit() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let l2 = l.clone();
        let task = create_task(async move {
            let conn = Connection { log: l2.clone() };
            async_with!(conn => push(&l2, "body"));
        });
        sleep(0.5).await; // inside `aenter`'s sleep
        task.cancel();
        assert!(task.await.unwrap_err().is_cancelled());
    });
    assert_eq!(*log.borrow(), ["Setting up a connection"]);
}

/// A manager whose value borrows from the caller, and a body that borrows
/// the caller's locals mutably: no `'static` needed.
#[test]
fn managers_and_bodies_borrow() {
    struct Counter<'a> {
        count: &'a std::cell::Cell<u32>,
    }
    impl<R> AsyncContextManager<R> for Counter<'_> {
        type Value = u32;
        async fn aenter(&mut self) -> u32 {
            self.count.set(self.count.get() + 1);
            self.count.get()
        }
        async fn aexit(self, _: &mut Outcome<R>) {
            self.count.set(self.count.get() + 10);
        }
    }
    let out = run_virtual(async {
        let count = std::cell::Cell::new(0);
        let mut seen = Vec::new();
        async_with!(Counter { count: &count } as n => seen.push(n));
        async_with!(Counter { count: &count } as n => seen.push(n));
        (seen, count.get())
    });
    assert_eq!(out, (vec![1, 12], 22));
}

/// Several managers with patterns: a tuple value destructured by `as`.
#[test]
fn patterns_after_as() {
    struct Pair;
    impl<R> AsyncContextManager<R> for Pair {
        type Value = (u8, &'static str);
        async fn aenter(&mut self) -> (u8, &'static str) {
            (1, "one")
        }
        async fn aexit(self, _: &mut Outcome<R>) {}
    }
    let out = run_virtual(async {
        async_with!(Pair as (n, name), Pair as mut pair => {
            pair.0 += n;
            format!("{name} {}", pair.0)
        })
    });
    assert_eq!(out, "one 2");
}
