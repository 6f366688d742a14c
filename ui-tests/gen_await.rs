// An async generator is not a future: `.await` on it is an error that says
// to iterate it instead.
fn main() {
    asyncio::run(async {
        let numbers = asyncio::async_gen! {
            yield 1u32;
        };
        let _ = numbers.await;
    });
}
