#[asyncio::main]
async fn main(name: String, count: usize) {
    let _ = (name, count);
}
