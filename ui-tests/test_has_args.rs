#[asyncio::test]
async fn adds(x: u32) {
    assert_eq!(x + x, 2 * x);
}

fn main() {}
