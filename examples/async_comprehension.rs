//! Asynchronous List Comprehension (seed 003, "Asynchronous List
//! Comprehension", continuing "Asynchronous Generators").
//!
//! ```python
//! async def handle(err_response):
//!     print('logging error response for', err_response)
//!
//! async def main():
//!     urls = ['google.com', 'bing.com', 'duckduckgo.com']
//!     # Similar to async iteration
//!     errors = [r async for r in download(urls) if r['status'] != 200]
//!     print(errors)
//!     # Use Await in comprehension
//!     [await handle(e) for e in errors]
//! ```
//!
//! `[r async for r in agen if cond]` is `agen.filter(|r| cond).collect::<Vec<_>>().await`
//! (`map`/`then` are the comprehension's expression, plain and awaited).
//!
//! With the seed's urls every response is a 200, so `errors` is `[]` and
//! nothing is handled, exactly as in Python. A second run adds a url that
//! fails, so the filter and `handle` have something to show (a deviation
//! from the seed: its `download` never fails).
//!
//! The loop runs on a virtual clock, so the seed's 1 s sleeps take no wall
//! time. Run with `cargo run --example async_comprehension`.

use std::fmt;

use asyncio::{AsyncGen, async_gen};

/// The seed's response dict, `{'status': 200, 'data': '...'}`.
struct Response {
    status: u16,
    data: String,
}

/// `{:?}` is Rust's `repr()`: print like Python's dict, so a `Vec` of
/// responses prints like Python's list.
impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{'status': {}, 'data': '{}'}}", self.status, self.data)
    }
}

async_gen! {
    /// The seed's `download(urls)`. Deviation: a url on the reserved
    /// `.invalid` domain answers 404 (the seed's never fails).
    async fn download(urls: Vec<String>) -> AsyncGen<Response> {
        for url in urls {
            asyncio::sleep(1).await;
            let response = if url.ends_with(".invalid") {
                Response { status: 404, data: format!("no such host: {url}") }
            } else {
                Response { status: 200, data: format!("content of {url}") }
            };
            yield response;
        }
    }
}

// async def handle(err_response):
//     print('logging error response for', err_response)
async fn handle(err_response: &Response) {
    println!("logging error response for {err_response:?}");
}

async fn errors_of(urls: &[&str]) {
    let urls: Vec<String> = urls.iter().map(|u| u.to_string()).collect();

    // errors = [r async for r in download(urls) if r['status'] != 200]
    let errors = download(urls)
        .filter(|r| r.status != 200)
        .collect::<Vec<_>>()
        .await;
    // print(errors)
    println!("{errors:?}");

    // [await handle(e) for e in errors]
    for e in &errors {
        handle(e).await;
    }
}

fn main() {
    // asyncio.run(main()), on a virtual clock
    asyncio::Runner::new().virtual_time(true).run(async {
        // The seed's urls: all 200, so this prints `[]` and handles nothing.
        errors_of(&["google.com", "bing.com", "duckduckgo.com"]).await;

        // Beyond the seed: one url fails.
        errors_of(&["google.com", "example.invalid", "duckduckgo.com"]).await;
    });
}
