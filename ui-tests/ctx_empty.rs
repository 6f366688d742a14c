// An empty `async_context! {}`: the error shows the form.
fn main() {
    let _cm = asyncio::async_context! {};
}
