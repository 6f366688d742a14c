//! Nothing is lost when an `async with` is cancelled, wherever the
//! cancellation lands: 1,000 seeded runs, each cancelling a consumer that
//! takes items from a queue inside one or more managers, at a random
//! moment (often in the very step an item arrives). Every run checks that
//! the items sent are the items the body took plus those still queued, in
//! order; that every manager whose setup finished had its exit run
//! exactly once, to the end unless the cancellation landed in the exit
//! itself (which Python interrupts there too), and so always to the end
//! when exits do not await; and that no lock is left held.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use asyncio::{
    AsyncContext, AsyncContextManager, AsyncExitStack, Lock, Outcome, Queue, async_context,
    async_with, catch_cancelled, create_task, sleep,
};

use crate::common::*;

const ITEMS: u32 = 12;

/// What the managers did.
#[derive(Default)]
struct Counts {
    set_up: Cell<u32>,
    exits_started: Cell<u32>,
    exited: Cell<u32>,
    /// An exit that saw a body that took an item but was told it was
    /// cancelled would be a lost item: the body's value must reach it.
    taken: RefCell<Vec<u32>>,
}

/// How a run is shaped, drawn from its seed.
struct Shape {
    /// Delays (ms) before each item is sent.
    gaps: Vec<u64>,
    /// When (ms) the consumer is cancelled.
    cancel_at: u64,
    /// Which managers guard the body.
    managers: u64,
    /// Whether setups and exits await (1 ms).
    awaits: bool,
    /// Whether the body catches the cancellation around its `get`.
    catches: bool,
}

impl Shape {
    fn new(seed: u64) -> Shape {
        let mut rng = Rng::new(seed);
        let gaps = (0..ITEMS).map(|_| rng.below(3)).collect();
        Shape {
            gaps,
            cancel_at: rng.below(14),
            managers: rng.below(4),
            awaits: rng.below(2) == 0,
            catches: rng.below(4) == 0,
        }
    }
}

async_context! {
    async fn counted(counts: Rc<Counts>, awaits: bool) -> AsyncContext<()> {
        if awaits {
            sleep(0.001).await;
        }
        counts.set_up.set(counts.set_up.get() + 1);
        let outcome = yield ();
        counts.exits_started.set(counts.exits_started.get() + 1);
        if awaits {
            sleep(0.001).await;
        }
        let _ = outcome;
        counts.exited.set(counts.exited.get() + 1);
    }
}

/// The same manager written as a class.
struct Counted {
    counts: Rc<Counts>,
    awaits: bool,
}

impl<R> AsyncContextManager<R> for Counted {
    type Value = ();

    async fn aenter(&mut self) {
        if self.awaits {
            sleep(0.001).await;
        }
        self.counts.set_up.set(self.counts.set_up.get() + 1);
    }

    async fn aexit(self, _outcome: &mut Outcome<R>) {
        self.counts
            .exits_started
            .set(self.counts.exits_started.get() + 1);
        if self.awaits {
            sleep(0.001).await;
        }
        self.counts.exited.set(self.counts.exited.get() + 1);
    }
}

/// Takes one item inside the run's managers; `None` when the body caught
/// its cancellation.
async fn take_one(
    shape: &Shape,
    counts: &Rc<Counts>,
    queue: &Queue<u32>,
    lock: &Lock,
) -> Option<u32> {
    let body = async || {
        let item = if shape.catches {
            catch_cancelled(queue.get()).await.ok()?
        } else {
            queue.get().await
        };
        counts.taken.borrow_mut().push(item);
        Some(item)
    };
    let c = || counted(counts.clone(), shape.awaits);
    let class = || Counted {
        counts: counts.clone(),
        awaits: shape.awaits,
    };
    match shape.managers {
        0 => async_with!(c() => body().await),
        1 => async_with!(class() => body().await),
        2 => async_with!(c(), lock, class() => body().await),
        _ => async_with!(AsyncExitStack::new() as stack => {
            stack.enter_async_context(c()).await;
            stack.enter_async_context(class()).await;
            body().await
        }),
    }
}

fn run(seed: u64) {
    let shape = Rc::new(Shape::new(seed));
    let awaits = shape.awaits;
    let counts = Rc::new(Counts::default());
    let c = counts.clone();
    let remaining = run_virtual(async move {
        let queue = Queue::new(0);
        let lock = Lock::new();
        let producer = {
            let (queue, shape) = (queue.clone(), shape.clone());
            create_task(async move {
                for (item, gap) in shape.gaps.iter().enumerate() {
                    sleep(*gap as f64 / 1000.0).await;
                    queue.put_nowait(item as u32).unwrap();
                }
            })
        };
        let consumer = {
            let (queue, lock, shape, c) = (queue.clone(), lock.clone(), shape.clone(), c.clone());
            create_task(async move { while take_one(&shape, &c, &queue, &lock).await.is_some() {} })
        };
        sleep(shape.cancel_at as f64 / 1000.0).await;
        consumer.cancel();
        let _ = consumer.await;
        producer.await.unwrap();
        assert!(!lock.locked(), "seed {seed}: a lock was left held");
        let mut remaining = Vec::new();
        while let Ok(item) = queue.get_nowait() {
            remaining.push(item);
        }
        remaining
    });
    let mut seen = counts.taken.borrow().clone();
    seen.extend(remaining);
    assert_eq!(
        seen,
        (0..ITEMS).collect::<Vec<_>>(),
        "seed {seed}: an item was lost or duplicated"
    );
    assert_eq!(
        counts.set_up.get(),
        counts.exits_started.get(),
        "seed {seed}: a manager was entered and not exited (or exited twice)"
    );
    let interrupted = counts.exits_started.get() - counts.exited.get();
    let limit = u32::from(awaits);
    assert!(
        interrupted <= limit,
        "seed {seed}: {interrupted} exits did not finish; only one the cancellation landed in may not"
    );
}

#[test]
fn seeded_cancellations_lose_nothing() {
    for seed in 0..1000 {
        run(seed);
    }
}
