// An async generator is not a future: `.await` on it is rustc's plain "is
// not a future" error, with no contradictory "IntoFuture is implemented"
// help (rustc shows no custom hint for `.await`; the docs say how to
// iterate instead).
fn main() {
    asyncio::run(async {
        let numbers = asyncio::async_gen! {
            yield 1u32;
        };
        let _ = numbers.await;
    });
}
