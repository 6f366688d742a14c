// The fn form needs an `async fn`: the error is at `fn`.
use asyncio::AsyncContext;

asyncio::async_context! {
    fn connection() -> AsyncContext<u32> {
        yield 1;
    }
}

fn main() {
    let _ = connection::<()>();
}
