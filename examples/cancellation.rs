//! Cancellation, Python style: `task.cancel()` raises `CancelledError` at
//! the task's current `await`, where the task may catch it, clean up with
//! more awaits, and even finish normally. (Seeds 002/003: `Task.cancel()`,
//! `cancelled()`; the stopwatch of seed 003.)
//!
//! The Python it twins:
//!
//! ```python
//! async def worker():
//!     try:
//!         try:
//!             print("worker: working")
//!             await asyncio.sleep(3600)
//!         finally:
//!             print("worker: finally: closing the connection...")
//!             await asyncio.sleep(0.1)          # cleanup may await
//!             print("worker: finally: closed")
//!     except asyncio.CancelledError as e:
//!         print("worker: caught", repr(e))
//!         return 42                             # ...and carry on
//!
//! async def sleeper():
//!     print("sleeper: sleeping")
//!     await asyncio.sleep(3600)                 # no handler
//!
//! async def main():
//!     worker_task = asyncio.create_task(worker())
//!     sleeper_task = asyncio.create_task(sleeper())
//!     await asyncio.sleep(0)                    # let them start
//!     worker_task.cancel("shutting down")
//!     sleeper_task.cancel()
//!     print(await worker_task, worker_task.cancelled())    # 42 False
//!     try:
//!         await sleeper_task
//!     except asyncio.CancelledError:
//!         print("sleeper cancelled:", sleeper_task.cancelled())  # True
//!
//! asyncio.run(main())
//! ```
//!
//! Rust drops futures rather than raising into them, so the two Python
//! blocks become two values: `asyncio::catch_cancelled(fut)` is the
//! `try/except CancelledError` (it drops `fut` and returns
//! `Err(CancelledError)`), and `asyncio::finally(async { .. })` is the
//! `finally:` whose body may await.
//!
//! Run with `cargo run --example cancellation`.

async fn worker() -> u32 {
    let work = async {
        // `finally:` — registered up front, runs however the scope ends.
        let cleanup = asyncio::finally(async {
            println!("worker: finally: closing the connection...");
            asyncio::sleep(0.1).await; // cleanup may await
            println!("worker: finally: closed");
        });
        println!("worker: working");
        asyncio::sleep(3600).await;
        cleanup.await; // the normal path: run the cleanup here
    };
    // `try: ... except CancelledError:`
    match asyncio::catch_cancelled(work).await {
        Ok(()) => 0,
        Err(e) => {
            println!("worker: caught CancelledError, message {:?}", e.message());
            42 // ...and carry on: the task ends normally
        }
    }
}

async fn sleeper() {
    println!("sleeper: sleeping");
    asyncio::sleep(3600).await; // no catch point: cancelling ends the task
}

#[asyncio::main]
async fn main() {
    let mut worker_task = asyncio::create_task(worker());
    let mut sleeper_task = asyncio::create_task(sleeper());
    asyncio::sleep(0).await; // let them start

    // A cancellation is a request, delivered at the task's next step.
    worker_task.cancel_with("shutting down");
    sleeper_task.cancel();

    let answer = (&mut worker_task).await;
    println!(
        "worker_task: {answer:?}, cancelled: {}",
        worker_task.cancelled()
    );

    match (&mut sleeper_task).await {
        Err(e) if e.is_cancelled() => {
            println!(
                "sleeper_task: Err({e}), cancelled: {}",
                sleeper_task.cancelled()
            );
        }
        other => println!("unexpected: {other:?}"),
    }

    // Cancelling a finished task does nothing and says so.
    println!("cancel() again: {}", sleeper_task.cancel());
}
