// A `yield` inside a nested `async` block is a separate future's: the error
// is at that `yield`.
fn main() {
    let _numbers = asyncio::async_gen! {
        let inner = async {
            yield 1u32;
        };
        inner.await;
    };
}
