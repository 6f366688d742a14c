#[asyncio::main]
fn main() {
    // The body may already await: no second error about `.await` outside `async`.
    async {}.await;
}
