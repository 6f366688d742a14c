// Two `yield`s on one path: the error is at the second, with a note at
// the first. (In separate branches they are fine.)
fn main() {
    let ready = true;
    let _fine = asyncio::async_context! {
        if ready {
            yield 1;
        } else {
            yield 2;
        }
    };
    let _cm = asyncio::async_context! {
        yield 1;
        println!("between");
        yield 2;
    };
}
