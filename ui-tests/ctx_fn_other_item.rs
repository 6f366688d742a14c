// The fn form of `async_context!` takes only fns: another item is an
// error at that item.
use asyncio::AsyncContext;

asyncio::async_context! {
    async fn connection() -> AsyncContext<u32> {
        yield 1;
    }

    struct Helper;
}

fn main() {
    let _ = connection::<()>();
}
