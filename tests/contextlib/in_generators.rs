//! An `async with` inside an async generator, with `yield` in its body
//! (Python's `async with conn: ... yield row`): items flow through it, and
//! closing the generator early runs the manager's exit to the end.

use std::pin::pin;

use asyncio::{AsyncContext, AsyncGen, async_context, async_gen, async_with, create_task, sleep};

use crate::common::*;

fn now() -> f64 {
    asyncio::get_running_loop().unwrap().time()
}

async_context! {
    async fn connection(log: Log) -> AsyncContext<Vec<u32>> {
        push(&log, "connect");
        yield vec![1, 2, 3];
        sleep(1).await; // an exit that awaits
        push(&log, format!("disconnect at {}", now()));
    }
}

async_gen! {
    /// Rows from a connection held open while they are yielded.
    async fn rows(log: Log) -> AsyncGen<u32> {
        async_with!(connection(log.clone()) as rows => {
            for row in rows {
                push(&log, format!("yield {row}"));
                yield row;
            }
        });
        push(&log, "generator done");
    }
}

#[test]
fn rows_flow_through_the_with() {
    let log = new_log();
    let l = log.clone();
    let got = run_virtual(async move { rows(l).collect::<Vec<_>>().await });
    assert_eq!(got, [1, 2, 3]);
    assert_eq!(
        *log.borrow(),
        [
            "connect",
            "yield 1",
            "yield 2",
            "yield 3",
            "disconnect at 1",
            "generator done"
        ]
    );
}

/// `aclose()` after the first row: the close is delivered at the `yield`,
/// the `async with` takes it and its exit runs to the end (it awaits)
/// before `aclose` returns; the code after the `async with` does not run.
#[test]
fn closing_early_runs_the_whole_exit() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let agen = rows(l.clone());
        assert_eq!(agen.anext().await, Ok(1));
        agen.aclose().await.unwrap();
        push(&l, format!("aclose returned at {}", now()));
        assert!(agen.is_finished());
    });
    assert_eq!(
        *log.borrow(),
        [
            "connect",
            "yield 1",
            "disconnect at 1",
            "aclose returned at 1"
        ]
    );
}

/// `break` out of an `async for` (a `while let` over `next`) then
/// `aclose`: the same.
#[test]
fn break_then_close() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let mut agen = pin!(rows(l.clone()));
        while let Some(row) = agen.next().await {
            if row == 2 {
                break;
            }
        }
        agen.aclose().await.unwrap();
    });
    assert_eq!(
        *log.borrow(),
        ["connect", "yield 1", "yield 2", "disconnect at 1"]
    );
}

/// The consuming task is cancelled while the generator's `async with`
/// body awaits: the exit runs to the end before the task reports.
#[test]
fn cancelled_consumer_runs_the_exit() {
    async_gen! {
        async fn slow_rows(log: Log) -> AsyncGen<u32> {
            async_with!(connection(log.clone()) as rows => {
                for row in rows {
                    sleep(10).await;
                    yield row;
                }
            });
        }
    }
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let l2 = l.clone();
        let task = create_task(async move {
            let agen = slow_rows(l2);
            agen.anext().await.ok()
        });
        sleep(5).await;
        task.cancel();
        assert!(task.await.unwrap_err().is_cancelled());
        push(&l, format!("task reported at {}", now()));
    });
    assert_eq!(
        *log.borrow(),
        ["connect", "disconnect at 6", "task reported at 6"]
    );
}

/// A generator dropped without `aclose` cannot await: an exit that does
/// not await still runs in full at the drop.
#[test]
fn dropped_generator_runs_a_sync_exit() {
    async_context! {
        async fn plain(log: Log) -> AsyncContext<u32> {
            yield 7;
            push(&log, "exit without awaiting");
        }
    }
    async_gen! {
        async fn numbers(log: Log) -> AsyncGen<u32> {
            async_with!(plain(log.clone()) as n => {
                yield n;
                yield n + 1;
            });
        }
    }
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let agen = numbers(l.clone());
        assert_eq!(agen.anext().await, Ok(7));
        drop(agen);
        push(&l, "dropped");
    });
    assert_eq!(*log.borrow(), ["exit without awaiting", "dropped"]);
}
