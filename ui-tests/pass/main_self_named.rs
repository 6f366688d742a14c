#![deny(warnings)]

mod app {
    /// The attribute works on any `async fn` without arguments, not only on `main`.
    #[asyncio::main(debug = false)]
    pub async fn run() -> u32 {
        7
    }
}

fn main() {
    assert_eq!(app::run(), 7);
}
