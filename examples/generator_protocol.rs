//! The async-generator protocol: `anext`, `asend`, `athrow`, `aclose`.
//!
//! Not in the seeds' code, which only iterate generators (seed 003,
//! "Asynchronous Generators"); this is the rest of what Python's
//! `async def` + `yield` objects do (PEP 525), in Python:
//!
//! ```python
//! async def accumulator():
//!     total = 0
//!     try:
//!         while True:
//!             value = yield total        # asend(v) makes `value` v; anext() makes it None
//!             if value is not None:
//!                 total += value
//!     finally:
//!         await asyncio.sleep(0.1)       # cleanup may await
//!         print('finally: accumulator closed at', total)
//!
//! class Reset(Exception): pass
//!
//! async def running_average():
//!     total, count = 0.0, 0
//!     while True:
//!         try:
//!             value = yield (total / count if count else 0.0)
//!         except Reset:                  # athrow(Reset()) lands here
//!             print('reset')
//!             total, count = 0.0, 0
//!             continue
//!         if value is not None:
//!             total += value
//!             count += 1
//!
//! async def main():
//!     acc = accumulator()
//!     try:
//!         await acc.asend(5)
//!     except TypeError as e:             # can't send non-None value to a just-started async generator
//!         print(repr(e))
//!     print(await anext(acc))            # 0
//!     print(await acc.asend(5))          # 5
//!     print(await acc.asend(10))         # 15
//!     print(await anext(acc))            # 15
//!     await acc.aclose()                 # runs the finally block
//!     print(await anext(acc, 'StopAsyncIteration'))
//!
//!     unfinished = accumulator()
//!     await anext(unfinished)
//!     del unfinished                     # the loop's finalizer closes it
//!     await asyncio.sleep(0.2)
//!
//!     avg = running_average()
//!     print(await anext(avg))            # 0.0
//!     print(await avg.asend(10))         # 10.0
//!     print(await avg.asend(20))         # 15.0
//!     print(await avg.athrow(Reset()))   # reset, 0.0
//!     print(await avg.asend(4))          # 4.0
//!     try:
//!         await avg.athrow(ValueError('bad input'))
//!     except ValueError as e:            # not handled by the generator
//!         print('running_average ended with ValueError:', e)
//! ```
//!
//! In Rust the generator's return type declares what `yield` evaluates to:
//! `AsyncGen<Y, R, S>` yields `Y`, returns `R` and is resumed with `S`.
//! `S = Option<T>` is Python's "a value or None"; `S = Result<T, E>` also
//! takes `athrow(e)`, which the body sees as `Err(e)` at its `yield`.
//! Errors are values: a refused call is an `Err(AsyncGenError)`, and an
//! error the body does not handle becomes its return value.
//!
//! Run with `cargo run --example generator_protocol` (about 0.3 s).

use std::cell::Cell;
use std::rc::Rc;

use asyncio::{AsyncGen, AsyncGenError, async_gen};

async_gen! {
    /// Yields the running total; `asend(Some(v))` adds `v`.
    async fn accumulator() -> AsyncGen<i64, (), Option<i64>> {
        let total = Rc::new(Cell::new(0));
        let seen = total.clone();
        // finally: -- runs when the generator is closed (or dropped).
        let _cleanup = asyncio::finally(async move {
            asyncio::sleep(0.1).await;
            println!("finally: accumulator closed at {}", seen.get());
        });
        loop {
            // value = yield total
            let value = yield total.get();
            if let Some(value) = value {
                total.set(total.get() + value);
            }
        }
    }
}

/// What `athrow` can throw into `running_average`.
#[derive(Debug)]
enum Interrupt {
    Reset,
    ValueError(&'static str),
}

/// What `running_average` is sent: a sample or `None` (`Ok`), or an
/// `Interrupt` thrown in by `athrow` (`Err`).
type Sent = Result<Option<f64>, Interrupt>;

async_gen! {
    /// Yields the average so far; `asend(Ok(Some(v)))` adds a sample,
    /// `athrow(Interrupt::Reset)` starts over, any other error ends it.
    async fn running_average() -> AsyncGen<f64, Result<(), Interrupt>, Sent> {
        let (mut total, mut count) = (0.0, 0);
        loop {
            let average = if count > 0 { total / count as f64 } else { 0.0 };
            match yield average {
                Ok(Some(value)) => {
                    total += value;
                    count += 1;
                }
                Ok(None) => {}
                // except Reset:
                Err(Interrupt::Reset) => {
                    println!("reset");
                    (total, count) = (0.0, 0);
                }
                // Not handled: the generator ends with it, as the exception
                // would propagate in Python. (`(yield average)?` passes every
                // error on like this.)
                Err(error) => return Err(error),
            }
        }
    }
}

#[asyncio::main]
async fn main() -> Result<(), AsyncGenError> {
    let acc = accumulator();
    // Before the first anext there is no `yield` to receive a value.
    println!("acc.asend(Some(5)) -> {:?}", acc.asend(Some(5)).await);
    println!("anext(acc) -> {}", acc.anext().await?);
    println!("acc.asend(Some(5)) -> {}", acc.asend(Some(5)).await?);
    println!("acc.asend(Some(10)) -> {}", acc.asend(Some(10)).await?);
    println!("anext(acc) -> {}", acc.anext().await?); // sends None
    // await acc.aclose(): ends the body at its `yield`, awaits its cleanup.
    acc.aclose().await?;
    println!("acc.aclose() -> done");
    println!("anext(acc) -> {:?}", acc.anext().await);

    // A generator dropped unfinished is closed by the loop, which runs its
    // cleanup (asyncio's async-generator finalizer).
    let unfinished = accumulator();
    unfinished.anext().await?;
    drop(unfinished);
    println!("drop(unfinished) -> the loop closes it");
    asyncio::sleep(0.2).await;

    let mut avg = running_average();
    println!("anext(avg) -> {:?}", avg.anext().await?);
    println!("avg.asend(10) -> {:?}", avg.asend(Ok(Some(10.0))).await?);
    println!("avg.asend(20) -> {:?}", avg.asend(Ok(Some(20.0))).await?);
    println!(
        "avg.athrow(Reset) -> {:?}",
        avg.athrow(Interrupt::Reset).await?
    );
    println!("avg.asend(4) -> {:?}", avg.asend(Ok(Some(4.0))).await?);
    let thrown = avg.athrow(Interrupt::ValueError("bad input")).await;
    println!("avg.athrow(ValueError) -> {thrown:?}");
    // The error it ended with is its return value: `except ValueError as e`.
    if let Some(Err(Interrupt::ValueError(e))) = avg.take_return() {
        println!("running_average ended with ValueError: {e}");
    }
    Ok(())
}
