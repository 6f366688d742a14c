// The fn form's return type must be `AsyncGen<..>`: the error is at the
// return type.
asyncio::async_gen! {
    async fn numbers() -> u32 {
        yield 1u32;
    }
}

fn main() {
    let _ = numbers();
}
