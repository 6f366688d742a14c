#[asyncio::main(debug = "yes", verbose = true)]
fn main<T>(args: Vec<String>) {
    let _ = args;
}
