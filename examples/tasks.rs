//! Seeds 002 ("Task", "current_task and all_tasks") and 003 ("Task Objects",
//! "Interact with the Event Loop"): creating, naming and inspecting tasks.
//!
//! The Python it twins (seconds shortened to tenths):
//!
//! ```python
//! import asyncio
//!
//! async def stopwatch(laps):
//!     for count in range(1, laps + 1):
//!         await asyncio.sleep(0.1)
//!         print(count)
//!
//! def callb(task):
//!     print('task is done', task)
//!
//! # Event loop is only accessible inside the context of a coroutine
//! print(asyncio.get_running_loop())   # RuntimeError: no running event loop
//!
//! async def main():
//!     print(asyncio.get_running_loop())
//!     # <_UnixSelectorEventLoop running=True closed=False debug=False>
//!     task = asyncio.create_task(stopwatch(3))
//!     print(task)
//!     # <Task pending name='Task-2' coro=<stopwatch() running at main.py:4>>
//!     named = asyncio.create_task(my_routine(), name="Name of the task")
//!     print(asyncio.current_task().get_name(), [t.get_name() for t in asyncio.all_tasks()])
//!     task.add_done_callback(callb)
//!     await task
//!     # task is done <Task finished name='Task-2' coro=<stopwatch() done ...> result=None>
//!
//! asyncio.run(main())
//! ```
//!
//! `main` is a plain `fn` so it can show what happens outside a running loop
//! before starting one; the async part is what `#[asyncio::main]` would run.
//!
//! Run with `cargo run --example tasks`.

async fn stopwatch(laps: u32) {
    for count in 1..=laps {
        asyncio::sleep(0.1).await;
        println!("{count}");
    }
}

async fn my_routine() -> &'static str {
    asyncio::sleep(0.05).await;
    "Done."
}

/// A done callback takes the finished task as its only argument.
fn callb(task: &asyncio::TaskRef) {
    println!("task is done {task:?}");
}

async fn async_main() {
    println!("-- inside the loop --");
    let event_loop = asyncio::get_running_loop().expect("we are inside asyncio::run");
    println!("{event_loop:?}");
    // `asyncio::run` runs `async_main` itself as the first task.
    let me = asyncio::current_task().expect("we are inside a task");
    println!("current task: {}", me.get_name());

    println!("-- create_task --");
    let task = asyncio::create_task(stopwatch(3));
    // A task's debug repr reads like Python's; `coro` is the future's type.
    println!("{task:?}");

    let named = asyncio::create_task_named(my_routine(), "Name of the task");
    println!("named: {}", named.get_name());
    named.set_name("my_routine");
    println!("renamed: {}", named.get_name());

    let names: Vec<String> = asyncio::all_tasks()
        .expect("inside a loop")
        .iter()
        .map(|t| t.get_name())
        .collect();
    println!("all_tasks: {names:?}");

    println!("-- add_done_callback, then await --");
    // `result()` never blocks: before the task is done it is an error.
    match named.result() {
        Err(e) => println!("named.result() too early: {e}"),
        Ok(out) => println!("named.result() already: {out}"),
    }
    task.add_done_callback(callb);
    task.await.expect("the stopwatch finishes");

    // Both tasks are done now (the named one finished first).
    println!(
        "named.done(): {}, result(): {:?}",
        named.done(),
        named.result()
    );
    println!("named.exception(): {:?}", named.exception());
    println!("named.get_coro(): {}", named.get_coro());
    let left = asyncio::all_tasks().expect("inside a loop").len();
    println!("unfinished tasks left: {left} (just this one)");
}

fn main() {
    println!("-- outside any loop --");
    // Python raises RuntimeError; here the error is a value.
    match asyncio::get_running_loop() {
        Ok(_) => println!("unexpected: a loop is running"),
        Err(e) => println!("get_running_loop(): {e}"),
    }
    match asyncio::current_task() {
        Ok(_) => println!("unexpected: a task is running"),
        Err(e) => println!("current_task(): {e}"),
    }

    asyncio::run(async_main());
}
