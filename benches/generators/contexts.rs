//! The `contexts` workloads: 1,000,000 enter/exit pairs of a trivial async
//! context manager, each around a body that suspends once, written four
//! ways: the generator form (`async_context!` + `async_with!`), the trait
//! form (`impl AsyncContextManager` + `async_with!`), inline (the same
//! counting and suspension, no manager, and no exit if the body is
//! cancelled), and by hand with the manager's guarantee (a
//! `catch_cancelled` around the body, the exit after it either way, the
//! cancellation passed on: what one writes without a manager to get the
//! same behaviour).
//!
//! Two drivers: a no-op-waker loop, where the body's suspension is a
//! future that is pending once (only the managers' own cost is measured),
//! and this crate's event loop, where it is `sleep(0)` (a pair as a
//! program sees it).

use std::cell::Cell;
use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use asyncio::{AsyncContextManager, Outcome, async_context, async_with, catch_cancelled};

use crate::harness::{Driver, Stopwatch, block_on};

/// Returns `Pending` once (waking itself), then `Ready`: a body that
/// suspends once, as one that awaits I/O would.
struct Suspend(bool);

impl Future for Suspend {
    type Output = ();

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// What every side counts: enters, exits, and the body's values.
#[derive(Default)]
struct Counts {
    entered: Cell<u64>,
    exited: Cell<u64>,
    sum: Cell<u64>,
}

thread_local! {
    /// Whether the body suspends with `sleep(0)` on the event loop rather
    /// than with `Suspend` under the no-op waker.
    static ON_LOOP: Cell<bool> = const { Cell::new(false) };
}

/// The body, shared by every side.
#[inline]
async fn body(counts: &Counts, value: u64) {
    counts.sum.set(counts.sum.get() + black_box(value));
    if ON_LOOP.get() {
        asyncio::sleep(0).await;
    } else {
        Suspend(false).await;
    }
}

/// The trait form's manager.
struct Counted<'a> {
    counts: &'a Counts,
    value: u64,
}

impl<R> AsyncContextManager<R> for Counted<'_> {
    type Value = u64;

    async fn aenter(&mut self) -> u64 {
        self.counts.entered.set(self.counts.entered.get() + 1);
        self.value
    }

    async fn aexit(self, _outcome: &mut Outcome<R>) {
        self.counts.exited.set(self.counts.exited.get() + 1);
    }
}

fn time(driver: Driver, n: u64, run: impl AsyncFnOnce(&'static Counts) + 'static) -> Duration {
    // Leaked (a few bytes per run) so that the loop's `'static` future may
    // borrow it.
    let counts: &'static Counts = Box::leak(Box::default());
    let clock = match driver {
        Driver::Bare => {
            ON_LOOP.set(false);
            let clock = Stopwatch::start();
            block_on(run(counts));
            clock
        }
        Driver::Loop => {
            ON_LOOP.set(true);
            let lp = asyncio::EventLoop::new().expect("an event loop");
            let clock = Stopwatch::start();
            lp.run_until_complete(run(counts)).expect("the pairs run");
            lp.close().expect("the loop closes");
            clock
        }
    };
    let elapsed = clock.elapsed();
    assert_eq!(counts.entered.get(), n);
    assert_eq!(counts.exited.get(), n);
    assert_eq!(counts.sum.get(), n * (n - 1) / 2);
    elapsed
}

pub(crate) fn inline(driver: Driver, n: u64) -> Duration {
    time(driver, n, async move |counts| {
        for i in 0..n {
            counts.entered.set(counts.entered.get() + 1);
            body(counts, i).await;
            counts.exited.set(counts.exited.get() + 1);
        }
    })
}

/// The manager's guarantee by hand: the exit runs whether the body ends or
/// is cancelled, and a cancellation is passed on.
pub(crate) fn by_hand(driver: Driver, n: u64) -> Duration {
    time(driver, n, async move |counts| {
        for i in 0..n {
            counts.entered.set(counts.entered.get() + 1);
            let ended = catch_cancelled(body(counts, i)).await;
            counts.exited.set(counts.exited.get() + 1);
            if ended.is_err() {
                std::future::pending::<()>().await;
            }
        }
    })
}

pub(crate) fn trait_form(driver: Driver, n: u64) -> Duration {
    time(driver, n, async move |counts| {
        for i in 0..n {
            async_with!(Counted { counts, value: i } as v => body(counts, v).await);
        }
    })
}

pub(crate) fn generator_form(driver: Driver, n: u64) -> Duration {
    time(driver, n, async move |counts| {
        for i in 0..n {
            let cm = async_context! {
                counts.entered.set(counts.entered.get() + 1);
                yield i;
                counts.exited.set(counts.exited.get() + 1);
            };
            async_with!(cm as v => body(counts, v).await);
        }
    })
}
