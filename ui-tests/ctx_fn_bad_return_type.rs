// The fn form's return type must be `AsyncContext<V>` or
// `AsyncContext<V, R>`: the error is at the return type.
asyncio::async_context! {
    async fn connection() -> Option<u32> {
        yield 1;
    }
}

fn main() {
    let _ = connection();
}
