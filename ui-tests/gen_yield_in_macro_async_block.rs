// A macro may wrap its argument in an `async move` block or an async
// closure the generator cannot see. A `yield` there would hand the
// generator's handle to a separate future that could outlive it or move to
// another thread, so rustc rejects it at the `yield`: the label it names
// is not reachable from there.
macro_rules! later {
    ($e:expr) => {
        async move { $e }
    };
}

macro_rules! deferred {
    ($e:expr) => {
        async move || $e
    };
}

fn main() {
    let _numbers = asyncio::async_gen! {
        let n = later!(yield 1u32);
        std::thread::spawn(move || drop(n));
        let f = deferred!(yield 2u32);
        drop(f);
    };
}
