//! Asynchronous Generators (seed 003, "Asynchronous Generators").
//!
//! ```python
//! # Async generator - return type: -> AsyncGenerator
//! # Without the yield it would be a simple Coroutine
//! async def download(urls):
//!     for url in urls:
//!         await asyncio.sleep(1)
//!         response = {'status': 200, 'data': f'content of {url}'}
//!         yield response
//!
//! async def main():
//!     urls = ['google.com', 'bing.com', 'duckduckgo.com']
//!     # Similar to async iteration
//!     async for value in download(urls):
//!         print(value)
//!
//! asyncio.run(main())
//! ```
//!
//! `async_gen! { async fn .. -> AsyncGen<Y> { .. yield v; .. } }` is
//! `async def` with `yield`: calling `download(urls)` runs nothing yet, it
//! makes the generator; each `next().await` runs the body to its next
//! `yield`. `async for value in agen` is `while let Some(value) = agen.next().await`.
//!
//! Run with `cargo run --example async_generator` (about 3 s, like Python).

use std::fmt;

use asyncio::{AsyncGen, async_gen};

/// The seed's response dict, `{'status': 200, 'data': '...'}`.
struct Response {
    status: u16,
    data: String,
}

/// `{:?}` is Rust's `repr()`: print like Python's dict.
impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{'status': {}, 'data': '{}'}}", self.status, self.data)
    }
}

async_gen! {
    /// Downloads each url in turn (a 1 s sleep stands in for the request)
    /// and yields its response.
    async fn download(urls: Vec<String>) -> AsyncGen<Response> {
        for url in urls {
            asyncio::sleep(1).await;
            let response = Response {
                status: 200,
                data: format!("content of {url}"),
            };
            yield response;
        }
    }
}

#[asyncio::main]
async fn main() {
    let urls: Vec<String> = ["google.com", "bing.com", "duckduckgo.com"]
        .map(String::from)
        .into();

    // async for value in download(urls):
    //     print(value)
    let mut agen = download(urls);
    while let Some(value) = agen.next().await {
        println!("{value:?}");
    }
}
