//! `asyncio.shield` (seed 002): cancelling the task that awaits a shielded
//! operation ends that await, but the operation itself runs to completion.
//!
//! ```python
//! async def save(record):
//!     await asyncio.sleep(0.3)
//!     print("saved", record)
//!
//! async def handler():
//!     res = await asyncio.shield(save("order-42"))
//!
//! async def main():
//!     task = asyncio.create_task(handler())
//!     await asyncio.sleep(0.1)
//!     task.cancel()          # the client went away...
//!     try:
//!         await task
//!     except asyncio.CancelledError:
//!         print("handler cancelled")
//!     await asyncio.sleep(0.5)  # ...but the save still finishes
//! ```
//!
//! Run with `cargo run --example shield` (about 0.6 s).

async fn save(record: &'static str) -> &'static str {
    asyncio::sleep(0.3).await;
    println!("saved {record}");
    record
}

#[asyncio::main]
async fn main() {
    let handler = asyncio::create_task(async {
        let saved = asyncio::shield(save("order-42")).await;
        println!("handler got {saved:?} (not printed: it was cancelled)");
    });
    asyncio::sleep(0.1).await;
    handler.cancel();
    match (&handler).await {
        Err(e) if e.is_cancelled() => println!("handler cancelled"),
        other => println!("unexpected: {other:?}"),
    }
    asyncio::sleep(0.5).await;
    println!("done");
}
