// A `yield` inside a nested `fn` item belongs to that fn, not to the
// generator: the error is at that `yield`.
fn main() {
    let _numbers = asyncio::async_gen! {
        fn helper(x: u32) -> u32 {
            yield x;
            x
        }
        yield helper(1);
    };
}
