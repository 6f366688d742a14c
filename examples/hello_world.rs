//! Seed 001 ("Running an asyncio program"): hello world, with the high-level
//! and the low-level API.
//!
//! The Python it twins:
//!
//! ```python
//! import asyncio
//!
//! async def foo():
//!     print("Foo!")
//!
//! async def hello_world():
//!     await foo()  # waits for `foo()` to complete
//!     print("Hello World!")
//!
//! asyncio.run(hello_world())
//!
//! # the same with the low-level API
//! loop = asyncio.get_event_loop()
//! loop.run_until_complete(hello_world())
//! loop.close()
//! ```
//!
//! `main` stays a plain `fn` here because it drives two loops one after the
//! other; a program with a single entry point would write
//! `#[asyncio::main] async fn main() { hello_world().await }` instead.
//!
//! Run with `cargo run --example hello_world`.

async fn foo() {
    println!("Foo!");
}

async fn hello_world() {
    foo().await; // waits for `foo()` to complete
    println!("Hello World!");
}

fn main() {
    // High level: `asyncio.run` makes a new loop, runs the coroutine to
    // completion, then closes the loop.
    println!("-- asyncio::run(hello_world()) --");
    asyncio::run(hello_world());

    // Low level: the same steps by hand.
    println!("-- get_event_loop() + run_until_complete() + close() --");
    let event_loop = asyncio::get_event_loop().unwrap();
    event_loop
        .run_until_complete(hello_world())
        .expect("hello_world() runs to completion");
    event_loop.close().expect("the loop is not running");
}
