// A `yield` in a closure of an `async_context!` body cannot suspend the
// manager: the error is at that `yield`.
fn main() {
    let _cm = asyncio::async_context! {
        let values = vec![1u32];
        values.iter().for_each(|v| yield *v);
    };
}
