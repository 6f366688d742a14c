#![deny(warnings)]

// `yield` is rewritten wherever an expression may stand in the body:
// `let .. else`, conditions, literals, call arguments, labeled blocks,
// `break` values, `unsafe` blocks, nested macros, and without a value.
macro_rules! stmts {
    ($($tt:tt)*) => { $($tt)* };
}

struct Pair {
    a: (),
    b: (),
}

fn main() {
    let agen = asyncio::async_gen! {
        let Some(()) = Some(yield 1u32) else { return };
        if (yield 2) == () {
            let Pair { a: (), b: () } = Pair { a: yield 3, b: yield 4 };
        }
        let _ = [yield 5, yield 6];
        let _ = Some(1).map(|_| ()).unwrap_or(yield 7);
        'block: {
            yield 8;
            break 'block;
        }
        let _ = loop {
            break yield 9;
        };
        let _: () = std::convert::identity(yield 10);
        stmts! { println!("{:?}", vec![yield 11]); }
        let _: () = yield 12;
        // A nested generator keeps its own `yield`s.
        let _nested = asyncio::async_gen! { yield "inner" };
        // Also inside another macro's arguments.
        stmts! { let _nested = asyncio::async_gen! { yield "inner" }; }
    };
    let units = asyncio::async_gen! {
        yield;
        let () = yield;
    };
    asyncio::run(async move {
        let got = agen.collect::<Vec<_>>().await;
        assert_eq!(got, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        assert_eq!(units.collect::<Vec<_>>().await, [(), ()]);
    });
}
