//! `as_completed`: completion order, failures as items, the timeout, the
//! `Stream` impl, and nothing cancelled along the way.

use crate::common::*;

use std::cell::RefCell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use asyncio::{AsCompleted, Error, Stream, as_completed, create_task, get_running_loop, sleep};

fn now() -> f64 {
    get_running_loop().unwrap().time()
}

#[test]
fn outcomes_arrive_in_completion_order() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let mut it = as_completed([3, 1, 2].map(|d| async move {
            sleep(d).await;
            d
        }));
        assert_eq!(it.remaining(), 3);
        while let Some(outcome) = it.next().await {
            push(&l, format!("{} at {}", outcome.unwrap(), now()));
        }
        assert_eq!(it.remaining(), 0);
        assert!(it.next().await.is_none(), "stays exhausted");
    });
    assert_eq!(*log.borrow(), ["1 at 1", "2 at 2", "3 at 3"]);
}

#[test]
fn equal_deadlines_keep_creation_order() {
    run_virtual(async {
        let mut it = as_completed(["a", "b", "c"].map(|s| async move {
            sleep(1).await;
            s
        }));
        let mut order = Vec::new();
        while let Some(outcome) = it.next().await {
            order.push(outcome.unwrap());
        }
        assert_eq!(order, ["a", "b", "c"]);
    });
}

#[test]
fn a_panic_is_an_item_and_the_rest_still_come() {
    run_virtual(async {
        let mut it = as_completed([1, 2, 3].map(|d| async move {
            sleep(d).await;
            assert!(d != 2, "two failed");
            d
        }));
        let first = it.next().await.unwrap();
        let second = it.next().await.unwrap();
        let third = it.next().await.unwrap();
        assert_eq!(first.unwrap(), 1);
        let error = second.unwrap_err();
        assert!(error.is_panic() && error.to_string().contains("two failed"));
        assert_eq!(third.unwrap(), 3);
    });
}

#[test]
fn timeout_yields_timeout_errors_and_cancels_nothing() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let tasks = [1, 5, 7].map(|d| {
            let l = l.clone();
            create_task(async move {
                sleep(d).await;
                push(&l, format!("{d} finished"));
                d
            })
        });
        let refs: Vec<_> = tasks.iter().map(|t| t.as_task_ref().clone()).collect();
        let mut it = AsCompleted::from_tasks(tasks).timeout(3);
        let mut items = Vec::new();
        while let Some(outcome) = it.next().await {
            items.push(match outcome {
                Ok(d) => format!("{d}"),
                Err(Error::Timeout(_)) => format!("timeout at {}", now()),
                Err(e) => format!("unexpected {e}"),
            });
        }
        assert_eq!(items, ["1", "timeout at 3", "timeout at 3"]);
        assert!(refs.iter().all(|t| !t.cancelled()));
        sleep(10).await;
        assert!(refs.iter().all(|t| t.done() && !t.cancelled()));
    });
    assert_eq!(
        *log.borrow(),
        ["1 finished", "5 finished", "7 finished"],
        "the timed-out tasks kept running"
    );
}

#[test]
fn from_tasks_with_one_already_done() {
    run_virtual(async {
        let done = create_task(async { "early" });
        sleep(0).await;
        sleep(0).await;
        assert!(done.done());
        let late = create_task(async {
            sleep(1).await;
            "late"
        });
        let mut it = AsCompleted::from_tasks([late, done]);
        assert_eq!(it.next().await.unwrap().unwrap(), "early");
        assert_eq!(it.next().await.unwrap().unwrap(), "late");
    });
}

/// A minimal `next()` over any `Stream`, as a user of futures-core would write.
async fn stream_next<S: Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    std::future::poll_fn(|cx: &mut Context<'_>| -> Poll<Option<S::Item>> {
        Pin::new(&mut *stream).poll_next(cx)
    })
    .await
}

#[test]
fn works_as_a_stream() {
    run_virtual(async {
        let mut it = as_completed([2, 1].map(|d| async move {
            sleep(d).await;
            d * 10
        }));
        assert_eq!(it.size_hint(), (2, Some(2)));
        assert_eq!(stream_next(&mut it).await.unwrap().unwrap(), 10);
        assert_eq!(it.size_hint(), (1, Some(1)));
        assert_eq!(stream_next(&mut it).await.unwrap().unwrap(), 20);
        assert!(stream_next(&mut it).await.is_none());
    });
}

#[test]
fn cancelling_the_consumer_loses_no_outcome() {
    run_virtual(async {
        let first = create_task(async {
            sleep(1).await;
            1
        });
        let second = create_task(async {
            sleep(2).await;
            2
        });
        let first_ref = first.as_task_ref().clone();
        let it = Rc::new(RefCell::new(AsCompleted::from_tasks([first, second])));
        let it2 = it.clone();
        // Borrows only while polling, the way a Stream combinator would.
        let consumer = create_task(async move {
            std::future::poll_fn(|cx| Pin::new(&mut *it2.borrow_mut()).poll_next(cx)).await
        });
        let victim = consumer.as_task_ref().clone();
        // Runs right after as_completed's own callback has queued the
        // outcome and woken the consumer: the cancellation arrives first.
        first_ref.add_done_callback(move |_| {
            victim.cancel();
        });
        assert!((&consumer).await.unwrap_err().is_cancelled());
        let mut it = Rc::try_unwrap(it)
            .expect("the consumer is gone")
            .into_inner();
        assert_eq!(it.next().await.unwrap().unwrap(), 1);
        assert_eq!(it.next().await.unwrap().unwrap(), 2);
    });
}

#[test]
fn dropping_the_iterator_leaves_the_tasks_running() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let mut it = as_completed([1, 2].map(|d| {
            let l = l.clone();
            async move {
                sleep(d).await;
                push(&l, format!("{d}"));
            }
        }));
        it.next().await.unwrap().unwrap();
        drop(it);
        sleep(5).await;
    });
    assert_eq!(*log.borrow(), ["1", "2"]);
}
