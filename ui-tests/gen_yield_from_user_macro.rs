// A `yield` that the user's own `macro_rules!` produces is invisible to
// `async_gen!` (it rewrites the yields it is given): rustc then reports the
// unstable `yield` syntax at the macro. The fix, in the docs: write the
// `yield` in the macro's arguments (`emit!(yield 1)`), where it is seen.
macro_rules! emit {
    ($value:expr) => {
        yield $value
    };
}

fn main() {
    let _numbers = asyncio::async_gen! {
        emit!(1u32);
    };
}
