//! Idle costs nothing: the loop blocks in the OS poller while a task sleeps.
//! Run with `/usr/bin/time -v cargo run --release --example idle` and read
//! the CPU time: it stays near zero for the two seconds of sleep.

#[asyncio::main]
async fn main() {
    let lp = asyncio::get_running_loop().unwrap();
    let start = lp.time();
    asyncio::sleep(2.0).await;
    println!("slept {:.2} s of loop time", lp.time() - start);
}
