// No `=> { body }`: the error is at the last token and shows the form.
fn main() {
    asyncio::run(async {
        let lock = asyncio::Lock::new();
        asyncio::async_with!(&lock as guard);
    });
}
