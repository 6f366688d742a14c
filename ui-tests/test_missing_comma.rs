#[asyncio::test(debug = true virtual_time = true)]
async fn sleeps() {}

fn main() {}
