// The fn form takes only fns: another item is an error at that item.
use asyncio::AsyncGen;

asyncio::async_gen! {
    async fn numbers() -> AsyncGen<u32> {
        yield 1;
    }

    struct Helper;
}

fn main() {
    let _ = numbers();
}
