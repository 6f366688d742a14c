//! `gather` and `gather!`: argument order, first failure, return_exceptions,
//! cancellation of the gather's awaiter reaching every child.

use crate::common::*;

use asyncio::{Error, catch_cancelled, create_task, finally, gather, get_running_loop, sleep};

fn now() -> f64 {
    get_running_loop().unwrap().time()
}

/// The seed's `say_after`: prints `what` five times, `delay` apart.
async fn say_after(log: Log, delay: u32, what: &'static str) -> &'static str {
    for _ in 0..5 {
        sleep(delay).await;
        push(&log, what);
    }
    "Done."
}

#[test]
fn say_after_interleaves_as_the_seed_shows() {
    let log = new_log();
    let l = log.clone();
    let result = run_virtual(async move {
        gather([
            say_after(l.clone(), 3, "3-"),
            say_after(l.clone(), 1, "1-"),
            say_after(l.clone(), 2, "2-"),
        ])
        .await
    });
    assert_eq!(log.borrow().concat(), "1-2-1-3-1-2-1-1-3-2-2-3-2-3-3-");
    assert_eq!(result.unwrap(), ["Done.", "Done.", "Done."]);
}

#[test]
fn count_three_times_prints_one_one_one_two_two_two() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let count = |l: Log| async move {
            push(&l, "One");
            sleep(1).await;
            push(&l, "Two");
        };
        let (a, b, c) = asyncio::gather!(count(l.clone()), count(l.clone()), count(l.clone()))
            .await
            .unwrap();
        assert_eq!((a, b, c), ((), (), ()));
        assert_eq!(now(), 1.0);
    });
    assert_eq!(*log.borrow(), ["One", "One", "One", "Two", "Two", "Two"]);
}

#[test]
fn results_come_in_argument_order() {
    run_virtual(async {
        let out = gather([3, 1, 2].map(|d| async move {
            sleep(d).await;
            d
        }))
        .await;
        assert_eq!(out.unwrap(), [3, 1, 2]);
    });
}

#[test]
fn an_empty_gather_completes_at_once() {
    run_virtual(async {
        let out = gather(Vec::<std::future::Ready<u8>>::new()).await;
        assert_eq!(out.unwrap(), Vec::<u8>::new());
        assert_eq!(now(), 0.0);
    });
}

#[test]
fn the_first_failure_returns_while_the_others_keep_running() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let l1 = l.clone();
        let slow = create_task(async move {
            sleep(5).await;
            push(&l1, format!("slow finished at {}", now()));
        });
        let out = asyncio::gather!(
            async {
                sleep(1).await;
                panic!("boom");
            },
            async {
                sleep(5).await;
                "late"
            }
        )
        .await;
        match out {
            Err(Error::Panicked(p)) => {
                push(&l, format!("gather failed at {}: {}", now(), p.message()))
            }
            other => panic!("expected the panic, got {other:?}"),
        }
        slow.await.unwrap();
    });
    assert_eq!(
        *log.borrow(),
        ["gather failed at 1: boom", "slow finished at 5"]
    );
}

#[test]
fn return_exceptions_gives_every_outcome() {
    run_virtual(async {
        let outcomes = asyncio::gather!(
            async { 1 },
            async {
                sleep(1).await;
                panic!("second fails");
            },
            async {
                // Cancels itself: an outcome of its own kind.
                asyncio::current_task().unwrap().cancel();
                sleep(1).await;
                "never"
            },
        )
        .return_exceptions()
        .await;
        assert_eq!(outcomes.0.unwrap(), 1);
        assert!(outcomes.1.unwrap_err().is_panic());
        assert!(outcomes.2.unwrap_err().is_cancelled());

        let all = gather([1u32, 2].map(|d| async move {
            sleep(d).await;
            if d == 1 { Err("odd") } else { Ok(d) }
        }))
        .return_exceptions()
        .await;
        let all: Vec<_> = all.into_iter().map(Result::unwrap).collect();
        assert_eq!(all, [Err("odd"), Ok(2)]);
    });
}

#[test]
fn a_cancelled_child_fails_the_gather() {
    run_virtual(async {
        let g = gather([1, 2].map(|d| async move {
            sleep(d).await;
            d
        }));
        g.tasks()[1].cancel();
        let out = g.await;
        assert!(out.unwrap_err().is_cancelled());
    });
}

#[test]
fn cancelling_the_awaiter_cancels_every_child_and_waits_for_their_cleanup() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let child = |l: Log, name: &'static str| async move {
            let lc = l.clone();
            let _guard = finally(async move {
                sleep(1).await;
                push(&lc, format!("{name} cleaned up at {}", now()));
            });
            sleep(100).await;
            push(&l, format!("{name} not cancelled"));
        };
        let la = l.clone();
        let awaiter = create_task(async move {
            let out = catch_cancelled(asyncio::gather!(
                child(la.clone(), "a"),
                child(la.clone(), "b")
            ))
            .await;
            push(&la, format!("awaiter caught={} at {}", out.is_err(), now()));
        });
        sleep(2).await;
        awaiter.cancel();
        awaiter.await.unwrap();
    });
    assert_eq!(
        *log.borrow(),
        [
            "a cleaned up at 3",
            "b cleaned up at 3",
            "awaiter caught=true at 3"
        ]
    );
}

#[test]
fn without_a_catch_point_the_awaiter_ends_cancelled_with_its_children() {
    run_virtual(async {
        let g = gather([sleep(100), sleep(200)]);
        let children: Vec<_> = g.tasks().iter().map(|t| t.as_task_ref().clone()).collect();
        let awaiter = create_task(g);
        sleep(1).await;
        awaiter.cancel();
        assert!((&awaiter).await.unwrap_err().is_cancelled());
        assert!(children.iter().all(|c| c.cancelled()));
    });
}
