//! Seed 004's `say_something`: two tasks created up front run
//! concurrently, then the same two coroutines under `gather`, timed.
//!
//! ```python
//! async def say_something(delay, words):
//!   print(f'before {words}')
//!   await asyncio.delay(delay)
//!   print(f'after {words}')
//!
//! async def main():
//!   print('start')
//!   task1 = asyncio.create_task(say_something(1, 'task1'))
//!   task2 = asyncio.create_task(say_something(1, 'task2'))
//!   await task1
//!   await task2
//!   print('end')
//!
//! async def main2():
//!   start = time.time()
//!   await asyncio.gather(say_something(1, 'task1'), say_something(1, 'task1'))
//!   elapsed = time.time() - start
//!   print(f'{elapsed:0.2f} seconds')
//!
//! asyncio.run(main())
//! ```
//!
//! The seed's code has a bug: `asyncio.delay` does not exist (Python stops
//! with `AttributeError: module 'asyncio' has no attribute 'delay'` after
//! "before task1"); it means `asyncio.sleep`, which the twin uses. The seed
//! also defines `main2` without running it; the twin runs both. With
//! `asyncio.sleep`, Python prints what this prints:
//!
//! ```text
//! start
//! before task1
//! before task2
//! after task1
//! after task2
//! end
//! before task1
//! before task1
//! after task1
//! after task1
//! 1.00 seconds
//! ```
//!
//! Run with `cargo run --example say_something`.

use std::time::Instant;

async fn say_something(delay: f64, words: &str) {
    println!("before {words}");
    asyncio::sleep(delay).await;
    println!("after {words}");
}

async fn main1() {
    println!("start");
    let task1 = asyncio::create_task(say_something(1.0, "task1"));
    let task2 = asyncio::create_task(say_something(1.0, "task2"));
    task1.await.expect("say_something does not fail");
    task2.await.expect("say_something does not fail");
    println!("end");
}

async fn main2() {
    let start = Instant::now();
    asyncio::gather!(say_something(1.0, "task1"), say_something(1.0, "task1"))
        .await
        .expect("say_something does not fail");
    let elapsed = start.elapsed().as_secs_f64();
    println!("{elapsed:0.2} seconds");
}

fn main() {
    asyncio::run(main1());
    asyncio::run(main2());
}
