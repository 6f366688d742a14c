//! `yield`s reached from inside `join!`, `select!` and a
//! `FuturesUnordered` within the body keep order and backpressure: values
//! come out in the order the `yield`s were reached, none is lost or
//! overwritten, and no `yield` completes before the consumer took its value.

use std::pin::pin;

use crate::common::{Log, new_log, push, run_virtual};
use asyncio::generator::{Co, from_fn};
use asyncio::{AsyncGen, async_gen};
use futures::FutureExt;
use futures::stream::{FuturesUnordered, StreamExt};

/// Drains `agen`, logging each item as consumed (after a pause, so a
/// producer that ran ahead would show in the log).
async fn consume<R, S: asyncio::generator::AnextValue, F: Future<Output = R> + ?Sized>(
    mut agen: AsyncGen<String, R, S, F>,
    log: &Log,
) {
    while let Some(item) = agen.next().await {
        push(log, format!("consumed {item}"));
        asyncio::sleep(10).await;
    }
}

#[test]
fn yields_in_join_branches_come_out_in_the_order_reached() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let lp = l.clone();
        let agen = from_fn(async move |co: &Co<String>| {
            let branch = |name: &'static str| {
                let lp = lp.clone();
                async move {
                    for i in 1..=2 {
                        push(&lp, format!("{name}{i} reached"));
                        co.yield_(format!("{name}{i}")).await;
                    }
                }
            };
            futures::join!(branch("a"), branch("b"));
        });
        consume(agen, &l).await;
    });
    assert_eq!(
        *log.borrow(),
        [
            "a1 reached",
            "b1 reached",
            "consumed a1",
            "a2 reached",
            "consumed b1",
            "b2 reached",
            "consumed a2",
            "consumed b2",
        ]
    );
}

#[test]
fn yields_in_select_arms_of_the_macro_form_keep_order_and_backpressure() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let lp = l.clone();
        let agen = async_gen! {
            let lp = lp;
            let mut fast = pin!(asyncio::sleep(1).fuse());
            let mut slow = pin!(asyncio::sleep(1.5).fuse());
            let lp2 = lp.clone();
            let now = move || asyncio::get_running_loop().unwrap().time();
            let (mut a, mut b) = (0, 0);
            while a + b < 4 {
                futures::select! {
                    () = fast => {
                        a += 1;
                        push(&lp2, format!("a{a} at {}", now()));
                        yield format!("a{a}");
                        fast.set(asyncio::sleep(1).fuse());
                    },
                    () = slow => {
                        b += 1;
                        push(&lp2, format!("b{b} at {}", now()));
                        yield format!("b{b}");
                        slow.set(asyncio::sleep(1.5).fuse());
                    },
                }
            }
            drop(lp);
        };
        consume(agen, &l).await;
    });
    // The consumer's 10 s pause after each item holds the producer back:
    // every value is consumed before the next one is produced, whatever the
    // timers say (which arm wins a tie is select!'s own choice).
    let log = log.borrow();
    assert_eq!(log.len(), 8, "{log:?}");
    for pair in log.chunks(2) {
        let produced = pair[0].split(" at ").next().unwrap();
        assert_eq!(pair[1], format!("consumed {produced}"), "{log:?}");
    }
    assert_eq!(log[0], "a1 at 1");
    assert_eq!(log[2], "b1 at 11", "the slow timer fired while a1 was held");
}

#[test]
fn yields_from_futures_unordered_arrive_in_completion_order() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let lp = l.clone();
        let agen = from_fn(async move |co: &Co<String>| {
            let mut pending = FuturesUnordered::new();
            for (name, delay) in [("slow", 3.0), ("fast", 1.0), ("mid", 2.0)] {
                let lp = lp.clone();
                pending.push(async move {
                    asyncio::sleep(delay).await;
                    push(&lp, format!("{name} reached"));
                    co.yield_(name.to_string()).await;
                    push(&lp, format!("{name} resumed"));
                });
            }
            while pending.next().await.is_some() {}
        });
        consume(agen, &l).await;
    });
    assert_eq!(
        *log.borrow(),
        [
            "fast reached",
            "consumed fast",
            "mid reached",
            "slow reached",
            "fast resumed",
            "consumed mid",
            "mid resumed",
            "consumed slow",
            "slow resumed",
        ]
    );
}

#[test]
fn a_cancelled_yield_in_a_select_is_withdrawn_not_delivered() {
    // A `yield` that loses a `select!` is dropped before its value was
    // taken: the value is taken back, as a cancelled send would be.
    run_virtual(async {
        let mut agen = from_fn(async |co: &Co<&'static str>| {
            futures::select! {
                () = co.yield_("lost").fuse() => unreachable!("nobody took it"),
                () = futures::future::ready(()).fuse() => {},
            }
            co.yield_("kept").await;
        });
        assert_eq!(agen.next().await, Some("kept"));
        assert_eq!(agen.next().await, None);
    });
}

#[test]
fn nothing_runs_ahead_of_the_consumer() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let lp = l.clone();
        let agen = async_gen! {
            for i in 0..3 {
                push(&lp, format!("produce {i}"));
                yield i.to_string();
            }
            push(&lp, "body done");
        };
        consume(agen, &l).await;
    });
    assert_eq!(
        *log.borrow(),
        [
            "produce 0",
            "consumed 0",
            "produce 1",
            "consumed 1",
            "produce 2",
            "consumed 2",
            "body done",
        ]
    );
}
