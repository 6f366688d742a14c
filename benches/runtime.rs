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

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Measured runs per side (after one warm-up run).
const RUNS: usize = 5;

/// The longest sleep of the `timers` workload.
const MAX_SLEEP: Duration = Duration::from_millis(10);

/// Keeps freed memory in the heap between runs (see the module docs).
const HEAP_TUNABLES: &str =
    "glibc.malloc.trim_threshold=17179869184:glibc.malloc.mmap_threshold=33554432";

fn main() {
    pin_glibc_heap();
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

    print_machine();
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
            ("asyncio", &mut || asyncio_spawn(n)),
            ("tokio spawn", &mut || tokio_spawn(n)),
            ("tokio LocalSet", &mut || tokio_spawn_local(n)),
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
            ("asyncio", &mut || asyncio_yield(n)),
            ("tokio", &mut || tokio_yield(n)),
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
            ("asyncio", &mut || asyncio_pingpong(n)),
            ("tokio", &mut || tokio_pingpong(n)),
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
        let delays = random_delays(n);
        let samples = measure(&mut [
            ("asyncio", &mut || asyncio_timers(&delays)),
            ("tokio", &mut || tokio_timers(&delays)),
        ]);
        report(
            &format!("{n} tasks sleeping 0-10 ms: total"),
            "ms",
            &samples,
            ms,
        );
        let overhead = |d: Duration| ms(d) - ms(MAX_SLEEP);
        report(
            &format!("{n} tasks sleeping 0-10 ms: overhead (total - 10 ms)"),
            "ms",
            &samples,
            overhead,
        );
    }
}

// ---------------------------------------------------------------------------
// Harness

/// A labelled workload: one call runs it once and returns the time it took.
type Side<'a> = (&'static str, &'a mut dyn FnMut() -> Duration);

/// Runs every side once to warm up, then `RUNS` times interleaved (rotating
/// which side goes first); returns each side's label and samples.
fn measure(sides: &mut [Side<'_>]) -> Vec<(&'static str, Vec<Duration>)> {
    for (_, run) in sides.iter_mut() {
        black_box(run());
    }
    let mut samples = vec![Vec::with_capacity(RUNS); sides.len()];
    for round in 0..RUNS {
        for offset in 0..sides.len() {
            let i = (round + offset) % sides.len();
            samples[i].push((sides[i].1)());
        }
    }
    sides.iter().map(|(label, _)| *label).zip(samples).collect()
}

/// Prints median/min/max per side in `unit` (via `value`) and the ratio of
/// the first side's median to each other side's.
fn report(
    title: &str,
    unit: &str,
    samples: &[(&str, Vec<Duration>)],
    value: impl Fn(Duration) -> f64,
) {
    println!("{title} [{unit}]");
    println!("  {:<16} {:>10} {:>10} {:>10}", "", "median", "min", "max");
    let mut medians = Vec::new();
    for (label, runs) in samples {
        let mut values: Vec<f64> = runs.iter().map(|&d| value(d)).collect();
        values.sort_by(f64::total_cmp);
        let median = values[values.len() / 2];
        medians.push(median);
        let (min, max) = (values[0], values[values.len() - 1]);
        println!("  {label:<16} {median:>10.1} {min:>10.1} {max:>10.1}");
    }
    for ((label, _), median) in samples.iter().zip(&medians).skip(1) {
        println!(
            "  ratio {} / {label}: {:.2}",
            samples[0].0,
            medians[0] / median
        );
    }
    println!();
}

/// On glibc, re-runs this benchmark with [`HEAP_TUNABLES`] (unless
/// `GLIBC_TUNABLES` is already set) and exits with its status.
fn pin_glibc_heap() {
    if cfg!(not(all(target_os = "linux", target_env = "gnu")))
        || std::env::var_os("GLIBC_TUNABLES").is_some()
    {
        return;
    }
    let exe = std::env::current_exe().expect("the benchmark's own path");
    let status = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("GLIBC_TUNABLES", HEAP_TUNABLES)
        .status()
        .expect("re-running the benchmark with GLIBC_TUNABLES");
    std::process::exit(status.code().unwrap_or(1));
}

fn ns_per(d: Duration, n: usize) -> f64 {
    d.as_nanos() as f64 / n as f64
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn print_machine() {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned());
    println!("machine: {cpus} CPUs, {model}");
}

/// Delays in 0..=10 ms (microsecond steps) from a fixed-seed xorshift64*.
fn random_delays(n: usize) -> Vec<Duration> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let max = MAX_SLEEP.as_micros() as u64;
    (0..n)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let r = state.wrapping_mul(0x2545_F491_4F6C_DD1D);
            Duration::from_micros((r >> 32) % (max + 1))
        })
        .collect()
}

fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a tokio current-thread runtime")
}

// ---------------------------------------------------------------------------
// 1. spawn

fn asyncio_spawn(n: usize) -> Duration {
    asyncio::run(async move {
        let start = Instant::now();
        let tasks: Vec<_> = (0..n)
            .map(|i| asyncio::create_task(async move { i }))
            .collect();
        let mut sum = 0;
        for task in tasks {
            sum += task.await.unwrap();
        }
        black_box(sum);
        start.elapsed()
    })
}

