// Every bad `yield` in a body is reported, each at its own `yield`, in one
// compilation: in a closure, in an `async` block, and in a `fn` item inside
// macro arguments.
macro_rules! stmts {
    ($($tt:tt)*) => { $($tt)* };
}

fn main() {
    let _numbers = asyncio::async_gen! {
        let double = |x: u32| yield x * 2;
        let later = async { yield 3u32 };
        stmts! {
            fn helper() -> u32 { yield 4u32; 4 }
        }
        yield 1u32;
        let _ = (double, later);
    };
}
