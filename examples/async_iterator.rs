//! Asynchronous Iterators (seed 003, "Asynchronous Iterators"): the
//! `EggBoiler`, an async iterator whose items are coroutines.
//!
//! ```python
//! class EggBoiler:
//!     def __init__(self, amount):
//!         self.eggs = iter(range(1, amount + 1))
//!
//!     def __aiter__(self):
//!         return self
//!
//!     async def __anext__(self):
//!         try:
//!             egg = next(self.eggs)
//!         except StopIteration:
//!             raise StopAsyncIteration
//!         # Important: Returns async method
//!         return self.boil(egg)
//!
//!     async def boil(self, egg):
//!         await asyncio.sleep(random.randint(2, 5))
//!         print(f'Egg #{egg} is boiling')
//!
//! # await egg produces a synchronous experience, wait one egg each iteration
//! async def main():
//!     async for egg in EggBoiler(4):
//!         await egg
//!
//! # Improve performance, boil eggs more than 1 at a time
//! async def main():
//!     eggs = []
//!     async for egg in EggBoiler(4):
//!         eggs.append(egg)
//!     await asyncio.gather(*eggs)
//! ```
//!
//! `__anext__` is [`AsyncIterator::anext`], with `None` for
//! `StopAsyncIteration`; `aiter(it)` / `it.aiter()` is `__aiter__`, giving a
//! generator to loop over with `while let Some(x) = it.next().await`.
//! An item that is itself a coroutine needs a type: here a boxed future.
//!
//! The delays are fixed (Python draws them with `random.randint(2, 5)`), and
//! the loop runs on a virtual clock, so the output is deterministic and the
//! run instant. Both of the seed's `main`s run, one after the other, each
//! followed by the loop time it took (not in the seed).
//!
//! Run with `cargo run --example async_iterator`.

use std::future::Future;
use std::pin::Pin;

use asyncio::AsyncIterator;

/// A coroutine that has not started yet, as `self.boil(egg)` returns.
type Boil = Pin<Box<dyn Future<Output = ()>>>;

/// `random.randint(2, 5)` for eggs 1, 2, 3, 4: drawn once, fixed here.
const BOIL_SECS: [u64; 4] = [4, 2, 5, 3];

struct EggBoiler {
    eggs: std::ops::RangeInclusive<usize>,
}

impl EggBoiler {
    // def __init__(self, amount):
    //     self.eggs = iter(range(1, amount + 1))
    fn new(amount: usize) -> Self {
        EggBoiler { eggs: 1..=amount }
    }

    // async def boil(self, egg):
    //     await asyncio.sleep(random.randint(2, 5))
    //     print(f'Egg #{egg} is boiling')
    fn boil(&self, egg: usize) -> Boil {
        let secs = BOIL_SECS[(egg - 1) % BOIL_SECS.len()];
        Box::pin(async move {
            asyncio::sleep(secs).await;
            println!("Egg #{egg} is boiling");
        })
    }
}

impl AsyncIterator for EggBoiler {
    type Item = Boil;

    // async def __anext__(self):
    async fn anext(&mut self) -> Option<Boil> {
        // egg = next(self.eggs), and StopIteration -> StopAsyncIteration
        let egg = self.eggs.next()?;
        // return self.boil(egg): the coroutine, not yet awaited
        Some(self.boil(egg))
    }
}

fn now() -> f64 {
    asyncio::get_running_loop().unwrap().time()
}

// await egg produces a synchronous experience, wait one egg each iteration
async fn one_at_a_time() {
    let start = now();
    // async for egg in EggBoiler(4):
    //     await egg
    let mut eggs = EggBoiler::new(4).aiter();
    while let Some(egg) = eggs.next().await {
        egg.await;
    }
    println!("(one at a time: {} s of loop time)", now() - start);
}

// Improve performance, boil eggs more than 1 at a time
async fn gathered() {
    let start = now();
    // eggs = []
    // async for egg in EggBoiler(4):
    //     eggs.append(egg)
    let mut eggs = Vec::new();
    let mut boiler = EggBoiler::new(4).aiter();
    while let Some(egg) = boiler.next().await {
        eggs.push(egg);
    }
    // await asyncio.gather(*eggs)
    asyncio::gather(eggs).await.unwrap();
    println!("(gathered: {} s of loop time)", now() - start);
}

fn main() {
    // asyncio.run(main()), on a virtual clock
    asyncio::Runner::new().virtual_time(true).run(async {
        one_at_a_time().await;
        gathered().await;
    });
}
