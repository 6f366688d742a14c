//! Side-by-side runtime benchmarks: this crate's event loop against tokio's
//! current-thread runtime, in one process.
//!
//! # Workloads
//! - `spawn`: spawn 1,000,000 trivial tasks, then await them all (ns per task).
//!   Tokio is measured twice: `tokio::spawn` on the current-thread runtime
//!   and `spawn_local` on a `LocalSet` (the closest match to `!Send` tasks).
//! - `yield`: one task yielding 10,000,000 times: `asyncio::sleep(0)` against
//!   `tokio::task::yield_now()` (ns per yield).
//! - `pingpong`: two tasks pass a token back and forth 1,000,000 times, with
//!   a new one-shot channel per message: `asyncio::Future` against
//!   `tokio::sync::oneshot` (ns per round trip A→B→A).
//! - `timers`: 100,000 tasks each sleep a random 0–10 ms (fixed-seed
//!   xorshift, the same delays on both sides): total wall time from the first
//!   spawn to the last completion, and the overhead over the longest sleep
//!   (total − 10 ms), in ms.
//! - `gather`: `asyncio::gather` of 100,000 trivial futures (ns per future).
//!   Tokio has no gather; its analogue spawns the 100,000 tasks and awaits
//!   their `JoinHandle`s in order into a `Vec`, with `tokio::spawn` and with
//!   `spawn_local` on a `LocalSet`.
//! - `queue`: two tasks pass a counter back and forth 1,000,000 times
//!   through two bounded(1) queues (A puts to q1, B gets from q1 and puts
//!   to q2, A gets from q2): `asyncio::Queue::new(1)` against
//!   `tokio::sync::mpsc::channel(1)` (ns per round trip A→B→A).
//! - `semaphore`: 1,000 tasks share a semaphore of 10 permits; each does
//!   1,000 rounds of acquire → yield once while holding the permit →
//!   release, 1,000,000 acquires in all. Holding across the yield is what
//!   makes the tasks contend (on one thread, a task that never suspends
//!   while holding a permit never makes anyone wait): after the first round
//!   every acquire waits in the FIFO until a release hands it a permit.
//!   `asyncio::Semaphore` with `asyncio::sleep(0)` against
//!   `tokio::sync::Semaphore` with `tokio::task::yield_now()` (ns per
//!   acquire/release, one yield included; see `yield` for that part).
//! - `to_thread`: 100,000 sequential round trips of a trivial function to
//!   the blocking thread pool and back: `asyncio::to_thread` against
//!   `tokio::task::spawn_blocking` (µs per round trip). Each run's pool
//!   starts empty on both sides, so the first call's thread spawn is
//!   included (amortised over the run).
//!
//! # Method
//! A plain harness (no criterion). Every run builds a fresh loop/runtime and
//! times the workload from inside its main future, so loop construction and
//! teardown are not counted. Each side is warmed up once, then the sides run
//! `RUNS` times interleaved (the side that goes first rotates each run, so a
//! noisy neighbour hurts both alike); the report gives median, min and max
//! per side and the ratio of medians (ours / tokio: below 1 means faster).
//! Results are passed through `std::hint::black_box` so the work cannot be
//! optimised away.
//!
//! glibc's malloc returns freed memory to the OS depending on its history, so
//! whether a run re-faults hundreds of MB of fresh pages (a third of the
//! `spawn` time) would depend on which runtime ran before. On glibc the
//! harness therefore re-runs itself with `GLIBC_TUNABLES` pinning the trim
//! and mmap thresholds (same for both sides), unless `GLIBC_TUNABLES` is
//! already set.
//!
//! # Running
//! ```text
//! cargo bench --bench runtime                  # everything
//! cargo bench --bench runtime -- spawn timers  # workloads whose name contains a filter
//! cargo bench --bench runtime -- --quick       # sizes 10x smaller (a smoke test)
//! ```
//!
//! # Layout
//! `harness` measures and reports; `tasks` holds `spawn`, `yield`,
//! `pingpong` and `timers`; `gather` holds `gather`; `sync` holds `queue`
//! and `semaphore`; `threads` holds `to_thread`.

mod gather;
mod harness;
mod sync;
mod tasks;
mod threads;

use std::time::Duration;

use harness::{RUNS, measure, ms, ns_per, report, us_per};

