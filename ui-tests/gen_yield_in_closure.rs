// A `yield` inside a closure in a block-form body cannot suspend the
// generator: the error is at that `yield` and says to move it out.
fn main() {
    let _numbers = asyncio::async_gen! {
        let items = vec![1u32, 2, 3];
        items.iter().for_each(|i| yield *i);
    };
}
