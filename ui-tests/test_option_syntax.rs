#[asyncio::test(virtual_time =, "debug" = true)]
async fn sleeps() {}

fn main() {}
