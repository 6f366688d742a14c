//! Fetch several URLs concurrently with hyper on this loop, at most two at
//! a time (the seeds' "use aiohttp for HTTP calls", the Rust way):
//! `gather` for the concurrency, a `Semaphore` for the limit. The server is
//! local, hyper too, so the example needs no network.
//!
//! ```python
//! async def fetch(session, sem, url):
//!     async with sem:
//!         async with session.get(url) as response:
//!             return url, response.status, len(await response.read())
//!
//! sem = asyncio.Semaphore(2)
//! results = await asyncio.gather(*(fetch(session, sem, u) for u in urls))
//! ```
//!
//! Run with `cargo run --example http_fetch`.

use std::convert::Infallible;
use std::net::SocketAddr;

use asyncio::compat::hyper::HyperIo;
use asyncio::net::{TcpListener, TcpStream};
use asyncio::{Semaphore, async_with, gather, sleep};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};

/// A local server: `/size/N` answers N bytes after a short delay.
async fn serve(listener: TcpListener) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        asyncio::create_task(async move {
            let service = hyper::service::service_fn(|request: Request<Incoming>| async move {
                let size: usize = request
                    .uri()
                    .path()
                    .strip_prefix("/size/")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                sleep(0.05).await;
                Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(vec![b'x'; size]))))
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(HyperIo::new(stream), service)
                .await;
        });
    }
}

/// GETs `path` from `addr` on a connection of its own; returns the status
/// and the body's length.
async fn fetch(addr: SocketAddr, path: &str) -> Result<(u16, usize), Box<dyn std::error::Error>> {
    let stream = TcpStream::connect(addr).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(HyperIo::new(stream)).await?;
    asyncio::create_task(connection);
    let request = Request::get(path)
        .header("host", addr.to_string())
        .body(Empty::new())?;
    let response = sender.send_request(request).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body.len()))
}

#[asyncio::main]
async fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    asyncio::create_task(serve(listener));

    let sem = Semaphore::new(2);
    let paths = [
        "/size/10",
        "/size/2000",
        "/size/0",
        "/size/70000",
        "/size/5",
    ];
    let fetches = paths.into_iter().map(|path| {
        let sem = sem.clone();
        async move {
            let result = async_with!(&sem => fetch(addr, path).await);
            (path, result.map_err(|e| e.to_string()))
        }
    });
    for (path, result) in gather(fetches).await.expect("the fetches run") {
        match result {
            Ok((status, len)) => println!("{path}: {status}, {len} bytes"),
            Err(error) => println!("{path}: failed: {error}"),
        }
    }
    Ok(())
}
