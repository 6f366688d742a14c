//! `asyncio.wait_for` that times out (seed 002): the slow `say_after` is
//! cancelled after 2 seconds and `TimeoutError` comes back as a value.
//!
//! ```python
//! async def say_after(delay, what):
//!     await asyncio.sleep(delay)
//!     return "Done."
//!
//! async def main():
//!     try:
//!         result = await asyncio.wait_for(say_after(5, 'hello'), timeout=2)
//!         print(result)
//!     except asyncio.TimeoutError:
//!         print('Timeout exceed')
//!
//! asyncio.run(main())
//! ```
//!
//! Run with `cargo run --example wait_for` (about 2 s).

async fn say_after(delay: u64, _what: &str) -> &'static str {
    asyncio::sleep(delay).await;
    "Done."
}

#[asyncio::main]
async fn main() {
    match asyncio::wait_for(say_after(5, "hello"), 2).await {
        Ok(result) => println!("{result}"),
        Err(asyncio::TimeoutError) => println!("Timeout exceed"),
    }
}
