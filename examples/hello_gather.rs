//! Seed 004's `hello()` awaited twice under `gather`: both print their
//! first line before either sleeps out, so the program takes one second,
//! not two.
//!
//! ```python
//! async def hello():
//!     print('Hello ...')
//!     await asyncio.sleep(1)
//!     print('... World!')
//!
//! async def main():
//!     await asyncio.gather(hello(), hello())
//!
//! asyncio.run(main())
//! ```
//!
//! Prints, as Python does:
//!
//! ```text
//! Hello ...
//! Hello ...
//! ... World!
//! ... World!
//! ```
//!
//! Run with `cargo run --example hello_gather`.

async fn hello() {
    println!("Hello ...");
    asyncio::sleep(1).await;
    println!("... World!");
}

#[asyncio::main]
async fn main() {
    asyncio::gather!(hello(), hello())
        .await
        .expect("hello() does not fail");
}
