// A fn-form generator yields what its return type declares: a `yield` of
// another type is an error at that value.
use asyncio::AsyncGen;

asyncio::async_gen! {
    async fn numbers() -> AsyncGen<u32> {
        yield 1;
        yield "two";
    }
}

fn main() {
    let _ = numbers();
}
