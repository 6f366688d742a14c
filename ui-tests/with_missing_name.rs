// `as` with no name after it, and a manager missing before another `as`:
// each error at its token.
fn main() {
    asyncio::run(async {
        let lock = asyncio::Lock::new();
        asyncio::async_with!(&lock as => ());
    });
}
