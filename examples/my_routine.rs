//! Seed 002's `run`: the program's entry point runs one routine that
//! sleeps, then prints.
//!
//! ```python
//! async def my_routine():
//!     await asyncio.sleep(1)
//!     print('Done.')
//!
//! asyncio.run(my_routine())
//! ```
//!
//! Prints `Done.` after a second, as Python does.
//!
//! Run with `cargo run --example my_routine`.

async fn my_routine() {
    asyncio::sleep(1).await;
    println!("Done.");
}

fn main() {
    asyncio::run(my_routine());
}
