#[asyncio::main(asyncio::options::debug = true)]
async fn main() {}
