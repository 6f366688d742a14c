#[asyncio::main]
async fn main()
where
    String: Clone,
{
}
