//! Seed 000 ("event loop"): `run_forever()` until something calls `stop()` —
//! a timer on the loop itself, or another thread through a loop handle.
//!
//! The Python it twins (5 s shortened to 0.35 s):
//!
//! ```python
//! import asyncio, threading, time
//!
//! async def ticker():
//!     n = 0
//!     while True:
//!         await asyncio.sleep(0.1)
//!         n += 1
//!         print("tick", n)
//!
//! loop = asyncio.new_event_loop()
//! task = loop.create_task(ticker())
//! loop.call_later(0.35, loop.stop)   # run the loop for 0.35 seconds
//! loop.run_forever()
//! task.cancel()
//! try:
//!     loop.run_until_complete(task)
//! except asyncio.CancelledError:
//!     print("ticker cancelled")
//!
//! def other_thread():
//!     time.sleep(0.2)
//!     loop.call_soon_threadsafe(lambda: print("hello from another thread"))
//!     loop.call_soon_threadsafe(loop.stop)
//!
//! threading.Thread(target=other_thread).start()
//! loop.run_forever()
//! loop.close()
//! ```
//!
//! Run with `cargo run --example run_forever_stop`.

use std::time::Duration;

async fn ticker() {
    let mut n = 0;
    loop {
        asyncio::sleep(0.1).await;
        n += 1;
        println!("tick {n}");
    }
}

fn main() {
    let event_loop = asyncio::EventLoop::new().unwrap(); // asyncio.new_event_loop()

    println!("-- run_forever(), stopped by call_later(0.35, stop) --");
    let task = event_loop.create_task(ticker());
    let stopper = event_loop.clone();
    event_loop.call_later(0.35, move || stopper.stop());
    event_loop
        .run_forever()
        .expect("the loop is not running yet");
    println!("run_forever() returned; the ticker is still pending: {task:?}");

    // Stopping the loop does not stop its tasks: they resume on the next run.
    // Cancel the ticker and run the loop until it has ended.
    task.cancel();
    let outcome = event_loop
        .run_until_complete(task)
        .expect("the loop runs until the task is done");
    match outcome {
        Err(error) if error.is_cancelled() => println!("ticker ended: {error}"),
        other => println!("unexpected: {other:?}"),
    }

    println!("-- run_forever(), stopped from another thread --");
    // `EventLoop` is not `Send`; its `LoopHandle` is, and it wakes the loop
    // even while it is blocked waiting for the OS.
    let handle = event_loop.handle();
    let thread = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        handle
            .call_soon_threadsafe(|| println!("hello from another thread"))
            .expect("the loop is still open");
        handle.stop(); // loop.call_soon_threadsafe(loop.stop)
    });
    event_loop.call_soon(|| println!("loop running, idle until the other thread stops it"));
    event_loop
        .run_forever()
        .expect("the loop is not running yet");
    thread.join().expect("the thread did not panic");
    println!("run_forever() returned");

    event_loop.close().expect("the loop is not running");
    println!("closed: {}", event_loop.is_closed());
}
