// A `yield` in a nested `async` block of an `async_context!` body: the
// error is at that `yield`.
fn main() {
    let _cm = asyncio::async_context! {
        let setup = async {
            yield 1u32;
        };
        setup.await;
    };
}
