//! Seed 003 ("Ways to run & cancel coroutines"): a stopwatch task that ticks
//! every second until `main` cancels it.
//!
//! The Python it twins:
//!
//! ```python
//! async def stopwatch():
//!     count = 0
//!     try:
//!         while True:
//!             await asyncio.sleep(1)
//!             count += 1
//!             print(count)
//!     finally:
//!         print(f"stopwatch stopped at {count}")
//!
//! async def main():
//!     # Proper way to invoke
//!     task = asyncio.create_task(stopwatch())
//!     await asyncio.sleep(2.5)
//!     # Proper way to cancel
//!     task.cancel()
//!     try:
//!         await task
//!     except asyncio.CancelledError:
//!         print("cancelled:", task.cancelled())
//!
//! asyncio.run(main())
//! ```
//!
//! The seed sleeps 2 s; 2.5 s keeps the output from depending on which of
//! two timers due at the same instant fires first. (The seed's low-level
//! `coro.send(None)` / `coro.throw(CancelledError)` has no Rust twin: a
//! future is driven by `poll`, and cancellation is the task's job.)
//!
//! Run with `cargo run --example stopwatch`.

use std::cell::Cell;
use std::rc::Rc;

async fn stopwatch() {
    let count = Rc::new(Cell::new(0));
    // Python's `finally:`. An async cleanup registered with `finally` runs
    // even when the task is cancelled (it may await, too); the task is
    // reported done only after it has finished.
    let seen = count.clone();
    let _stopped = asyncio::finally(async move {
        println!("stopwatch stopped at {}", seen.get());
    });
    loop {
        asyncio::sleep(1).await;
        count.set(count.get() + 1);
        println!("{}", count.get());
    }
}

#[asyncio::main]
async fn main() {
    // Proper way to invoke: the stopwatch runs whenever `main` waits.
    let mut task = asyncio::create_task(stopwatch());
    asyncio::sleep(2.5).await;
    // Proper way to cancel: a request, delivered at the task's current await.
    task.cancel();
    println!("cancel requested; done yet? {}", task.done());

    // `except asyncio.CancelledError:` — awaiting gives the error as a value.
    // (`&mut task` awaits without giving the handle away.)
    match (&mut task).await {
        Err(e) if e.is_cancelled() => println!("cancelled: {}", task.cancelled()),
        other => println!("unexpected: {other:?}"),
    }
}
