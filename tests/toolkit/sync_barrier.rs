//! `Barrier`: arrival indices, rounds, abort/reset and cancelled waiters.

use crate::common::*;

use asyncio::{Barrier, BrokenBarrierError, Task, catch_cancelled, create_task, sleep};

fn party(
    barrier: &Barrier,
    log: &Log,
    name: &'static str,
) -> Task<Result<usize, BrokenBarrierError>> {
    let (barrier, log) = (barrier.clone(), log.clone());
    create_task(async move {
        let out = barrier.wait().await;
        push(&log, format!("{name} {out:?}"));
        out
    })
}

#[test]
fn the_last_arrival_releases_everyone_with_their_indices() {
    run_virtual(async {
        let log = new_log();
        let barrier = Barrier::new(3);
        assert_eq!(barrier.parties(), 3);
        let a = party(&barrier, &log, "a");
        let b = party(&barrier, &log, "b");
        sleep(1).await;
        assert_eq!(barrier.n_waiting(), 2);
        assert!(log.borrow().is_empty());
        assert_eq!(barrier.wait().await, Ok(2));
        assert_eq!(a.await.unwrap(), Ok(0));
        assert_eq!(b.await.unwrap(), Ok(1));
        assert_eq!(barrier.n_waiting(), 0);
        assert_eq!(*log.borrow(), ["a Ok(0)", "b Ok(1)"]);
    });
}

#[test]
fn the_barrier_can_be_used_for_several_rounds() {
    run_virtual(async {
        let barrier = Barrier::new(2);
        let b = barrier.clone();
        let other = create_task(async move {
            let mut indices = Vec::new();
            for _ in 0..3 {
                indices.push(b.wait().await.unwrap());
                sleep(1).await;
            }
            indices
        });
        let mut mine = Vec::new();
        for _ in 0..3 {
            mine.push(barrier.wait().await.unwrap());
        }
        assert_eq!(other.await.unwrap(), [1, 1, 1]);
        assert_eq!(mine, [0, 0, 0]);
    });
}

#[test]
fn abort_breaks_the_barrier_for_current_and_later_waiters_until_reset() {
    run_virtual(async {
        let log = new_log();
        let barrier = Barrier::new(3);
        let a = party(&barrier, &log, "a");
        let b = party(&barrier, &log, "b");
        sleep(0).await;
        barrier.abort();
        assert!(barrier.broken());
        assert_eq!(a.await.unwrap(), Err(BrokenBarrierError));
        assert_eq!(b.await.unwrap(), Err(BrokenBarrierError));
        assert_eq!(barrier.wait().await, Err(BrokenBarrierError));
        assert_eq!(BrokenBarrierError.to_string(), "the barrier is broken");
        barrier.reset();
        assert!(!barrier.broken());
        let c = party(&barrier, &log, "c");
        let d = party(&barrier, &log, "d");
        sleep(0).await;
        assert_eq!(barrier.wait().await, Ok(2));
        assert_eq!(c.await.unwrap(), Ok(0));
        assert_eq!(d.await.unwrap(), Ok(1));
    });
}

#[test]
fn reset_sends_the_current_waiters_away_broken_and_starts_afresh() {
    run_virtual(async {
        let log = new_log();
        let barrier = Barrier::new(2);
        let a = party(&barrier, &log, "a");
        sleep(0).await;
        barrier.reset();
        assert!(!barrier.broken());
        assert_eq!(barrier.n_waiting(), 0);
        assert_eq!(a.await.unwrap(), Err(BrokenBarrierError));
        let b = party(&barrier, &log, "b");
        sleep(0).await;
        assert_eq!(barrier.wait().await, Ok(1));
        assert_eq!(b.await.unwrap(), Ok(0));
    });
}

#[test]
fn a_cancelled_waiter_leaves_the_round_without_breaking_it() {
    run_virtual(async {
        let log = new_log();
        let barrier = Barrier::new(3);
        let a = party(&barrier, &log, "a");
        let caught = {
            let barrier = barrier.clone();
            create_task(async move { catch_cancelled(barrier.wait()).await.is_err() })
        };
        sleep(0).await;
        assert_eq!(barrier.n_waiting(), 2);
        caught.cancel();
        assert!(caught.await.unwrap());
        assert_eq!(barrier.n_waiting(), 1);
        let c = party(&barrier, &log, "c");
        sleep(0).await;
        assert!(!a.done());
        assert_eq!(barrier.wait().await, Ok(2));
        assert_eq!(a.await.unwrap(), Ok(0));
        assert_eq!(c.await.unwrap(), Ok(1));
        assert!(!barrier.broken());
    });
}

#[test]
fn a_waiter_cancelled_after_the_release_does_not_hold_back_the_others() {
    run_virtual(async {
        let log = new_log();
        let barrier = Barrier::new(3);
        let a = party(&barrier, &log, "a");
        let b = party(&barrier, &log, "b");
        sleep(0).await;
        let c = party(&barrier, &log, "c");
        sleep(0).await; // `c` arrives last and releases the round
        a.cancel();
        assert!(a.await.unwrap_err().is_cancelled());
        assert_eq!(b.await.unwrap(), Ok(1));
        assert_eq!(c.await.unwrap(), Ok(2));
        assert_eq!(barrier.n_waiting(), 0);
    });
}
