// The expansion's own `unsafe` does not cover the body: calling an
// `unsafe fn` there still needs the user's `unsafe` block.
unsafe fn dangerous() -> u32 {
    1
}

fn main() {
    let _numbers = asyncio::async_gen! {
        yield dangerous();
    };
}
