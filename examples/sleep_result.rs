//! Seed 002 ("run", "sleep"): `asyncio.sleep(delay, result)`, which hands
//! back `result` after the delay.
//!
//! The Python it twins (5 s shortened to 0.5 s):
//!
//! ```python
//! async def my_routine(msg):
//!     result = await asyncio.sleep(5, ' world')
//!     assert msg + result == 'hello world', 'No hello world'
//!
//! asyncio.run(my_routine('hello'))
//! ```
//!
//! `asyncio::sleep` has no `result` parameter: in Rust a block is an
//! expression, so "sleep, then produce a value" is an `async` block whose
//! last expression is the value — or a three-line generic helper.
//!
//! Run with `cargo run --example sleep_result`.

use asyncio::Delay;

/// `asyncio.sleep(delay, result)` as a helper, if you want one.
async fn sleep_then<T>(delay: impl Into<Delay>, result: T) -> T {
    asyncio::sleep(delay).await;
    result
}

async fn my_routine(msg: &str) {
    // 1. Inline: sleep, then the value.
    let result = async {
        asyncio::sleep(0.5).await;
        " world"
    }
    .await;
    assert_eq!(msg.to_owned() + result, "hello world", "No hello world");
    println!("{msg}{result}");

    // 2. With the helper: the closest spelling to the Python.
    let result = sleep_then(0.5, " world").await;
    assert_eq!(msg.to_owned() + result, "hello world", "No hello world");
    println!("{msg}{result}");
}

#[asyncio::main]
async fn main() {
    my_routine("hello").await;
}
