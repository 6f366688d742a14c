// A context manager fn cannot be `const`: the error is at `const`.
use asyncio::AsyncContext;

asyncio::async_context! {
    const async fn connection() -> AsyncContext<u32> {
        yield 1;
    }
}

fn main() {
    let _ = connection::<()>();
}
