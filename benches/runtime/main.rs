//! Side-by-side runtime benchmarks: this crate's event loop against tokio's
//! current-thread runtime and smol's `LocalExecutor`, every measurement in a
//! fresh process.
//!
//! # Workloads
//! - `spawn`: spawn 10k / 100k / 1M trivial tasks, then await them all (ns
//!   and peak bytes per task). Tokio is measured twice: `tokio::spawn` on
//!   the current-thread runtime and `spawn_local` on a `LocalSet` (the
//!   closest match to `!Send` tasks).
//! - `yield`: one task yielding 10,000,000 times: `asyncio::sleep(0)`,
//!   `tokio::task::yield_now()`, `smol::future::yield_now()` (ns per yield).
//! - `pingpong`: two tasks pass a token back and forth 1,000,000 times, with
//!   a new one-shot channel per message: `asyncio::Future` against
//!   `tokio::sync::oneshot` and, on smol, `futures::channel::oneshot` (ns
//!   per round trip A→B→A).
//! - `timers`: 10k / 100k / 1M tasks each sleep a random 0–10 ms (fixed-seed
//!   xorshift, the same delays on every side): the overhead over the longest
//!   sleep (total − 10 ms) per timer, and peak bytes per timer.
//! - `pending`: 100,000 tasks each awaiting its own one-shot (`Future`,
//!   tokio's `oneshot`, `futures`' `oneshot` on smol): resident bytes per
//!   task once all are waiting, handles included (what a program holding
//!   many idle tasks pays).
//! - `gather`: `asyncio::gather` of 100,000 trivial futures (ns per future).
//!   Tokio and smol have no gather; their analogue spawns the tasks and
//!   awaits their handles in order into a `Vec`.
//! - `queue`: two tasks pass a counter back and forth 1,000,000 times
//!   through two bounded(1) queues: `asyncio::Queue::new(1)` against
//!   `tokio::sync::mpsc::channel(1)` and `smol::channel::bounded(1)` (ns per
//!   round trip A→B→A).
//! - `semaphore`: 1,000 tasks share a semaphore of 10 permits; each does
//!   1,000 rounds of acquire → yield once while holding the permit →
//!   release. Holding across the yield makes the tasks contend: after the
//!   first round every acquire waits in the FIFO for a release (ns per
//!   acquire, one yield included).
//! - `to_thread`: 100,000 sequential round trips of a trivial function to
//!   the blocking thread pool and back: `asyncio::to_thread`,
//!   `spawn_blocking`, `smol::unblock` (µs per round trip).
//!
//! # Method
//! A plain harness (no criterion). The parent process runs each
//! measurement as `runtime --one <workload> <side> <n>` in a fresh copy of
//! itself (a user's program is a fresh process: its allocator starts
//! empty, its pages are not yet faulted in), `RUNS` rounds per workload and
//! size, the order of the sides rotating every round so a noisy neighbour
//! hurts all alike. The child builds its loop/runtime, times the workload
//! from inside its main future (construction and teardown are not
//! counted), and reports the time and its memory: the peak resident set
//! over the resident set at its start (for `pending`, the resident set at
//! the moment every task waits). The report gives median, min and max per
//! side and the ratio of medians (asyncio / other: below 1 means faster or
//! leaner). Results pass through `std::hint::black_box`.
//!
//! The run ends with a summary table in Markdown (the README's) and, with
//! `--svg PATH`, a chart of the summary's ratios.
//!
//! # Running
//! ```text
//! cargo bench --bench runtime                     # everything
//! cargo bench --bench runtime -- spawn timers     # workloads whose name contains a filter
//! cargo bench --bench runtime -- --quick          # sizes 10x smaller, 3 rounds (a smoke test)
//! cargo bench --bench runtime -- --runs 3 spawn  # fewer rounds
//! cargo bench --bench runtime -- --svg docs/runtime-ratios.svg
//! ```
//!
//! # Layout
//! `harness` runs and reports measurements; `summary` builds the table and
//! `chart` the SVG; `tasks` holds `spawn`, `yield`, `pingpong`, `timers`
//! and `pending`; `gather` holds `gather`; `sync` holds `queue` and
//! `semaphore`; `threads` holds `to_thread`.

mod chart;
mod gather;
mod harness;
mod summary;
mod sync;
mod tasks;
mod threads;

use std::time::Duration;

