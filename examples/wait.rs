//! `asyncio.wait` with each `return_when` (seed 002). Unlike `wait_for`,
//! `wait` never cancels: on timeout the unfinished tasks come back in
//! `pending`, still running.
//!
//! ```python
//! done, pending = await asyncio.wait({task}, return_when=FIRST_COMPLETED, timeout=10)
//! done, pending = await asyncio.wait({task}, return_when=FIRST_EXCEPTION, timeout=10)
//! done, pending = await asyncio.wait({task}, return_when=ALL_COMPLETED, timeout=10)
//! ```
//!
//! Run with `cargo run --example wait` (about 1 s).

use asyncio::{
    ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION, Task, create_task_named, sleep, wait,
};

/// A named task that sleeps `secs`, then returns its name or panics.
fn named(name: &'static str, secs: f64, fail: bool) -> Task<&'static str> {
    let body = async move {
        sleep(secs).await;
        assert!(!fail, "{name} failed");
        name
    };
    create_task_named(body, name)
}

fn names(tasks: &[Task<&'static str>]) -> Vec<String> {
    tasks.iter().map(|t| t.get_name()).collect()
}

#[asyncio::main]
async fn main() {
    // A task's panic is its exception; keep the report to one line.
    std::panic::set_hook(Box::new(|info| eprintln!("(a task panicked: {info})")));

    let tasks = [named("fast", 0.1, false), named("slow", 0.5, false)];
    let (done, pending) = wait(tasks).return_when(FIRST_COMPLETED).timeout(10).await;
    println!(
        "FIRST_COMPLETED: done={:?} pending={:?}",
        names(&done),
        names(&pending)
    );

    let tasks = [
        named("ok", 0.1, false),
        named("boom", 0.2, true),
        named("late", 0.5, false),
    ];
    let (done, pending) = wait(tasks).return_when(FIRST_EXCEPTION).timeout(10).await;
    println!(
        "FIRST_EXCEPTION: done={:?} pending={:?}",
        names(&done),
        names(&pending)
    );
    for task in &done {
        if let Ok(Some(error)) = task.exception() {
            println!("  {} raised: {error}", task.get_name());
        }
    }

    let tasks = [named("a", 0.1, false), named("b", 0.3, false)];
    let (done, pending) = wait(tasks).return_when(ALL_COMPLETED).timeout(10).await;
    println!(
        "ALL_COMPLETED: done={:?} pending={:?}",
        names(&done),
        names(&pending)
    );

    // A timeout: nothing is cancelled, the task is still running.
    let (done, pending) = wait([named("sleepy", 0.4, false)]).timeout(0.1).await;
    println!(
        "timeout=0.1: done={:?} pending={:?} (cancelled: {})",
        names(&done),
        names(&pending),
        pending[0].cancelled()
    );
    let (done, _) = wait(pending).await;
    println!(
        "later: {} finished with {:?}",
        done[0].get_name(),
        done[0].result()
    );
}
