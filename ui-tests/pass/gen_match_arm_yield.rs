#![deny(warnings)]

// `yield` as a match arm's value parses (with and without a trailing
// comma, and as the last arm), and so does a `yield` as the scrutinee.
fn main() {
    let agen = asyncio::async_gen! {
        for x in [1u32, 2, 3] {
            match x {
                1 => yield 10,
                2 => yield x * 10,
                _ => yield 30,
            }
        }
        match 4u32 {
            n if n > 3 => yield n * 10,
            _ => yield 0
        }
        match yield 50 {
            () => yield 60,
        }
    };
    asyncio::run(async move {
        assert_eq!(agen.collect::<Vec<_>>().await, [10, 20, 30, 40, 50, 60]);
    });
}
