// A body without `=>` before it: the error is at the body.
fn main() {
    asyncio::run(async {
        let lock = asyncio::Lock::new();
        asyncio::async_with!(&lock as guard { drop(guard) });
    });
}
