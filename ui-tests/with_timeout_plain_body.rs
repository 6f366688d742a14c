// `timeout(d)` as a manager guards bodies that return a `Result` whose
// error comes from `TimeoutError`; a body returning `()` is rejected at
// the manager.
fn main() {
    asyncio::run(async {
        asyncio::async_with!(asyncio::timeout(1) => ());
    });
}
