#[asyncio::test(virtual_time = yes)]
async fn sleeps() {}

fn main() {}
