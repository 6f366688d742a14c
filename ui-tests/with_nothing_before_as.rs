// `as` with no manager before it: the error is at `as`.
fn main() {
    asyncio::run(async {
        asyncio::async_with!(as guard => ());
    });
}
