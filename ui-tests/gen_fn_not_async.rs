// The fn form needs an `async fn`: the error is at `fn`.
use asyncio::AsyncGen;

asyncio::async_gen! {
    fn numbers() -> AsyncGen<u32> {
        yield 1;
    }
}

fn main() {
    let _ = numbers();
}
