//! The harness: interleaved measured runs, the report, the glibc heap pin.

use std::hint::black_box;
use std::time::Duration;

/// Measured runs per side (after one warm-up run).
pub(crate) const RUNS: usize = 5;

/// Keeps freed memory in the heap between runs (see the crate docs).
pub(crate) const HEAP_TUNABLES: &str =
    "glibc.malloc.trim_threshold=17179869184:glibc.malloc.mmap_threshold=33554432";

/// A labelled workload: one call runs it once and returns the time it took.
pub(crate) type Side<'a> = (&'static str, &'a mut dyn FnMut() -> Duration);

/// Runs every side once to warm up, then `RUNS` times interleaved (rotating
/// which side goes first); returns each side's label and samples.
pub(crate) fn measure(sides: &mut [Side<'_>]) -> Vec<(&'static str, Vec<Duration>)> {
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
pub(crate) fn report(
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
pub(crate) fn pin_glibc_heap() {
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

pub(crate) fn ns_per(d: Duration, n: usize) -> f64 {
    d.as_nanos() as f64 / n as f64
}

pub(crate) fn us_per(d: Duration, n: usize) -> f64 {
    d.as_secs_f64() * 1e6 / n as f64
}

pub(crate) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub(crate) fn print_machine() {
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

pub(crate) fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a tokio current-thread runtime")
}
