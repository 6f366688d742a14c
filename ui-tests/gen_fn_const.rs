// A generator fn cannot be `const`: the error is at `const`.
use asyncio::AsyncGen;

asyncio::async_gen! {
    const async fn numbers() -> AsyncGen<u32> {
        yield 1;
    }
}

fn main() {
    let _ = numbers();
}
