#![forbid(unsafe_code)]

// The expansion's own `unsafe` does not cover the body: an `unsafe` block
// the user writes there is still caught by `forbid(unsafe_code)`.
fn main() {
    let _numbers = asyncio::async_gen! {
        let x = 1u32;
        yield unsafe { *(&x as *const u32) };
    };
}
