#[asyncio::test(virtual_clock = true)]
async fn sleeps() {}

fn main() {}
