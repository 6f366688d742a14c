#![deny(warnings)]

// `line!()` in a generator's body is the user's line, wherever it is:
// before and after a `yield`, in a yield's value, inside macro arguments
// that are rewritten (`assert_eq!`, `format!`) and in a nested closure.
use asyncio::AsyncGen;

macro_rules! stmts {
    ($($tt:tt)*) => { $($tt)* };
}

asyncio::async_gen! {
    async fn lines() -> AsyncGen<u32> {
        yield line!();
        yield line!();
    }
}

fn main() {
    let agen = asyncio::async_gen! {
        assert_eq!(line!(), 21);
        yield line!();
        assert_eq!(format!("{:?}", yield line!()), "()");
        let at = line!();
        assert_eq!(at, 24);
        stmts! { yield line!(); assert_eq!(line!(), 26); }
        let f = || line!();
        yield f();
    };
    asyncio::run(async move {
        assert_eq!(agen.collect::<Vec<_>>().await, [22, 23, 26, 27]);
        assert_eq!(lines().collect::<Vec<_>>().await, [14, 15]);
    });
}
