//! A guided tour of `asyncio` for Rust, for readers who know Python's asyncio.
//!
//! Every section is a small function that mirrors a snippet from the seed
//! notes (the Python is in the comments next to the Rust), in this order:
//!
//! 0. outside any loop: `get_running_loop()` -> "no running event loop"
//! 1. `asyncio.run(hello_world())`
//! 2. `await asyncio.sleep(delay, result)`
//! 3. `loop.call_soon` / `call_later` / `call_at` / `time()`
//! 4. tasks: `create_task(name=)`, `print(task)`, `current_task`, `all_tasks`,
//!    `add_done_callback`, `result()`
//! 5. `asyncio.Future`: `set_result` / `set_exception` / `cancel` / `result()`
//! 6. a custom awaitable (`__await__`)
//! 7. `task.cancel()` and `try/finally` (the stopwatch)
//! 8. `try/except CancelledError` — catch it, clean up, carry on
//! 9. the low-level loop: `run_until_complete`, `run_forever`/`stop`,
//!    `call_soon_threadsafe`, `set_debug`, `close`
//! 10. `gather` (say_after, count) and `return_exceptions`
//! 11. `wait_for` ("Timeout exceed") and the `timeout()` scope
//! 12. `wait` with each `return_when`, and its timeout
//! 13. `shield`
//! 14. `as_completed`
//! 15. `TaskGroup` with a failing child
//! 16. a `Queue` with a producer and two consumers
//! 17. `to_thread` and `run_coroutine_threadsafe`
//! 18. async generators: `async def` + `yield` as `async_gen!`, `async for`
//! 19. async comprehensions, `__aiter__`/`__anext__` and `aiter()`
//! 20. the generator protocol: `anext`, `asend`, `aclose` with async cleanup
//! 21. `async with`: `@asynccontextmanager` and `__aenter__`/`__aexit__`
//! 22. what the exit sees: commit, or roll back (on an error, or cancelled)
//! 23. `AsyncExitStack`, `async with lock`, `async with asyncio.timeout()`
//!
//! Errors are values here: where Python raises, Rust returns `Err(..)`.
//!
//! `main` is a plain `fn` so the tour can also show the loop from outside
//! (sections 0 and 9). A program with a single entry point writes
//! `#[asyncio::main] async fn main() { .. }`, which is `asyncio.run(main())`.
//!
//! Run with `cargo run --example tour` (about 2 s).

use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

mod concurrency;
mod contexts;
mod generators;

fn header(title: &str) {
    println!("\n== {title} ==");
}

// ---------------------------------------------------------------------------
// 0. Outside any loop
// ---------------------------------------------------------------------------

fn outside_any_loop() {
    header("0. Outside any loop");
    // print(asyncio.get_running_loop())  # RuntimeError: no running event loop
    match asyncio::get_running_loop() {
        Ok(_) => println!("unexpected: a loop is running"),
        Err(e) => println!("get_running_loop() -> Err({e})"),
    }
}

// ---------------------------------------------------------------------------
// 1. Hello world (seed 001)
// ---------------------------------------------------------------------------

// async def foo():
//     print("Foo!")
async fn foo() {
    println!("Foo!");
}

// async def hello_world():
//     await foo()
//     print("Hello World!")
async fn hello_world() {
    foo().await;
    println!("Hello World!");
}

// ---------------------------------------------------------------------------
// 2. Sleeping, and a result after the sleep (seed 002)
// ---------------------------------------------------------------------------

async fn sleep_with_a_result(msg: &str) {
    header("2. asyncio.sleep(delay, result)");
    // result = await asyncio.sleep(0.1, ' world')
    // Rust's sleep has no `result`: an async block ends with its value.
    let result = async {
        asyncio::sleep(0.1).await; // seconds as a number, or a Duration
        " world"
    }
    .await;
    // assert msg + result == 'hello world'
    assert_eq!(msg.to_owned() + result, "hello world");
    println!("{msg}{result}");
}

// ---------------------------------------------------------------------------
// 3. Callbacks on the loop (seed 000)
// ---------------------------------------------------------------------------

async fn loop_callbacks() {
    header("3. call_soon / call_later / call_at");
    // loop = asyncio.get_running_loop()   (`loop` is a keyword in Rust)
    let event_loop = asyncio::get_running_loop().expect("inside asyncio::run");
    let start = event_loop.time();

    // loop.call_later(0.2, lambda: print("hello at least 0.2s later"))
    event_loop.call_later(0.2, || println!("hello at least 0.2s later"));
    // loop.call_at(loop.time() + 0.1, ...)   -- an absolute time
    event_loop.call_at(start + 0.1, || println!("hello at loop time start + 0.1"));
    // loop.call_soon(lambda: print("hello asap"))
    event_loop.call_soon(|| println!("hello asap"));
    // Each returns a handle: handle.cancel()
    let handle = event_loop.call_soon(|| println!("never printed"));
    handle.cancel();

    println!("callbacks scheduled; they run while this task waits");
    asyncio::sleep(Duration::from_millis(300)).await;
    println!("{:.1}s of loop time later", event_loop.time() - start);
}

