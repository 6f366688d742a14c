#[asyncio::main]
const async unsafe extern "C" fn main() {}
