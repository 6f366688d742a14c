#![deny(warnings)]

#[asyncio::test]
async fn plain() {}

#[asyncio::test(debug = true, virtual_time = true)]
async fn with_options() -> Result<(), String> {
    Ok(())
}

#[asyncio::test(virtual_time = false)]
#[should_panic(expected = "boom")]
async fn panics() {
    panic!("boom");
}

#[asyncio::test]
#[ignore = "slow"]
async fn ignored() {}

fn main() {}
