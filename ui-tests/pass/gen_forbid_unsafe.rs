#![forbid(unsafe_code)]
#![deny(warnings)]

// A crate that forbids `unsafe` can still use `async_gen!`: the
// expansion's `unsafe` is the macro's, not the user's.
use asyncio::AsyncGen;

asyncio::async_gen! {
    async fn evens(limit: u32) -> AsyncGen<u32> {
        for i in (0..limit).step_by(2) {
            yield i;
        }
    }
}

fn main() {
    let odds = asyncio::async_gen! {
        for i in (1..6u32).step_by(2) {
            yield i;
        }
    };
    asyncio::run(async move {
        assert_eq!(evens(5).collect::<Vec<_>>().await, [0, 2, 4]);
        assert_eq!(odds.collect::<Vec<_>>().await, [1, 3, 5]);
    });
}