use harness::{Measured, RUNS, Sample, measure, report};

/// The sides every workload can be measured on.
const ALL: &[&str] = &["asyncio", "tokio", "smol"];

/// One workload: its name (filter and child argument), sides and sizes.
pub(crate) struct Workload {
    pub(crate) name: &'static str,
    pub(crate) sides: &'static [&'static str],
    pub(crate) sizes: &'static [usize],
}

pub(crate) const WORKLOADS: &[Workload] = &[
    Workload {
        name: "spawn",
        sides: &["asyncio", "tokio", "tokio-local", "smol"],
        sizes: &[10_000, 100_000, 1_000_000],
    },
    Workload {
        name: "yield",
        sides: ALL,
        sizes: &[10_000_000],
    },
    Workload {
        name: "pingpong",
        sides: ALL,
        sizes: &[1_000_000],
    },
    Workload {
        name: "timers",
        sides: ALL,
        sizes: &[10_000, 100_000, 1_000_000],
    },
    Workload {
        name: "pending",
        sides: ALL,
        sizes: &[100_000],
    },
    Workload {
        name: "gather",
        sides: &["asyncio", "tokio", "tokio-local", "smol"],
        sizes: &[100_000],
    },
    Workload {
        name: "queue",
        sides: ALL,
        sizes: &[1_000_000],
    },
    Workload {
        name: "semaphore",
        sides: ALL,
        sizes: &[sync::SEMAPHORE_TASKS * 1_000],
    },
    Workload {
        name: "to_thread",
        sides: ALL,
        sizes: &[100_000],
    },
];

/// Runs one measurement in this (fresh) process.
fn run_one(workload: &str, side: &str, n: usize) -> Sample {
    harness::start_rss_kb();
    let timed = Sample::timed;
    match (workload, side) {
        ("spawn", "asyncio") => timed(tasks::asyncio_spawn(n)),
        ("spawn", "tokio") => timed(tasks::tokio_spawn(n)),
        ("spawn", "tokio-local") => timed(tasks::tokio_spawn_local(n)),
        ("spawn", "smol") => timed(tasks::smol_spawn(n)),
        ("yield", "asyncio") => timed(tasks::asyncio_yield(n)),
        ("yield", "tokio") => timed(tasks::tokio_yield(n)),
        ("yield", "smol") => timed(tasks::smol_yield(n)),
        ("pingpong", "asyncio") => timed(tasks::asyncio_pingpong(n)),
        ("pingpong", "tokio") => timed(tasks::tokio_pingpong(n)),
        ("pingpong", "smol") => timed(tasks::smol_pingpong(n)),
        ("timers", side) => {
            let delays = tasks::random_delays(n);
            harness::start_rss_kb();
            timed(match side {
                "asyncio" => tasks::asyncio_timers(&delays),
                "tokio" => tasks::tokio_timers(&delays),
                "smol" => tasks::smol_timers(&delays),
                _ => panic!("no side {side:?} for timers"),
            })
        }
        ("pending", "asyncio") => tasks::asyncio_pending(n),
        ("pending", "tokio") => tasks::tokio_pending(n),
        ("pending", "smol") => tasks::smol_pending(n),
        ("gather", "asyncio") => timed(gather::asyncio_gather(n)),
        ("gather", "tokio") => timed(gather::tokio_gather(n)),
        ("gather", "tokio-local") => timed(gather::tokio_gather_local(n)),
        ("gather", "smol") => timed(gather::smol_gather(n)),
        ("queue", "asyncio") => timed(sync::asyncio_queue(n)),
        ("queue", "tokio") => timed(sync::tokio_queue(n)),
        ("queue", "smol") => timed(sync::smol_queue(n)),
        ("semaphore", side) => {
            let rounds = n / sync::SEMAPHORE_TASKS;
            timed(match side {
                "asyncio" => sync::asyncio_semaphore(rounds),
                "tokio" => sync::tokio_semaphore(rounds),
                "smol" => sync::smol_semaphore(rounds),
                _ => panic!("no side {side:?} for semaphore"),
            })
        }
        ("to_thread", "asyncio") => timed(threads::asyncio_to_thread(n)),
        ("to_thread", "tokio") => timed(threads::tokio_to_thread(n)),
        ("to_thread", "smol") => timed(threads::smol_to_thread(n)),
        _ => panic!("no workload {workload:?} on side {side:?}"),
    }
}

