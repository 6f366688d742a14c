// The path must name the asyncio crate (here a renamed dependency would
// be written `crate = "aio"`): a path to nothing is rustc's error at it.
#[asyncio::main(crate = "no_such_crate")]
async fn main() {}
