// An empty `async_gen! {}` (in item position, or as an expression) says
// what to write instead of rustc's "macro expansion ignores `{`".
asyncio::async_gen! {}

fn main() {
    let _nothing = asyncio::async_gen! {};
}