fn main() {
    harness::pin_glibc_heap();
    let mut quick = false;
    let mut filters = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--quick" => quick = true,
            // `cargo bench` passes `--bench`; ignore it and other flags.
            flag if flag.starts_with("--") => {}
            filter => filters.push(filter.to_owned()),
        }
    }
    let scale = if quick { 10 } else { 1 };
    let selected =
        |name: &str| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()));

    harness::print_machine();
    if let Some(tunables) = std::env::var_os("GLIBC_TUNABLES") {
        println!("GLIBC_TUNABLES={}", tunables.to_string_lossy());
    }
    println!(
        "runs per side: {RUNS} (after 1 warm-up){}",
        if quick { ", --quick: sizes / 10" } else { "" }
    );
    println!();

    if selected("spawn") {
        let n = 1_000_000 / scale;
        let samples = measure(&mut [
            ("asyncio", &mut || tasks::asyncio_spawn(n)),
            ("tokio spawn", &mut || tasks::tokio_spawn(n)),
            ("tokio LocalSet", &mut || tasks::tokio_spawn_local(n)),
        ]);
        report(
            &format!("spawn {n} tasks + await all"),
            "ns/task",
            &samples,
            |d| ns_per(d, n),
        );
    }
    if selected("yield") {
        let n = 10_000_000 / scale;
        let samples = measure(&mut [
            ("asyncio", &mut || tasks::asyncio_yield(n)),
            ("tokio", &mut || tasks::tokio_yield(n)),
        ]);
        report(
            &format!("one task yielding {n} times"),
            "ns/yield",
            &samples,
            |d| ns_per(d, n),
        );
    }
    if selected("pingpong") {
        let n = 1_000_000 / scale;
        let samples = measure(&mut [
            ("asyncio", &mut || tasks::asyncio_pingpong(n)),
            ("tokio", &mut || tasks::tokio_pingpong(n)),
        ]);
        report(
            &format!("ping-pong {n} round trips"),
            "ns/round trip",
            &samples,
            |d| ns_per(d, n),
        );
    }
    if selected("timers") {
        let n = 100_000 / scale;
        let delays = tasks::random_delays(n);
        let samples = measure(&mut [
            ("asyncio", &mut || tasks::asyncio_timers(&delays)),
            ("tokio", &mut || tasks::tokio_timers(&delays)),
        ]);
        report(
            &format!("{n} tasks sleeping 0-10 ms: total"),
            "ms",
            &samples,
            ms,
        );
        let overhead = |d: Duration| ms(d) - ms(tasks::MAX_SLEEP);
        report(
            &format!("{n} tasks sleeping 0-10 ms: overhead (total - 10 ms)"),
            "ms",
            &samples,
            overhead,
        );
    }
    if selected("gather") {
        let n = 100_000 / scale;
        let samples = measure(&mut [
            ("asyncio", &mut || gather::asyncio_gather(n)),
            ("tokio spawn", &mut || gather::tokio_gather(n)),
            ("tokio LocalSet", &mut || gather::tokio_gather_local(n)),
        ]);
        report(
            &format!("gather {n} trivial futures"),
            "ns/future",
            &samples,
            |d| ns_per(d, n),
        );
    }
    if selected("queue") {
        let n = 1_000_000 / scale;
        let samples = measure(&mut [
            ("asyncio", &mut || sync::asyncio_queue(n)),
            ("tokio", &mut || sync::tokio_queue(n)),
        ]);
        report(
            &format!("bounded(1) queue ping-pong {n} round trips"),
            "ns/round trip",
            &samples,
            |d| ns_per(d, n),
        );
    }
    if selected("semaphore") {
        let rounds = 1_000 / scale;
        let n = sync::SEMAPHORE_TASKS * rounds;
        let samples = measure(&mut [
            ("asyncio", &mut || sync::asyncio_semaphore(rounds)),
            ("tokio", &mut || sync::tokio_semaphore(rounds)),
        ]);
        report(
            &format!(
                "semaphore({}) {} tasks x {rounds} acquire+yield+release",
                sync::SEMAPHORE_PERMITS,
                sync::SEMAPHORE_TASKS
            ),
            "ns/acquire",
            &samples,
            |d| ns_per(d, n),
        );
    }
    if selected("to_thread") {
        let n = 100_000 / scale;
        let samples = measure(&mut [
            ("asyncio", &mut || threads::asyncio_to_thread(n)),
            ("tokio", &mut || threads::tokio_to_thread(n)),
        ]);
        report(
            &format!("to_thread {n} sequential round trips"),
            "µs/round trip",
            &samples,
            |d| us_per(d, n),
        );
    }
}
