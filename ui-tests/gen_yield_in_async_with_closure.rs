// Inside an `async_with!` in a generator, a `yield` in a closure is still
// an error at that `yield`.
fn main() {
    let lock = asyncio::Lock::new();
    let _items = asyncio::async_gen! {
        asyncio::async_with!(&lock => {
            [1u32, 2].iter().for_each(|i| yield *i);
        });
    };
}
