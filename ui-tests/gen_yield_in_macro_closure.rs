// A macro whose arguments are not comma-separated expressions is rewritten
// token by token; a `yield` in a closure there is still an error at it.
macro_rules! apply {
    ($x:expr => $f:expr) => {
        ($f)($x)
    };
}

fn main() {
    let _numbers = asyncio::async_gen! {
        apply!(1u32 => |x: u32| yield x);
    };
}
