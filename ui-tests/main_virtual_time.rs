#[asyncio::main(virtual_time = true)]
async fn main() {}
