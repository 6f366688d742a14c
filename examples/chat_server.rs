//! A chat server on asyncio streams: each client sends its name, then
//! lines; every line goes to all the other clients, and they hear when
//! someone joins or leaves (a client may leave mid-way: its task ends,
//! the others carry on).
//!
//! Run with `cargo run --example chat_server -- 8888` (port 0, the
//! default, picks a free one; it prints the address first), then connect
//! with `nc 127.0.0.1 8888` from several terminals.

use std::cell::RefCell;
use std::rc::Rc;

use asyncio::streams::{StreamReader, StreamWriter, start_server};

/// Who is connected: a name and a writer each.
#[derive(Default)]
struct Room {
    members: RefCell<Vec<(u64, String, Rc<StreamWriter>)>>,
    next_id: std::cell::Cell<u64>,
}

impl Room {
    /// Sends `line` to everyone but `from`.
    fn broadcast(&self, from: u64, line: &str) {
        for (id, _, writer) in self.members.borrow().iter() {
            if *id != from {
                writer.write(line.as_bytes());
            }
        }
    }
}

fn text(line: &[u8]) -> String {
    String::from_utf8_lossy(line).trim_end().to_owned()
}

async fn client(room: Rc<Room>, mut reader: StreamReader, writer: StreamWriter) {
    let writer = Rc::new(writer);
    writer.write(b"name?\n");
    let name = match reader.readline().await {
        Ok(line) if !line.is_empty() => text(&line),
        _ => return,
    };
    let id = room.next_id.get();
    room.next_id.set(id + 1);
    room.broadcast(id, &format!("* {name} joined\n"));
    room.members
        .borrow_mut()
        .push((id, name.clone(), writer.clone()));
    writer.write(format!("welcome, {name}\n").as_bytes());
    loop {
        match reader.readline().await {
            Ok(line) if !line.is_empty() => {
                room.broadcast(id, &format!("{name}: {}\n", text(&line)));
                // Flow control: a member that does not read holds up only
                // the one who talks to it.
                let _ = writer.drain().await;
            }
            // End of stream, a reset, or an overlong line: the member leaves.
            _ => break,
        }
    }
    room.members
        .borrow_mut()
        .retain(|(member, _, _)| *member != id);
    room.broadcast(id, &format!("* {name} left\n"));
    writer.close();
}

#[asyncio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let room = Rc::new(Room::default());
    let server = start_server(
        move |reader, writer| client(room.clone(), reader, writer),
        ("127.0.0.1", port),
    )
    .await?;
    println!("listening on {}", server.addrs()[0]);
    server.serve_forever().await;
    Ok(())
}
