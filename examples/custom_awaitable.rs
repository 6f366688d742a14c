//! Seed 003 ("Types of Awaitable Objects"): a custom awaitable — an object
//! with `__await__` — written as a hand-made `std::future::Future`.
//!
//! The Python it twins:
//!
//! ```python
//! class Stopwatch():
//!     # Note: __await__ is not async, just standard method
//!     def __await__(self):
//!         # a bare `yield` hands control to the event loop once
//!         yield
//!
//! async def main():
//!     # Created a custom awaitable
//!     await Stopwatch()
//!
//! asyncio.run(main())
//! ```
//!
//! Python's task driver treats a bare `yield` as "run me again soon". A Rust
//! future does the same by asking its waker to wake it and returning
//! `Poll::Pending`; the next `poll` completes it.
//!
//! Run with `cargo run --example custom_awaitable`.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};

/// Yields to the event loop once, then completes.
#[derive(Default)]
struct Stopwatch {
    polls: u32,
}

impl Future for Stopwatch {
    type Output = ();

    // Like `__await__`, `poll` is a plain (not async) method.
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.polls += 1;
        if self.polls == 1 {
            println!("  Stopwatch poll #1: yield to the loop");
            // The bare `yield`: "poll me again soon". Returning `Pending`
            // without arranging a wake-up would suspend the task forever.
            cx.waker().wake_by_ref();
            Poll::Pending
        } else {
            println!("  Stopwatch poll #{}: done", self.polls);
            Poll::Ready(())
        }
    }
}

/// `__await__` may also hand back another awaitable. `IntoFuture` is Rust's
/// exact twin: `.await` calls `into_future()` first, so a plain value can
/// be awaited without being a future itself.
struct Countdown {
    secs: f64,
}

impl IntoFuture for Countdown {
    type Output = ();
    type IntoFuture = asyncio::Sleep;

    fn into_future(self) -> asyncio::Sleep {
        asyncio::sleep(self.secs)
    }
}

#[asyncio::main]
async fn main() {
    // Another task, to show that the `yield` really lets the loop run others.
    let other = asyncio::create_task(async { println!("  the other task gets a turn") });

    println!("before `Stopwatch.await`");
    Stopwatch::default().await; // `await Stopwatch()`
    println!("after `Stopwatch.await`");

    println!("before `Countdown.await`");
    Countdown { secs: 0.1 }.await;
    println!("after `Countdown.await` (0.1 s later)");

    other.await.expect("the other task finished");
}
