// A name after the manager without `as`: the error is at the name and
// shows `as`.
fn main() {
    asyncio::run(async {
        let lock = asyncio::Lock::new();
        asyncio::async_with!(&lock guard => {
            drop(guard);
        });
    });
}
