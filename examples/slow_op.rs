//! Seed 004's timeout: `wait_for` gives up on a slow operation after one
//! second, and the operation is cancelled (it never prints "completed").
//!
//! ```python
//! async def slow_op():
//!   await asyncio.sleep(400)
//!   print('completed')
//!
//! async def main():
//!   try:
//!     await asyncio.wait_for(slow_op(), timeout=1.0)
//!   except asyncio.TimeoutError:
//!     print('timeout')
//! ```
//!
//! The seed defines `main()` but never runs it; run with
//! `asyncio.run(main())`, Python prints `timeout` after a second, and so
//! does this.
//!
//! Run with `cargo run --example slow_op`.

async fn slow_op() {
    asyncio::sleep(400).await;
    println!("completed");
}

#[asyncio::main]
async fn main() {
    match asyncio::wait_for(slow_op(), 1.0).await {
        Ok(()) => {}
        Err(asyncio::TimeoutError) => println!("timeout"),
    }
}
