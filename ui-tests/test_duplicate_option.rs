#[asyncio::test(virtual_time = true, debug = true, virtual_time = false)]
async fn sleeps() {}

fn main() {}