fn tokio_spawn(n: usize) -> Duration {
    tokio_runtime().block_on(async move {
        let start = Instant::now();
        let tasks: Vec<_> = (0..n).map(|i| tokio::spawn(async move { i })).collect();
        let mut sum = 0;
        for task in tasks {
            sum += task.await.unwrap();
        }
        black_box(sum);
        start.elapsed()
    })
}

fn tokio_spawn_local(n: usize) -> Duration {
    let local = tokio::task::LocalSet::new();
    local.block_on(&tokio_runtime(), async move {
        let start = Instant::now();
        let tasks: Vec<_> = (0..n)
            .map(|i| tokio::task::spawn_local(async move { i }))
            .collect();
        let mut sum = 0;
        for task in tasks {
            sum += task.await.unwrap();
        }
        black_box(sum);
        start.elapsed()
    })
}

// ---------------------------------------------------------------------------
// 2. yield

fn asyncio_yield(n: usize) -> Duration {
    asyncio::run(async move {
        let start = Instant::now();
        let task = asyncio::create_task(async move {
            for _ in 0..n {
                asyncio::sleep(0).await;
            }
        });
        task.await.unwrap();
        start.elapsed()
    })
}

fn tokio_yield(n: usize) -> Duration {
    tokio_runtime().block_on(async move {
        let start = Instant::now();
        let task = tokio::spawn(async move {
            for _ in 0..n {
                tokio::task::yield_now().await;
            }
        });
        task.await.unwrap();
        start.elapsed()
    })
}

// ---------------------------------------------------------------------------
// 3. ping-pong: each message carries the one-shot for its reply.

/// A message for the `asyncio` ping-pong; `value == STOP` ends the peer.
#[derive(Clone)]
struct Ball {
    value: usize,
    reply: asyncio::Future<Ball>,
}

const STOP: usize = usize::MAX;

fn asyncio_pingpong(n: usize) -> Duration {
    asyncio::run(async move {
        let start = Instant::now();
        let first = asyncio::Future::<Ball>::new();
        let mut inbox = first.clone();
        let b = asyncio::create_task(async move {
            loop {
                let ball = inbox.await.unwrap();
                if ball.value == STOP {
                    break;
                }
                let next = asyncio::Future::new();
                let back = Ball {
                    value: ball.value + 1,
                    reply: next.clone(),
                };
                ball.reply.set_result(back).unwrap();
                inbox = next;
            }
        });
        let a = asyncio::create_task(async move {
            let mut to_b = first;
            let mut value = 0;
            for _ in 0..n {
                let inbox = asyncio::Future::new();
                to_b.set_result(Ball {
                    value,
                    reply: inbox.clone(),
                })
                .unwrap();
                let ball = inbox.await.unwrap();
                value = ball.value;
                to_b = ball.reply;
            }
            let stop = Ball {
                value: STOP,
                reply: asyncio::Future::new(),
            };
            to_b.set_result(stop).unwrap();
            value
        });
        let value = a.await.unwrap();
        b.await.unwrap();
        assert_eq!(black_box(value), n);
        start.elapsed()
    })
}

/// A message for the tokio ping-pong; the peer ends when its inbox closes.
struct TokioBall {
    value: usize,
    reply: tokio::sync::oneshot::Sender<TokioBall>,
}

fn tokio_pingpong(n: usize) -> Duration {
    use tokio::sync::oneshot;
    tokio_runtime().block_on(async move {
        let start = Instant::now();
        let (first, mut inbox) = oneshot::channel::<TokioBall>();
        let b = tokio::spawn(async move {
            while let Ok(ball) = inbox.await {
                let (next, rx) = oneshot::channel();
                let back = TokioBall {
                    value: ball.value + 1,
                    reply: next,
                };
                let _ = ball.reply.send(back);
                inbox = rx;
            }
        });
        let a = tokio::spawn(async move {
            let mut to_b = first;
            let mut value = 0;
            for _ in 0..n {
                let (reply, inbox) = oneshot::channel();
                let _ = to_b.send(TokioBall { value, reply });
                let ball = inbox.await.unwrap();
                value = ball.value;
                to_b = ball.reply;
            }
            value
        });
        let value = a.await.unwrap();
        b.await.unwrap();
        assert_eq!(black_box(value), n);
        start.elapsed()
    })
}

// ---------------------------------------------------------------------------
// 4. timers

fn asyncio_timers(delays: &[Duration]) -> Duration {
    let delays = delays.to_vec();
    asyncio::run(async move {
        let start = Instant::now();
        let tasks: Vec<_> = delays
            .into_iter()
            .map(|d| asyncio::create_task(async move { asyncio::sleep(d).await }))
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        start.elapsed()
    })
}

fn tokio_timers(delays: &[Duration]) -> Duration {
    let delays = delays.to_vec();
    tokio_runtime().block_on(async move {
        let start = Instant::now();
        let tasks: Vec<_> = delays
            .into_iter()
            .map(|d| tokio::spawn(async move { tokio::time::sleep(d).await }))
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        start.elapsed()
    })
}