// ---------------------------------------------------------------------------
// 4. Tasks (seeds 002, 003)
// ---------------------------------------------------------------------------

// async def lap_timer(laps):
//     for lap in range(1, laps + 1):
//         await asyncio.sleep(0.1)
//         print("lap", lap)
async fn lap_timer(laps: u32) -> u32 {
    for lap in 1..=laps {
        asyncio::sleep(0.1).await;
        println!("lap {lap}");
    }
    laps
}

// async def my_routine():
//     await asyncio.sleep(0.05)
//     return "Done."
async fn my_routine() -> &'static str {
    asyncio::sleep(0.05).await;
    "Done."
}

async fn tasks() {
    header("4. Tasks");
    // The coroutine given to asyncio.run is itself a task.
    let me = asyncio::current_task().expect("inside a task");
    println!("current_task(): {}", me.get_name());

    // task = asyncio.create_task(lap_timer(3)); print(task)
    let task = asyncio::create_task(lap_timer(3));
    println!("{task:?}");
    task.set_name("lap timer"); // task.set_name("lap timer")

    // named = asyncio.create_task(my_routine(), name="Name of the task")
    let named = asyncio::create_task_named(my_routine(), "Name of the task");
    println!("named.get_name(): {}", named.get_name());

    // [t.get_name() for t in asyncio.all_tasks()]
    let names: Vec<String> = asyncio::all_tasks()
        .expect("inside a loop")
        .iter()
        .map(|t| t.get_name())
        .collect();
    println!("all_tasks(): {names:?}");

    // task.result() before the task is done raises InvalidStateError
    println!("task.result() now: Err({})", task.result().unwrap_err());

    // def callb(task): print('task is done', task)
    // task.add_done_callback(callb)
    task.add_done_callback(|t| println!("task is done {t:?}"));

    // laps = await task   -- awaiting gives Result<output, asyncio::Error>
    let laps = task.await.expect("the lap timer finishes");
    println!("await task -> {laps}");
    // The named task finished meanwhile: named.result()
    println!(
        "named.done(): {}, named.result(): {:?}",
        named.done(),
        named.result()
    );
}

// ---------------------------------------------------------------------------
// 5. Futures (seeds 000, 004)
// ---------------------------------------------------------------------------

/// Python's `ValueError`; any `std::error::Error` can be set on a future.
#[derive(Debug)]
struct ValueError(&'static str);

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ValueError: {}", self.0)
    }
}

impl std::error::Error for ValueError {}

async fn futures() {
    header("5. Futures");
    // future = Future(); future.cancel()
    // print(future.done(), future.cancelled())   # True True
    let future = asyncio::Future::<i32>::new();
    future.cancel();
    println!("done: {}, cancelled: {}", future.done(), future.cancelled());

    // fut.set_exception(ValueError("bad")); fut.result()  # raises ValueError
    let fut = asyncio::Future::<i32>::new();
    fut.set_exception(ValueError("bad")).expect("pending");
    println!(
        "after set_exception, result() -> Err({})",
        fut.result().unwrap_err()
    );

    // An empty postbox: a task awaits it, a callback fills it.
    let postbox = asyncio::Future::<String>::new();
    // postbox.add_done_callback(lambda f: print("callback:", f.result()))
    postbox.add_done_callback(|f| println!("callback: {:?}", f.result()));
    let reader = asyncio::create_task({
        let postbox = postbox.clone(); // a clone is the same future
        async move {
            // letter = await postbox
            let letter = postbox.await.expect("the postman delivers");
            println!("reader: got {letter:?}");
        }
    });
    let postman = postbox.clone();
    asyncio::get_running_loop()
        .expect("inside asyncio::run")
        .call_later(0.05, move || {
            println!("postman: set_result(\"a letter\")");
            postman.set_result("a letter".into()).expect("pending");
        });
    reader.await.expect("the reader finishes");
}

// ---------------------------------------------------------------------------
// 6. A custom awaitable (seed 003)
// ---------------------------------------------------------------------------

// class Stopwatch:
//     def __await__(self):
//         yield            # hand control to the loop once
#[derive(Default)]
struct YieldOnce {
    yielded: bool,
}

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref(); // "poll me again soon" -- the bare `yield`
        Poll::Pending
    }
}

async fn custom_awaitable() {
    header("6. A custom awaitable");
    let other = asyncio::create_task(async { println!("another task runs meanwhile") });
    println!("before await YieldOnce");
    YieldOnce::default().await; // await Stopwatch()
    println!("after await YieldOnce");
    other.await.expect("the other task finishes");
}

