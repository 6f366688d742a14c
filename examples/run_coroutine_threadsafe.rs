//! Seed 002 ("run_coroutine_threadsafe"): submit a coroutine to a running
//! loop from a plain OS thread and wait for its result there.
//!
//! The Python it twins (the seed's snippet, inside the program around it
//! and Python's documented timeout handling):
//!
//! ```python
//! import asyncio, threading
//!
//! def submit_from_thread(loop, timeout):
//!     coro = asyncio.sleep(1, result=3)
//!     future = asyncio.run_coroutine_threadsafe(coro, loop)
//!     print(future.result(timeout))
//!
//!     slow = asyncio.run_coroutine_threadsafe(asyncio.sleep(10, result=4), loop)
//!     try:
//!         print(slow.result(0.5))
//!     except TimeoutError:
//!         print("The coroutine took too long, cancelling the task...")
//!         slow.cancel()
//!     print("cancelled:", slow.cancelled())
//!
//! async def main():
//!     loop = asyncio.get_running_loop()
//!     thread = threading.Thread(target=submit_from_thread, args=(loop, 2))
//!     thread.start()
//!     await asyncio.to_thread(thread.join)   # keep the loop free meanwhile
//!
//! asyncio.run(main())
//! ```
//!
//! Python hands over a coroutine object; Rust hands over a factory
//! (`|| async { ... }`) that the loop calls on its own thread, so the
//! coroutine may use the runtime's non-`Send` futures. `result(timeout)`
//! returns a `Result` (`Err(Error::Timeout)` for Python's `TimeoutError`).
//!
//! Run with `cargo run --example run_coroutine_threadsafe`.

use std::time::Duration;

fn submit_from_thread(event_loop: asyncio::LoopHandle, timeout: Duration) {
    let future = asyncio::run_coroutine_threadsafe(
        || async {
            asyncio::sleep(1).await;
            3
        },
        &event_loop,
    );
    match future.result(Some(timeout)) {
        Ok(value) => println!("{value}"),
        Err(e) => println!("The coroutine failed: {e}"),
    }

    let slow = asyncio::run_coroutine_threadsafe(
        || async {
            asyncio::sleep(10).await;
            4
        },
        &event_loop,
    );
    match slow.result(Some(Duration::from_secs_f64(0.5))) {
        Ok(value) => println!("{value}"),
        Err(e) if e.is_timeout() => {
            println!("The coroutine took too long, cancelling the task...");
            slow.cancel();
        }
        Err(e) => println!("The coroutine failed: {e}"),
    }
    println!("cancelled: {}", slow.cancelled());
}

#[asyncio::main]
async fn main() {
    let handle = asyncio::get_running_loop().unwrap().handle();
    let thread = std::thread::spawn(move || submit_from_thread(handle, Duration::from_secs(2)));
    // Joining blocks, so it runs on the pool; the loop stays free to run
    // the submitted coroutines.
    asyncio::to_thread(move || thread.join())
        .await
        .unwrap()
        .expect("the submitting thread panicked");
}
