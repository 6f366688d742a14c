#![deny(warnings)]

/// Doc comments and lint attributes stay on the generated function.
#[asyncio::main(debug = true)]
#[allow(clippy::needless_return)]
pub async fn main() {
    #![allow(unused_variables)]
    let unused = 1;
    async {}.await;
    return;
}
