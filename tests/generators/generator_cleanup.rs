//! A generator's async cleanup (`asyncio::finally` in its body) runs
//! exactly once: awaited by `aclose`, run by the loop when an unfinished
//! generator is dropped (asyncio's async-generator finalizer), inside the
//! cancelled task that dropped it, and awaited by `asyncio::run` at the end
//! (`shutdown_asyncgens`).

use crate::common::{Log, new_log, push, run_virtual};
use asyncio::{AsyncGen, async_gen};

async_gen! {
    /// Yields 0, 1, 2, ... with an async cleanup that sleeps, then logs.
    async fn ticker(log: Log) -> AsyncGen<u32> {
        let l = log.clone();
        let _cleanup = asyncio::finally(async move {
            asyncio::sleep(1).await;
            push(&l, "cleanup done");
        });
        for i in 0.. {
            push(&log, format!("yield {i}"));
            yield i;
        }
    }
}

#[test]
fn aclose_awaits_the_cleanup() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let agen = ticker(l.clone());
        assert_eq!(agen.anext().await, Ok(0));
        let lp = asyncio::get_running_loop().unwrap();
        let before = lp.time();
        agen.aclose().await.unwrap();
        push(&l, "aclose returned");
        assert_eq!(
            lp.time() - before,
            1.0,
            "aclose waited for the cleanup's sleep"
        );
    });
    assert_eq!(
        *log.borrow(),
        ["yield 0", "cleanup done", "aclose returned"]
    );
}

#[test]
fn a_finished_body_runs_its_cleanup_on_the_normal_path() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let l2 = l.clone();
        let agen = async_gen! {
            let l3 = l2.clone();
            let cleanup = asyncio::finally(async move { push(&l3, "cleanup") });
            yield 1;
            cleanup.await;
            push(&l2, "after cleanup");
        };
        assert_eq!(agen.collect::<Vec<_>>().await, [1]);
        push(&l, "collected");
    });
    assert_eq!(*log.borrow(), ["cleanup", "after cleanup", "collected"]);
}

#[test]
fn dropping_an_unfinished_generator_hands_its_cleanup_to_the_loop() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let mut agen = ticker(l.clone());
        assert_eq!(agen.next().await, Some(0));
        drop(agen);
        push(&l, "dropped");
        // The cleanup runs as a task of its own, soon after.
        asyncio::sleep(2).await;
        push(&l, "later");
    });
    assert_eq!(
        *log.borrow(),
        ["yield 0", "dropped", "cleanup done", "later"]
    );
}

#[test]
fn run_awaits_cleanups_released_at_the_very_end() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let mut agen = ticker(l.clone());
        assert_eq!(agen.next().await, Some(0));
        push(&l, "main returns");
        // `agen` is dropped as main ends: its cleanup still completes
        // before `run` returns, and is not cancelled.
    });
    push(&log, "run returned");
    assert_eq!(
        *log.borrow(),
        ["yield 0", "main returns", "cleanup done", "run returned"]
    );
}

#[test]
fn a_cancelled_task_runs_its_generators_cleanup_before_it_reports() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let l2 = l.clone();
        let task = asyncio::create_task(async move {
            let mut agen = ticker(l2.clone());
            while let Some(i) = agen.next().await {
                push(&l2, format!("got {i}"));
                asyncio::sleep(10).await;
            }
        });
        asyncio::sleep(1).await;
        task.cancel();
        let outcome = task.await;
        push(&l, "task reported");
        assert!(outcome.unwrap_err().is_cancelled());
    });
    assert_eq!(
        *log.borrow(),
        ["yield 0", "got 0", "cleanup done", "task reported"]
    );
}

#[test]
fn wait_for_sees_the_cleanup_finish_before_its_timeout_returns() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let l2 = l.clone();
        let outcome = asyncio::wait_for(
            async move {
                let mut agen = ticker(l2);
                loop {
                    agen.next().await;
                    asyncio::sleep(10).await;
                }
            },
            5,
        )
        .await;
        assert!(outcome.is_err());
        push(&l, "timed out");
    });
    assert_eq!(*log.borrow(), ["yield 0", "cleanup done", "timed out"]);
}

#[test]
fn cleanup_runs_exactly_once_whatever_the_path() {
    // aclose, then drop: once.
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let agen = ticker(l.clone());
        agen.anext().await.unwrap();
        agen.aclose().await.unwrap();
        agen.aclose().await.unwrap();
        drop(agen);
        asyncio::sleep(5).await;
    });
    assert_eq!(
        log.borrow().iter().filter(|e| *e == "cleanup done").count(),
        1
    );

    // A generator that never started has no cleanup to run.
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        drop(ticker(l));
        asyncio::sleep(5).await;
    });
    assert!(log.borrow().is_empty());
}

#[test]
fn sync_destructors_run_when_the_generator_is_dropped() {
    struct Flag(Log);
    impl Drop for Flag {
        fn drop(&mut self) {
            push(&self.0, "flag dropped");
        }
    }
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let l2 = l.clone();
        let mut agen = async_gen! {
            let _flag = Flag(l2);
            yield 1;
            yield 2;
        };
        agen.next().await;
        push(&l, "before drop");
        drop(agen);
        push(&l, "after drop");
    });
    assert_eq!(*log.borrow(), ["before drop", "flag dropped", "after drop"]);
}
