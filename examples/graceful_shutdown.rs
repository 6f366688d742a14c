//! Graceful shutdown of a server: stop accepting, give the open
//! connections a deadline to finish, then cancel what is left.
//!
//! ```python
//! server.close()                       # no new connections
//! try:
//!     async with asyncio.timeout(2):
//!         await server.wait_closed()   # 3.12: waits for the handlers too
//! except TimeoutError:
//!     for task in handlers: task.cancel()
//! ```
//!
//! Here two clients connect: a quick one, which finishes within the
//! deadline, and a slow one, whose handler is cancelled at the deadline
//! (its cleanup still runs, then the server is done).
//!
//! Run with `cargo run --example graceful_shutdown`.

use std::cell::RefCell;
use std::rc::Rc;

use asyncio::streams::{StreamReader, StreamWriter, open_connection, start_server};
use asyncio::{TaskRef, sleep, wait_for};

/// The handlers still running, to cancel at the deadline.
type Handlers = Rc<RefCell<Vec<TaskRef>>>;

async fn handle(handlers: Handlers, mut reader: StreamReader, writer: StreamWriter) {
    handlers
        .borrow_mut()
        .push(asyncio::current_task().expect("a handler runs in a task"));
    let _cleanup = asyncio::finally(async { println!("handler: cleanup ran") });
    let Ok(line) = reader.readline().await else {
        return;
    };
    let seconds: f64 = String::from_utf8_lossy(&line).trim().parse().unwrap_or(0.0);
    sleep(seconds).await; // the work this request asks for
    writer.write(format!("done after {seconds} s\n").as_bytes());
    let _ = writer.drain().await;
    println!("handler: answered a {seconds} s request");
}

async fn client(addr: std::net::SocketAddr, seconds: f64) {
    let (mut reader, writer) = open_connection(addr).await.expect("connects");
    writer.write(format!("{seconds}\n").as_bytes());
    match reader.readline().await {
        Ok(line) if !line.is_empty() => {
            print!("client ({seconds} s): {}", String::from_utf8_lossy(&line));
        }
        _ => println!("client ({seconds} s): connection closed without an answer"),
    }
}

#[asyncio::main]
async fn main() -> std::io::Result<()> {
    let handlers = Handlers::default();
    let h = handlers.clone();
    let server = start_server(move |r, w| handle(h.clone(), r, w), "127.0.0.1:0").await?;
    let addr = server.addrs()[0];
    let quick = asyncio::create_task(client(addr, 0.2));
    let slow = asyncio::create_task(client(addr, 30.0));
    sleep(0.1).await; // both connected

    println!("shutting down: no new connections, 1 s for the open ones");
    server.close();
    if wait_for(server.wait_closed(), 1.0).await.is_err() {
        println!(
            "deadline passed: cancelling {} handler(s)",
            server.active_connections()
        );
        for task in handlers.borrow().iter().filter(|t| !t.done()) {
            task.cancel();
        }
        server.wait_closed().await;
    }
    println!("server closed");
    quick.await.expect("the quick client");
    slow.await.expect("the slow client");
    Ok(())
}
