//! Seed 002 ("to_thread"): run a blocking routine on another OS thread
//! while the event loop carries on.
//!
//! The Python it twins (a ticker added to show that the loop is not
//! blocked, and the lower-level `run_in_executor` for comparison):
//!
//! ```python
//! import asyncio, time
//!
//! def a_routine(name):
//!     time.sleep(1)          # blocking: would freeze the loop if called directly
//!     print("Done.")
//!     return f"{name} finished"
//!
//! async def ticker():
//!     for i in range(1, 4):
//!         await asyncio.sleep(0.3)
//!         print(f"tick {i}")
//!
//! async def main():
//!     start = time.perf_counter()
//!     tick = asyncio.create_task(ticker())
//!     result = await asyncio.to_thread(a_routine, "a_routine")
//!     print(result)
//!     await tick
//!     loop = asyncio.get_running_loop()
//!     print(await loop.run_in_executor(None, sum, range(10)))
//!     print(f"executed in {time.perf_counter() - start:.2f} seconds")
//!
//! asyncio.run(main())
//! ```
//!
//! Python passes the routine's arguments to `to_thread`; in Rust the closure
//! captures them. The result is a `Result`: a panic in the routine comes
//! back as `Err(Error::Panicked)` instead of unwinding through the loop.
//!
//! Run with `cargo run --example to_thread`.

use std::time::{Duration, Instant};

fn a_routine(name: &str) -> String {
    std::thread::sleep(Duration::from_secs(1)); // blocking
    println!("Done.");
    format!("{name} finished")
}

async fn ticker() {
    for i in 1..=3 {
        asyncio::sleep(0.3).await;
        println!("tick {i}");
    }
}

#[asyncio::main]
async fn main() {
    let start = Instant::now();
    let tick = asyncio::create_task(ticker());

    // The loop runs `ticker` while a pool thread sleeps.
    match asyncio::to_thread(|| a_routine("a_routine")).await {
        Ok(result) => println!("{result}"),
        Err(e) => println!("the routine failed: {e}"),
    }
    tick.await.unwrap();

    let event_loop = asyncio::get_running_loop().unwrap();
    let sum = event_loop.run_in_executor(|| (0..10).sum::<u32>()).await;
    println!("{}", sum.unwrap());

    println!("executed in {:.2} seconds", start.elapsed().as_secs_f64());
}
