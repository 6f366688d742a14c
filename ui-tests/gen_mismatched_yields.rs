// A block-form generator yields one type: the first `yield` fixes it, a
// later one of another type is an error at that value.
fn main() {
    let _mixed = asyncio::async_gen! {
        yield 1u32;
        yield "two";
    };
}
