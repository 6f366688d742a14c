// A syntax error in the body is reported where it is.
fn main() {
    let _numbers = asyncio::async_gen! {
        let x = ;
        yield x;
    };
}
