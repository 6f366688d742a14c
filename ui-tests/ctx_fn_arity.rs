// `AsyncContext` takes one or two types in the fn form: the error is at
// the return type.
use asyncio::AsyncContext;

asyncio::async_context! {
    async fn connection() -> AsyncContext<u32, (), String> {
        yield 1;
    }
}

fn main() {
    let _ = connection();
}
