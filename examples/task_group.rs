//! `asyncio.TaskGroup` with one failing child: the failure cancels the
//! siblings (whose cleanups still run), the group waits for all of them,
//! and every failure comes back in one error value.
//!
//! ```python
//! async def worker(name, delay, fail=False):
//!     try:
//!         await asyncio.sleep(delay)
//!         if fail:
//!             raise ValueError(f"{name} failed")
//!         print(f"{name} done")
//!     except asyncio.CancelledError:
//!         print(f"{name} cancelled")
//!         raise
//!
//! async def main():
//!     try:
//!         async with asyncio.TaskGroup() as tg:
//!             tg.create_task(worker("fast", 0.1))
//!             tg.create_task(worker("broken", 0.2, fail=True))
//!             tg.create_task(worker("slow", 1.0))
//!     except* ValueError as eg:
//!         print("group failed:", eg.exceptions)
//! ```
//!
//! Children are polled by the group itself, so they may borrow the
//! caller's locals (`done` below) — no `Rc` needed.
//!
//! Run with `cargo run --example task_group` (about 0.2 s).

use std::cell::RefCell;

#[derive(Debug)]
struct WorkerError(String);

impl std::fmt::Display for WorkerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WorkerError {}

async fn worker(
    name: &str,
    delay: f64,
    fail: bool,
    done: &RefCell<Vec<String>>,
) -> Result<(), WorkerError> {
    match asyncio::catch_cancelled(asyncio::sleep(delay)).await {
        Ok(()) if fail => Err(WorkerError(format!("{name} failed"))),
        Ok(()) => {
            println!("{name} done");
            done.borrow_mut().push(name.to_owned());
            Ok(())
        }
        Err(_cancelled) => {
            println!("{name} cancelled");
            Ok(())
        }
    }
}

#[asyncio::main]
async fn main() {
    let done = RefCell::new(Vec::new());
    let outcome = asyncio::task_group(async |tg| {
        tg.create_try_task(worker("fast", 0.1, false, &done));
        tg.create_try_task(worker("broken", 0.2, true, &done));
        tg.create_try_task(worker("slow", 1.0, false, &done));
    })
    .await;
    match outcome {
        Ok(()) => println!("all done"),
        Err(group) => println!("group failed: {group}"),
    }
    println!("finished: {:?}", done.borrow());
}
