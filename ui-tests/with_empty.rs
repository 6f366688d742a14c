// An empty `async_with!()`: the error shows the form.
fn main() {
    asyncio::run(async {
        asyncio::async_with!();
    });
}
