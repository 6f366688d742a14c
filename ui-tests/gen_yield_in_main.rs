// `yield` in an `#[asyncio::main]` body is outside any generator.
#[asyncio::main]
async fn main() {
    yield 1u32;
}
