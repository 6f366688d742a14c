//! `asyncio.as_completed` (seed 002): take results in the order the work
//! finishes, not the order it was started.
//!
//! ```python
//! async def fetch(name, delay):
//!     await asyncio.sleep(delay)
//!     return f"{name} after {delay}s"
//!
//! async def main():
//!     my_routines = [fetch("slow", 0.3), fetch("fast", 0.1), fetch("medium", 0.2)]
//!     for routine in asyncio.as_completed(my_routines, timeout=1):
//!         first_result = await routine
//!         print(first_result)
//! ```
//!
//! Also shown: the same loop over the `Stream` trait, and the timeout,
//! after which each remaining item is `Err(TimeoutError)` (nothing is
//! cancelled).
//!
//! Run with `cargo run --example as_completed` (about 0.5 s).

async fn fetch(name: &str, delay: f64) -> String {
    asyncio::sleep(delay).await;
    format!("{name} after {delay}s")
}

#[asyncio::main]
async fn main() {
    let my_routines = [fetch("slow", 0.3), fetch("fast", 0.1), fetch("medium", 0.2)];
    let mut results = asyncio::as_completed(my_routines).timeout(1);
    while let Some(outcome) = results.next().await {
        match outcome {
            Ok(first_result) => println!("{first_result}"),
            Err(error) => println!("failed: {error}"),
        }
    }

    // With a timeout shorter than the slowest: the rest time out.
    let mut results =
        asyncio::as_completed([fetch("quick", 0.05), fetch("sluggish", 10.0)]).timeout(0.1);
    while let Some(outcome) = results.next().await {
        match outcome {
            Ok(result) => println!("{result}"),
            Err(error) => println!("{error}"),
        }
    }
}
