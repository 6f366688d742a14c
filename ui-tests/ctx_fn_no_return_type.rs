// The fn form needs a return type that says what the body receives.
asyncio::async_context! {
    async fn connection() {
        yield 1;
    }
}

fn main() {
    let _ = connection();
}
