#[asyncio::main]
struct Main;

fn main() {}
