// `AsyncGen` in the fn form's return type takes one to three types: none
// (or four, the body's type being filled in) is an error at the type.
use asyncio::AsyncGen;

asyncio::async_gen! {
    async fn bare() -> AsyncGen {
        yield 1u32;
    }

    async fn four() -> AsyncGen<u32, (), (), ()> {
        yield 1u32;
    }
}

fn main() {
    let _ = (bare(), four());
}
