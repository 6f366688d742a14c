// Two commas in a row: a manager is missing there.
fn main() {
    asyncio::run(async {
        let lock = asyncio::Lock::new();
        let sem = asyncio::Semaphore::new(1);
        asyncio::async_with!(&lock,, &sem => ());
    });
}
