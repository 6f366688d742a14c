// Not a pattern after `as`: the error is at it.
fn main() {
    asyncio::run(async {
        let lock = asyncio::Lock::new();
        asyncio::async_with!(&lock as 1 + 2 => ());
    });
}
