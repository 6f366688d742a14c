//! A minimal HTTP/1.1 server on asyncio streams: `GET` with a fixed body,
//! keep-alive, one task per connection (what `wrk` and `curl` are pointed
//! at in the tests and benchmarks).
//!
//! ```python
//! async def handle(reader, writer):
//!     while True:
//!         request = await reader.readuntil(b'\r\n\r\n')   # the head
//!         ...
//!         writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, world!')
//!         await writer.drain()
//!
//! server = await asyncio.start_server(handle, '127.0.0.1', 8080)
//! await server.serve_forever()
//! ```
//!
//! Run with `cargo run --release --example http_server -- 8080` (port 0, the
//! default, picks a free one), then `curl -i http://127.0.0.1:8080/`. It
//! prints the address it listens on first.

use asyncio::streams::{StreamError, StreamReader, StreamWriter, start_server};

const BODY: &[u8] = b"Hello, world!";

/// Serves one connection: request heads until the client closes (or sends
/// `Connection: close`).
async fn handle(mut reader: StreamReader, writer: StreamWriter) {
    loop {
        let head = match reader.readuntil(b"\r\n\r\n").await {
            Ok(head) => head,
            // The client closed between requests, or sent a head too long.
            Err(StreamError::IncompleteRead { .. } | StreamError::Io(_)) => return,
            Err(StreamError::LimitOverrun { .. }) => {
                writer.write(b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                break;
            }
        };
        let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
        let close = head.contains("\r\nconnection: close");
        let response = if head.starts_with("get ") {
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n{}\r\n",
                BODY.len(),
                if close { "Connection: close\r\n" } else { "" }
            )
        } else {
            "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n".to_owned()
        };
        writer.write(response.as_bytes());
        if head.starts_with("get ") {
            writer.write(BODY);
        }
        if writer.drain().await.is_err() || close {
            break;
        }
    }
    writer.close();
    let _ = writer.wait_closed().await;
}

#[asyncio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let server = start_server(handle, ("127.0.0.1", port)).await?;
    println!("listening on http://{}/", server.addrs()[0]);
    server.serve_forever().await;
    Ok(())
}
