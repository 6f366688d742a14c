// An `async_context!` body without a `yield` has nothing to give the
// `async with` body: the error is at the body and shows the right form.
fn main() {
    let _cm = asyncio::async_context! {
        println!("setup");
        println!("teardown");
    };
}