/// Nanoseconds per item.
pub(crate) fn ns_per_item(s: &Sample, n: usize) -> f64 {
    s.time.as_nanos() as f64 / n as f64
}

/// Nanoseconds per timer beyond the longest sleep.
pub(crate) fn overhead_per_timer(s: &Sample, n: usize) -> f64 {
    s.time.saturating_sub(tasks::MAX_SLEEP).as_nanos() as f64 / n as f64
}

/// Bytes per item.
pub(crate) fn bytes_per_item(s: &Sample, n: usize) -> f64 {
    s.bytes as f64 / n as f64
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(at) = args.iter().position(|a| a == "--one") {
        let (workload, side) = (&args[at + 1], &args[at + 2]);
        let n = args[at + 3].parse().expect("a size");
        harness::print_sample(run_one(workload, side, n));
        return;
    }
    let mut quick = false;
    let mut svg = None;
    let mut rounds = None;
    let mut filters = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--svg" => svg = Some(args.next().expect("--svg takes a path")),
            "--runs" => {
                let n = args.next().and_then(|n| n.parse().ok());
                rounds = Some(n.expect("--runs takes a number"));
            }
            // `cargo bench` passes `--bench`; ignore it and other flags.
            flag if flag.starts_with("--") => {}
            _ => filters.push(arg),
        }
    }
    let (scale, runs) = if quick { (10, 3) } else { (1, RUNS) };
    let runs = rounds.unwrap_or(runs);
    let selected =
        |name: &str| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()));

    harness::print_machine();
    println!(
        "each measurement a fresh process; {runs} rounds per workload and size, sides rotating{}",
        if quick { "; --quick: sizes / 10" } else { "" }
    );
    println!();

    let mut all: Vec<Measured> = Vec::new();
    for w in WORKLOADS.iter().filter(|w| selected(w.name)) {
        for &size in w.sizes {
            let n = size / scale;
            let m = measure(w.name, w.sides, n, runs);
            print_workload(&m);
            all.push(m);
        }
    }
    let rows = summary::rows(&all, scale);
    summary::print_markdown(&rows);
    summary::print_scaling(&all);
    if let Some(path) = svg {
        std::fs::write(&path, chart::svg(&rows)).expect("writing the SVG chart");
        println!("chart written to {path}");
    }
}

/// The report of one workload at one size.
fn print_workload(m: &Measured) {
    let n = m.n;
    let per = |s: &Sample| ns_per_item(s, n);
    let bytes = |s: &Sample| bytes_per_item(s, n);
    match m.workload {
        "spawn" => {
            report(&format!("spawn {n} tasks + await all"), "ns/task", m, per);
            report(&format!("spawn {n}: peak memory"), "bytes/task", m, bytes);
        }
        "yield" => report(&format!("one task yielding {n} times"), "ns/yield", m, per),
        "pingpong" => report(
            &format!("one-shot ping-pong {n} round trips"),
            "ns/round trip",
            m,
            per,
        ),
        "timers" => {
            let total = |s: &Sample| s.time.as_secs_f64() * 1e3;
            report(
                &format!("{n} tasks sleeping 0-10 ms: total"),
                "ms",
                m,
                total,
            );
            report(
                &format!("{n} timers: overhead (total - 10 ms)"),
                "ns/timer",
                m,
                |s| overhead_per_timer(s, n),
            );
            report(&format!("{n} timers: peak memory"), "bytes/timer", m, bytes);
        }
        "pending" => report(
            &format!("{n} tasks awaiting their own one-shot: resident memory"),
            "bytes/task",
            m,
            bytes,
        ),
        "gather" => report(&format!("gather {n} trivial futures"), "ns/future", m, per),
        "queue" => report(
            &format!("bounded(1) queue ping-pong {n} round trips"),
            "ns/round trip",
            m,
            per,
        ),
        "semaphore" => report(
            &format!(
                "semaphore({}) {} tasks, {n} acquire+yield+release",
                sync::SEMAPHORE_PERMITS,
                sync::SEMAPHORE_TASKS
            ),
            "ns/acquire",
            m,
            per,
        ),
        "to_thread" => report(
            &format!("to_thread {n} sequential round trips"),
            "µs/round trip",
            m,
            |s| Duration::as_secs_f64(&s.time) * 1e6 / n as f64,
        ),
        other => panic!("no report for {other}"),
    }
}
