#[asyncio::test(crate = asyncio)]
async fn unquoted_crate_path() {}

fn main() {}
