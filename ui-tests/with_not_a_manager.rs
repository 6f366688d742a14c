// A value that is not an async context manager: the error is at the
// value and names the trait.
fn main() {
    asyncio::run(async {
        asyncio::async_with!(42 as n => n + 1);
    });
}
