// A syntax error in a block-form body is reported at the offending token
// (by rustc, which still parses the body, and by the macro), and the
// `yield`s around it raise no "yield syntax is experimental" on top.
fn main() {
    let _numbers = asyncio::async_gen! {
        yield 1u32;
        let x = ;
        yield x;
    };
}