// ---------------------------------------------------------------------------
// 7. Cancelling a task (seed 003: the stopwatch)
// ---------------------------------------------------------------------------

// async def stopwatch():
//     count = 0
//     try:
//         while True:
//             await asyncio.sleep(0.1)
//             count += 1
//             print(count)
//     finally:
//         await asyncio.sleep(0.05)   # cleanup may await
//         print("stopwatch stopped at", count)
async fn stopwatch() {
    let count = Rc::new(Cell::new(0)); // tasks need not be Send: Rc is fine
    let seen = count.clone();
    // An async `finally:` -- it runs (to completion) even on cancellation.
    let _cleanup = asyncio::finally(async move {
        asyncio::sleep(0.05).await;
        println!("stopwatch stopped at {}", seen.get());
    });
    loop {
        asyncio::sleep(0.1).await;
        count.set(count.get() + 1);
        println!("{}", count.get());
    }
}

async fn cancel_a_task() {
    header("7. task.cancel()");
    // task = asyncio.create_task(stopwatch())
    let mut task = asyncio::create_task(stopwatch());
    // await asyncio.sleep(0.25); task.cancel()
    asyncio::sleep(0.25).await;
    task.cancel();
    // try: await task
    // except asyncio.CancelledError: print("cancelled:", task.cancelled())
    match (&mut task).await {
        Err(e) if e.is_cancelled() => {
            println!("await task -> Err({e}); cancelled: {}", task.cancelled())
        }
        other => println!("unexpected: {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// 8. Catching the cancellation
// ---------------------------------------------------------------------------

// async def worker():
//     try:
//         await asyncio.sleep(3600)
//     except asyncio.CancelledError:
//         await asyncio.sleep(0.05)   # clean up asynchronously
//         return 42                   # ...and finish normally
async fn worker() -> u32 {
    match asyncio::catch_cancelled(asyncio::sleep(3600)).await {
        Ok(()) => 0,
        Err(e) => {
            println!("worker: caught {e}; cleaning up");
            asyncio::sleep(0.05).await;
            42
        }
    }
}

async fn catch_a_cancellation() {
    header("8. except CancelledError");
    let task = asyncio::create_task(worker());
    asyncio::sleep(0).await; // let it start
    task.cancel_with("please stop"); // task.cancel("please stop")
    let answer = task.await;
    println!("await task -> {answer:?}");
}

// ---------------------------------------------------------------------------
// 1-8 run inside one asyncio::run
// ---------------------------------------------------------------------------

async fn high_level_tour() {
    header("1. asyncio.run(hello_world())");
    hello_world().await;
    sleep_with_a_result("hello").await;
    loop_callbacks().await;
    tasks().await;
    futures().await;
    custom_awaitable().await;
    cancel_a_task().await;
    catch_a_cancellation().await;
}

// ---------------------------------------------------------------------------
// 9. The low-level loop API (seeds 000, 001)
// ---------------------------------------------------------------------------

fn low_level_loop() {
    header("9. The event loop by hand");
    // loop = asyncio.get_event_loop()
    let event_loop = asyncio::get_event_loop().unwrap();

    // loop.run_until_complete(hello_world())
    let out = event_loop.run_until_complete(async {
        hello_world().await;
        "its output"
    });
    println!("run_until_complete -> {out:?}");

    // loop.call_later(0.2, loop.stop); loop.run_forever()
    let start = event_loop.time();
    let stopper = event_loop.clone();
    event_loop.call_later(0.2, move || stopper.stop());
    event_loop.run_forever().expect("not running yet");
    println!(
        "run_forever() stopped after {:.1}s",
        event_loop.time() - start
    );

    // From another thread: loop.call_soon_threadsafe(...), then stop.
    let handle = event_loop.handle(); // Send + Sync, unlike EventLoop
    let thread = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        handle
            .call_soon_threadsafe(|| println!("hello from another thread"))
            .expect("the loop is open");
        handle.stop();
    });
    event_loop.run_forever().expect("not running yet");
    thread.join().expect("the thread finishes");
    println!("run_forever() stopped by the other thread");

    // loop.set_debug(True): warn (on stderr) about callbacks hogging the loop
    event_loop.set_debug(true);
    event_loop.call_soon(|| std::thread::sleep(Duration::from_millis(120)));
    event_loop
        .run_until_complete(asyncio::sleep(0))
        .expect("completes");

    // loop.close()
    event_loop.close().expect("not running");
    println!("closed: {}", event_loop.is_closed());
}

fn main() {
    outside_any_loop();
    // asyncio.run(main())
    asyncio::run(high_level_tour());
    low_level_loop();
    concurrency::tour();
    generators::tour();
    contexts::tour();
}
