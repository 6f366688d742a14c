// The fn form needs `-> AsyncGen<Y>` to know what it yields: the error is
// at the fn's name.
asyncio::async_gen! {
    async fn numbers() {
        yield 1u32;
    }
}

fn main() {
    let _ = numbers();
}
