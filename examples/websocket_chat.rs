//! A WebSocket chat server: async-tungstenite (which speaks `futures-io`)
//! over this crate's `TcpStream`; every text message goes to every other
//! client. The seeds name websockets as asyncio's reason to exist; the
//! tests drive this server with Python's own `websockets` client, run under
//! Python's asyncio.
//!
//! Run with `cargo run --example websocket_chat -- 8765` (port 0, the
//! default, picks a free one; it prints the address first).

use std::cell::RefCell;
use std::rc::Rc;

use async_tungstenite::tungstenite::Message;
use asyncio::Queue;
use asyncio::net::TcpListener;
use futures::{SinkExt, StreamExt};

/// Each client's outbox.
type Clients = Rc<RefCell<Vec<(u64, Queue<String>)>>>;

async fn client(clients: Clients, id: u64, stream: asyncio::net::TcpStream) {
    let Ok(socket) = async_tungstenite::accept_async(stream).await else {
        return;
    };
    let (mut sink, mut source) = socket.split();
    let outbox = Queue::new(0);
    clients.borrow_mut().push((id, outbox.clone()));
    // Sends what others say, while this task reads what this client says.
    let sender = asyncio::create_task(async move {
        loop {
            let text = outbox.get().await;
            if sink.send(Message::text(text)).await.is_err() {
                return;
            }
        }
    });
    while let Some(Ok(message)) = source.next().await {
        if let Message::Text(text) = message {
            for (other, outbox) in clients.borrow().iter() {
                if *other != id {
                    let _ = outbox.put_nowait(format!("{id}: {text}"));
                }
            }
        }
    }
    clients.borrow_mut().retain(|(other, _)| *other != id);
    sender.cancel();
}

#[asyncio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on ws://{}", listener.local_addr()?);
    let clients = Clients::default();
    for id in 0.. {
        let (stream, _) = listener.accept().await?;
        asyncio::create_task(client(clients.clone(), id, stream));
    }
    Ok(())
}
