#[asyncio::main(debug = "yes")]
async fn main() {}
