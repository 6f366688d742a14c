//! `AsyncExitStack`: CPython's `test_contextlib_async` behaviours for it,
//! written afresh — reverse order, callbacks, exits that see and change the
//! outcome (chaining), `pop_all`, and the stack as a manager under
//! cancellation.

use std::panic::{AssertUnwindSafe, catch_unwind};

use asyncio::{
    AsyncContext, AsyncExitStack, Outcome, async_context, async_with, create_task, sleep,
};

use crate::common::*;

async_context! {
    async fn named(log: Log, name: String) -> AsyncContext<String> {
        push(&log, format!("enter {name}"));
        yield name.clone();
        sleep(0.1).await;
        push(&log, format!("exit {name}"));
    }
}

/// `test_async_callback` / `test_enter_async_context`: managers and
/// callbacks exit in reverse order of registration.
#[test]
fn reverse_order() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        async_with!(AsyncExitStack::new() as stack => {
            stack.enter_async_context(named(l.clone(), "a".into())).await;
            let l2 = l.clone();
            stack.push_async_callback(async move { push(&l2, "callback") });
            let b = stack.enter_async_context(named(l.clone(), "b".into())).await;
            assert_eq!(b, "b");
            assert_eq!(stack.len(), 3);
            push(&l, "body");
        });
    });
    assert_eq!(
        *log.borrow(),
        ["enter a", "enter b", "body", "exit b", "callback", "exit a"]
    );
}

/// `test_exit_exception_chaining`: an error an exit sets is what the next
/// exit sees; a later exit may suppress it.
#[test]
fn exits_see_each_others_errors() {
    let log = new_log();
    let l = log.clone();
    let out: Result<u32, String> = run_virtual(async move {
        async_with!(AsyncExitStack::new() as stack => {
            let l1 = l.clone();
            // Registered first, so it runs last: it suppresses what it sees.
            stack.push_async_exit(async move |outcome: &mut Outcome<Result<u32, String>>| {
                push(&l1, format!("last saw {:?}", outcome.error()));
                outcome.suppress();
            });
            let l2 = l.clone();
            stack.push_async_exit(async move |outcome: &mut Outcome<Result<u32, String>>| {
                push(&l2, format!("middle saw {:?}", outcome.error()));
                outcome.set_error(format!("middle replaced {}", outcome.error().unwrap()));
            });
            let l3 = l.clone();
            stack.push_async_exit(async move |outcome: &mut Outcome<Result<u32, String>>| {
                push(&l3, format!("first saw {:?}", outcome.error()));
            });
            Err("body failed".to_string())
        })
    });
    assert_eq!(out, Ok(0));
    assert_eq!(
        *log.borrow(),
        [
            "first saw Some(\"body failed\")",
            "middle saw Some(\"body failed\")",
            "last saw Some(\"middle replaced body failed\")",
        ]
    );
}

/// `test_pop_all`: the exits move to a new stack; the old one exits
/// nothing; the new one exits them when closed.
#[test]
fn pop_all_hands_the_exits_on() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let mut kept = None;
        async_with!(AsyncExitStack::new() as stack => {
            stack.enter_async_context(named(l.clone(), "a".into())).await;
            stack.enter_async_context(named(l.clone(), "b".into())).await;
            kept = Some(stack.pop_all());
        });
        let kept = kept.unwrap();
        push(&l, "first stack closed");
        assert_eq!(kept.len(), 2);
        kept.aclose().await;
        assert!(kept.is_empty());
    });
    assert_eq!(
        *log.borrow(),
        [
            "enter a",
            "enter b",
            "first stack closed",
            "exit b",
            "exit a"
        ]
    );
}

/// A panicking exit: the ones after it still run and see `Panicked`; then
/// the panic resumes.
#[test]
fn panicking_exit_does_not_skip_the_others() {
    let log = new_log();
    let l = log.clone();
    let caught = catch_unwind(AssertUnwindSafe(|| {
        run_virtual(async move {
            let stack = AsyncExitStack::<()>::new();
            let l1 = l.clone();
            stack.push_async_exit(async move |outcome: &mut Outcome<()>| {
                push(&l1, format!("outer saw {outcome:?}"));
            });
            stack.push_async_callback(async { panic!("exit failed") });
            stack.aclose().await;
        })
    }));
    assert!(caught.is_err());
    assert_eq!(*log.borrow(), ["outer saw Panicked"]);
}

/// The stack as a manager under cancellation: every registered exit runs,
/// in reverse order, awaits included.
#[test]
fn cancelled_body_exits_everything() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let l2 = l.clone();
        let task = create_task(async move {
            async_with!(AsyncExitStack::new() as stack => {
                for name in ["a", "b", "c"] {
                    stack.enter_async_context(named(l2.clone(), name.into())).await;
                }
                sleep(3600).await;
            });
        });
        sleep(1).await;
        task.cancel();
        assert!(task.await.unwrap_err().is_cancelled());
    });
    assert_eq!(
        *log.borrow(),
        [
            "enter a", "enter b", "enter c", "exit c", "exit b", "exit a"
        ]
    );
}

/// A cancellation that lands in one exit interrupts that exit only: the
/// ones after it still run (seeing `Cancelled`), as contextlib passes the
/// `CancelledError` on, and the task then ends cancelled.
#[test]
fn cancellation_in_one_exit_still_runs_the_rest() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let l2 = l.clone();
        let task = create_task(async move {
            let stack = AsyncExitStack::<()>::new();
            let l3 = l2.clone();
            stack.push_async_exit(async move |outcome: &mut Outcome<()>| {
                push(&l3, format!("outer exit saw {outcome:?}"));
            });
            let l4 = l2.clone();
            stack.push_async_callback(async move {
                sleep(10).await;
                push(&l4, "slow exit finished");
            });
            stack.aclose().await;
            push(&l2, "after aclose");
        });
        sleep(1).await;
        task.cancel();
        assert!(task.await.unwrap_err().is_cancelled());
    });
    assert_eq!(*log.borrow(), ["outer exit saw Cancelled"]);
}
