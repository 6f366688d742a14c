// `=>` with nothing after it: the error is at the `>`.
fn main() {
    asyncio::run(async {
        let lock = asyncio::Lock::new();
        asyncio::async_with!(&lock as guard =>);
    });
}
