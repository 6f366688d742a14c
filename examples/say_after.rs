//! `asyncio.gather` (seed 002): three `say_after` coroutines interleave,
//! and the results come back in argument order.
//!
//! ```python
//! async def say_after(delay, what):
//!     for i in range(5):
//!         await asyncio.sleep(delay)
//!         print(what, end='')
//!     return "Done."
//!
//! async def main():
//!     result = await asyncio.gather(
//!         say_after(3, '3-'),
//!         say_after(1, '1-'),
//!         say_after(2, '2-'),
//!     )
//!     print(result)
//!
//! asyncio.run(main())
//! # 1-2-1-3-1-2-1-1-3-2-2-3-2-3-3-['Done.', 'Done.', 'Done.']
//! ```
//!
//! The sleeps add up to 15 s, so this runs on a virtual clock: time jumps
//! to the next timer whenever every task is waiting. The output, including
//! the ties (at t=6 both the 3 s and the 2 s sayers wake, in the order
//! their timers were set), is exactly Python's.
//!
//! Run with `cargo run --example say_after`.

use std::io::Write;

async fn say_after(delay: u64, what: &str) -> &'static str {
    for _ in 0..5 {
        asyncio::sleep(delay).await;
        print!("{what}");
        std::io::stdout().flush().unwrap();
    }
    "Done."
}

fn main() {
    let result = asyncio::Runner::new().virtual_time(true).run(async {
        asyncio::gather!(say_after(3, "3-"), say_after(1, "1-"), say_after(2, "2-")).await
    });
    let (a, b, c) = result.expect("no sayer fails");
    println!("{:?}", [a, b, c]);
}
