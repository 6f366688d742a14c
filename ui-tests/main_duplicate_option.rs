#[asyncio::main(debug = true, debug = false)]
async fn main() {}
