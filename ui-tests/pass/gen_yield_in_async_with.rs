#![forbid(unsafe_code)]
#![deny(warnings)]

// A `yield` inside an `async_with!` in a generator's body suspends the
// generator (Python's `yield` inside `async with`); the import of
// `async_with` counts as used.
use asyncio::{AsyncGen, async_gen, async_with};

async_gen! {
    async fn guarded(lock: asyncio::Lock) -> AsyncGen<u32> {
        async_with!(&lock => {
            for i in 0..3 {
                yield i;
            }
        });
    }
}

fn main() {
    asyncio::run(async {
        let lock = asyncio::Lock::new();
        let items = guarded(lock.clone()).collect::<Vec<_>>().await;
        assert_eq!(items, [0, 1, 2]);
        assert!(!lock.locked());
    });
}
