//! A Redis-protocol (RESP) server on asyncio streams: `PING`, `ECHO`,
//! `GET`, `SET`, `DEL`, `INCR`, `EXISTS`, and enough `CONFIG GET` for
//! `redis-benchmark` to start. One task per connection, one shared map (the
//! loop is single-threaded, so an `Rc<RefCell<..>>` is all it needs).
//!
//! Run with `cargo run --release --example redis_server -- 6380`, then
//! `redis-cli -p 6380 SET k v` and `redis-cli -p 6380 GET k`, or
//! `redis-benchmark -p 6380 -q -t get,set`. Port 0 (the default) picks a
//! free one; it prints the address first.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use asyncio::streams::{StreamError, StreamReader, StreamWriter, start_server};

type Store = Rc<RefCell<HashMap<Vec<u8>, Vec<u8>>>>;

/// Reads one command: a RESP array of bulk strings, or an inline command
/// (words on a line). `None` at end of stream or on a protocol error.
async fn read_command(reader: &mut StreamReader) -> Option<Vec<Vec<u8>>> {
    let line = reader.readuntil(b"\r\n").await.ok()?;
    let line = &line[..line.len() - 2];
    let Some(count) = line.strip_prefix(b"*") else {
        let words = line.split(|b| *b == b' ').filter(|w| !w.is_empty());
        return Some(words.map(<[u8]>::to_vec).collect());
    };
    let count: usize = std::str::from_utf8(count).ok()?.parse().ok()?;
    let mut args = Vec::with_capacity(count);
    for _ in 0..count {
        let header = reader.readuntil(b"\r\n").await.ok()?;
        let len: usize = std::str::from_utf8(header.strip_prefix(b"$")?.strip_suffix(b"\r\n")?)
            .ok()?
            .parse()
            .ok()?;
        let mut arg = match reader.readexactly(len + 2).await {
            Ok(arg) => arg,
            Err(StreamError::IncompleteRead { .. } | StreamError::Io(_)) => return None,
            Err(StreamError::LimitOverrun { .. }) => return None,
        };
        arg.truncate(len);
        args.push(arg);
    }
    Some(args)
}

fn bulk(reply: &mut Vec<u8>, value: Option<&[u8]>) {
    match value {
        Some(value) => {
            reply.extend_from_slice(format!("${}\r\n", value.len()).as_bytes());
            reply.extend_from_slice(value);
            reply.extend_from_slice(b"\r\n");
        }
        None => reply.extend_from_slice(b"$-1\r\n"),
    }
}

/// Runs one command against the store and appends its reply.
fn execute(store: &Store, args: &[Vec<u8>], reply: &mut Vec<u8>) {
    let Some(name) = args.first() else {
        return;
    };
    let mut map = store.borrow_mut();
    match (name.to_ascii_uppercase().as_slice(), &args[1..]) {
        (b"PING", []) => reply.extend_from_slice(b"+PONG\r\n"),
        (b"PING", [message]) | (b"ECHO", [message]) => bulk(reply, Some(message)),
        (b"GET", [key]) => bulk(reply, map.get(key).map(Vec::as_slice)),
        (b"SET", [key, value, ..]) => {
            map.insert(key.clone(), value.clone());
            reply.extend_from_slice(b"+OK\r\n");
        }
        (b"DEL", keys) | (b"EXISTS", keys) if !keys.is_empty() => {
            let deleting = name.eq_ignore_ascii_case(b"DEL");
            let n = keys
                .iter()
                .filter(|key| {
                    if deleting {
                        map.remove(*key).is_some()
                    } else {
                        map.contains_key(*key)
                    }
                })
                .count();
            reply.extend_from_slice(format!(":{n}\r\n").as_bytes());
        }
        (b"INCR", [key]) => {
            let current = map.get(key).map_or(Some(0), |v| {
                std::str::from_utf8(v)
                    .ok()
                    .and_then(|s| s.parse::<i64>().ok())
            });
            match current.and_then(|n| n.checked_add(1)) {
                Some(n) => {
                    map.insert(key.clone(), n.to_string().into_bytes());
                    reply.extend_from_slice(format!(":{n}\r\n").as_bytes());
                }
                None => {
                    reply.extend_from_slice(b"-ERR value is not an integer or out of range\r\n")
                }
            }
        }
        // `redis-benchmark` asks for these first; an empty answer will do.
        (b"CONFIG", [_get, ..]) => reply.extend_from_slice(b"*0\r\n"),
        _ => reply.extend_from_slice(
            format!(
                "-ERR unknown command or wrong number of arguments for '{}'\r\n",
                String::from_utf8_lossy(name)
            )
            .as_bytes(),
        ),
    }
}

async fn handle(store: Store, mut reader: StreamReader, writer: StreamWriter) {
    let mut reply = Vec::new();
    while let Some(args) = read_command(&mut reader).await {
        reply.clear();
        execute(&store, &args, &mut reply);
        writer.write(&reply);
        if writer.drain().await.is_err() {
            return;
        }
    }
    writer.close();
}

#[asyncio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let store = Store::default();
    let server = start_server(
        move |reader, writer| handle(store.clone(), reader, writer),
        ("127.0.0.1", port),
    )
    .await?;
    println!("listening on {}", server.addrs()[0]);
    server.serve_forever().await;
    Ok(())
}
