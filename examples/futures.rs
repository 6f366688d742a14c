//! Seeds 000 ("Futures") and 004 ("Futures"): `asyncio.Future`, a placeholder
//! for a value that is set later — "an empty postbox" the postman fills.
//!
//! The Python it twins:
//!
//! ```python
//! from asyncio import Future
//!
//! future = Future()            # seed 004
//! future.cancel()
//! print(future.done())         # True
//! print(future.cancelled())    # True
//!
//! fut.set_result(value)        # seed 000: set a value ...
//! fut.set_exception(exc)       # ... or an exception ...
//! fut.cancel()                 # ... or cancel it
//! fut.result()                 # the value; raises the exception, CancelledError,
//!                              # or InvalidStateError if not done yet
//! fut.add_done_callback(callback)  # run "soon" once the future is done
//!
//! # and, being awaitable, any number of coroutines can `await fut`
//! ```
//!
//! In Rust `result()` returns a `Result` instead of raising: `Ok(value)`, or
//! `Err(asyncio::Error::{Exception, Cancelled, InvalidState})`.
//!
//! Run with `cargo run --example futures`.

use std::fmt;

/// Our stand-in for Python's `ValueError`: any `std::error::Error` can be
/// set on a future.
#[derive(Debug)]
struct ValueError(&'static str);

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ValueError: {}", self.0)
    }
}

impl std::error::Error for ValueError {}

/// `Ok(value)` or `Err(error message)`, for printing.
fn show<T: fmt::Debug>(result: Result<T, asyncio::Error>) -> String {
    match result {
        Ok(value) => format!("Ok({value:?})"),
        Err(error) => format!("Err({error})"),
    }
}

/// Seed 004: `Future(); cancel(); done(); cancelled()`.
fn cancel_a_future() {
    println!("-- seed 004: Future(), cancel(), done(), cancelled() --");
    let future = asyncio::Future::<()>::new();
    future.cancel();
    println!("{}", future.done()); // true
    println!("{}", future.cancelled()); // true
}

/// Seed 000: each way to finish a future, and what `result()` says.
fn result_in_every_state() {
    println!("-- result() in every state --");
    let fut = asyncio::Future::<i32>::new();
    println!("pending:       {:?} -> {}", fut, show(fut.result()));

    fut.set_result(42).expect("the future is still pending");
    println!("set_result:    {:?} -> {}", fut, show(fut.result()));
    // A future is set once; a second attempt is an InvalidStateError.
    println!("set it again:  {}", fut.set_result(7).unwrap_err());

    let fut = asyncio::Future::<i32>::new();
    fut.set_exception(ValueError("bad value")).expect("pending");
    match fut.result() {
        Err(asyncio::Error::Exception(e)) => {
            // The original error type is still there: `except ValueError:`.
            let is_value_error = e.downcast_ref::<ValueError>().is_some();
            println!("set_exception: result() -> Err({e}), a ValueError: {is_value_error}");
        }
        other => println!("unexpected: {other:?}"),
    }

    let fut = asyncio::Future::<i32>::new();
    fut.cancel();
    println!("cancel:        {:?} -> {}", fut, show(fut.result()));
}

/// Seed 000: done callbacks run on the loop "soon", never inside `set_result`.
async fn done_callbacks() {
    println!("-- add_done_callback --");
    let fut = asyncio::Future::<&str>::new();
    fut.add_done_callback(|f| println!("callback: the future is done -> {}", show(f.result())));
    fut.set_result("a letter").expect("pending");
    println!("set_result returned (the callback has not run yet)");
    asyncio::sleep(0).await; // yield to the loop once: the callback runs
}

/// Awaiting: tasks wait on the postbox until the postman fills it.
async fn awaited_by_many() {
    println!("-- awaited by many tasks --");
    // Python's `loop.create_future()`; `asyncio::Future::new()` is the same
    // inside a running loop.
    let event_loop = asyncio::get_running_loop().expect("inside asyncio::run");
    let postbox = event_loop.create_future::<String>();

    let mut readers = Vec::new();
    for name in ["alice", "bob"] {
        let postbox = postbox.clone(); // another handle to the same future
        readers.push(asyncio::create_task(async move {
            println!("{name} waits for the post");
            let letter = postbox.await.expect("the postman delivers");
            println!("{name} reads: {letter}");
        }));
    }

    let postman = postbox.clone();
    event_loop.call_later(0.1, move || {
        println!("the postman arrives");
        postman.set_result("hello!".to_string()).expect("pending");
    });

    for reader in readers {
        reader.await.expect("the reader finishes");
    }
}

#[asyncio::main]
async fn main() {
    cancel_a_future();
    result_in_every_state();
    done_callbacks().await;
    awaited_by_many().await;
}
