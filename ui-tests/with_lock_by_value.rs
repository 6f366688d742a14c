// A lock by value: its manager is `&Lock` (the lock outlives the `async
// with`); the error is at the value.
fn main() {
    asyncio::run(async {
        let lock = asyncio::Lock::new();
        asyncio::async_with!(lock => ());
    });
}
