//! Seed 000 ("event loop"): scheduling plain callbacks on the loop, and
//! running the loop for a fixed time.
//!
//! The Python it twins (delays shortened here: 1 s -> 0.2 s, 5 s -> 0.5 s):
//!
//! ```python
//! loop = asyncio.get_event_loop()
//!
//! # call a function soon or after some time; these only run while the loop runs
//! loop.call_soon(lambda: print("hello asap"))
//! loop.call_later(1, lambda: print("hello at least 1s later"))
//! loop.run_until_complete(asyncio.sleep(5))
//!
//! # run the loop for 5 seconds
//! loop.call_later(5, loop.stop)
//! loop.run_forever()
//!
//! # use debug mode when testing: it warns about callbacks that hog the loop
//! loop.set_debug(True)
//! ```
//!
//! Run with `cargo run --example call_soon_later`.

use std::time::Duration;

fn main() {
    // `loop` is a Rust keyword, hence `event_loop`.
    let event_loop = asyncio::get_event_loop().unwrap();

    println!("-- call_soon / call_later, then run_until_complete(sleep(0.5)) --");
    let start = event_loop.time();
    event_loop.call_soon(|| println!("hello asap"));
    // A delay is seconds (`1`, `0.2`) or a `std::time::Duration`.
    event_loop.call_later(Duration::from_millis(200), move || {
        println!("hello at least 0.2s later");
    });
    // Both return a handle; a cancelled callback never runs.
    let handle = event_loop.call_soon(|| println!("never printed"));
    handle.cancel();
    println!("(nothing has run yet: the loop is not running)");
    event_loop
        .run_until_complete(asyncio::sleep(0.5))
        .expect("the sleep completes");
    println!("loop ran for {:.1}s", event_loop.time() - start);

    println!("-- run the loop for 0.5 seconds: call_later(0.5, stop) + run_forever() --");
    let start = event_loop.time();
    let stopper = event_loop.clone(); // cheap: another handle to the same loop
    event_loop.call_later(0.5, move || stopper.stop());
    // `call_at` takes an absolute time on the loop's clock (`loop.time()`).
    event_loop.call_at(start + 0.25, move || println!("halfway there"));
    event_loop
        .run_forever()
        .expect("the loop is not running yet");
    println!(
        "run_forever() returned after {:.1}s",
        event_loop.time() - start
    );

    println!("-- set_debug(true): warn about callbacks that hog the loop --");
    event_loop.set_debug(true);
    event_loop.call_soon(|| {
        // A blocking call inside a callback starves every other task.
        std::thread::sleep(Duration::from_millis(150));
        println!("a slow callback finished (see the warning on stderr)");
    });
    event_loop
        .run_until_complete(asyncio::sleep(0))
        .expect("the sleep completes");

    event_loop.close().expect("the loop is not running");
}
