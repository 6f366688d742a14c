//! Three `count()` coroutines gathered (seed 004): each prints "One",
//! sleeps one second without blocking the loop, then prints "Two", so the
//! whole program takes about one second, not three.
//!
//! ```python
//! async def count():
//!     print("One")
//!     await asyncio.sleep(1)
//!     print("Two")
//!
//! async def main():
//!     await asyncio.gather(count(), count(), count())
//!
//! if __name__ == "__main__":
//!     import time
//!     s = time.perf_counter()
//!     asyncio.run(main())
//!     elapsed = time.perf_counter() - s
//!     print(f"{__file__} executed in {elapsed:0.2f} seconds.")
//! ```
//!
//! Run with `cargo run --example countasync`.

use std::time::Instant;

async fn count() {
    println!("One");
    asyncio::sleep(1).await;
    println!("Two");
}

async fn main_async() {
    asyncio::gather!(count(), count(), count())
        .await
        .expect("count() does not fail");
}

fn main() {
    let start = Instant::now();
    asyncio::run(main_async());
    let elapsed = start.elapsed().as_secs_f64();
    println!("{} executed in {elapsed:0.2} seconds.", file!());
}
