//! An echo server and three clients on asyncio streams, in one program
//! (Python's "TCP echo server/client using streams" from the asyncio
//! docs).
//!
//! ```python
//! async def handle_echo(reader, writer):
//!     data = await reader.readline()
//!     writer.write(data)
//!     await writer.drain()
//!     writer.close()
//!     await writer.wait_closed()
//!
//! async def tcp_echo_client(message, port):
//!     reader, writer = await asyncio.open_connection('127.0.0.1', port)
//!     writer.write(message.encode())
//!     data = await reader.readline()
//!     print(f'Received: {data.decode()!r}')
//!     writer.close()
//!     await writer.wait_closed()
//! ```
//!
//! Run with `cargo run --example echo_server`.

use asyncio::streams::{StreamReader, StreamWriter, open_connection, start_server};

async fn handle_echo(mut reader: StreamReader, writer: StreamWriter) {
    let Ok(data) = reader.readline().await else {
        return;
    };
    println!(
        "Server received {:?} from {}",
        String::from_utf8_lossy(&data),
        writer.peername().unwrap_or_default()
    );
    writer.write(&data);
    let _ = writer.drain().await;
    writer.close();
    let _ = writer.wait_closed().await;
}

async fn tcp_echo_client(message: String, addr: std::net::SocketAddr) -> std::io::Result<()> {
    let (mut reader, writer) = open_connection(addr).await?;
    writer.write(message.as_bytes());
    let data = reader.readline().await.map_err(std::io::Error::other)?;
    println!("Received: {:?}", String::from_utf8_lossy(&data));
    writer.close();
    writer.wait_closed().await
}

#[asyncio::main]
async fn main() -> std::io::Result<()> {
    let server = start_server(handle_echo, "127.0.0.1:0").await?;
    let addr = server.addrs()[0];
    println!("Serving on {addr}");
    for name in ["one", "two", "three"] {
        tcp_echo_client(format!("Hello World from {name}!\n"), addr).await?;
    }
    server.close();
    server.wait_closed().await;
    Ok(())
}
