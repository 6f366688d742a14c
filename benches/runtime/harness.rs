//! The harness: one measurement per fresh process, interleaved rounds, the
//! per-workload report.

use std::process::Command;
use std::time::Duration;

/// Rounds per workload and size; each round runs every side once, in a
/// rotating order, each in its own process.
pub(crate) const RUNS: usize = 7;

/// What one child process measured.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sample {
    /// Wall time of the workload, from inside the loop's main future.
    pub(crate) time: Duration,
    /// Memory the workload added: peak resident set over the resident set
    /// at the child's start, unless the workload measured its own moment.
    pub(crate) bytes: u64,
}

impl Sample {
    /// A timed run whose memory figure is the process's peak.
    pub(crate) fn timed(time: Duration) -> Self {
        let bytes = memory_kb("VmHWM:").saturating_sub(start_rss_kb()) * 1024;
        Sample { time, bytes }
    }

    /// A run that measured its memory at a chosen moment (see [`resident_growth`]).
    pub(crate) fn with_bytes(time: Duration, bytes: u64) -> Self {
        Sample { time, bytes }
    }
}

/// Bytes the resident set has grown since the child started.
pub(crate) fn resident_growth() -> u64 {
    memory_kb("VmRSS:").saturating_sub(start_rss_kb()) * 1024
}

static START_RSS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();

/// The resident set when the child started (the first call records it).
pub(crate) fn start_rss_kb() -> u64 {
    *START_RSS.get_or_init(|| memory_kb("VmRSS:"))
}

/// A `/proc/self/status` field in kB (0 where there is none).
fn memory_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse().ok())
        })
        .unwrap_or(0)
}

/// Runs `--one workload side n` in a fresh copy of this executable.
fn run_child(workload: &str, side: &str, n: usize) -> Sample {
    let exe = std::env::current_exe().expect("the benchmark's own path");
    let out = Command::new(exe)
        .args(["--one", workload, side, &n.to_string()])
        .output()
        .expect("spawning a measurement process");
    assert!(
        out.status.success(),
        "{workload} {side} {n} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut fields = text.split_whitespace().map(|f| f.parse::<u64>().unwrap());
    let (Some(nanos), Some(bytes)) = (fields.next(), fields.next()) else {
        panic!("{workload} {side} {n}: unexpected output {text:?}");
    };
    Sample {
        time: Duration::from_nanos(nanos),
        bytes,
    }
}

/// The child's answer: nanoseconds and bytes on one line.
pub(crate) fn print_sample(sample: Sample) {
    println!("{} {}", sample.time.as_nanos(), sample.bytes);
}

/// Every side's samples of one workload at one size.
#[derive(Debug)]
pub(crate) struct Measured {
    pub(crate) workload: &'static str,
    pub(crate) n: usize,
    pub(crate) sides: Vec<(&'static str, Vec<Sample>)>,
}

impl Measured {
    /// The median, min and max of `metric` over one side's samples.
    pub(crate) fn stats(&self, side: &str, metric: impl Fn(&Sample) -> f64) -> Option<Stats> {
        let (_, samples) = self.sides.iter().find(|(s, _)| *s == side)?;
        let mut values: Vec<f64> = samples.iter().map(metric).collect();
        values.sort_by(f64::total_cmp);
        Some(Stats {
            median: values[values.len() / 2],
            min: values[0],
            max: values[values.len() - 1],
        })
    }
}

/// Median and spread of one side's figures.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Stats {
    pub(crate) median: f64,
    pub(crate) min: f64,
    pub(crate) max: f64,
}

/// Runs `sides` of `workload` at size `n`, `runs` rounds, rotating which
/// side goes first so a noisy neighbour hurts all alike.
pub(crate) fn measure(
    workload: &'static str,
    sides: &[&'static str],
    n: usize,
    runs: usize,
) -> Measured {
    let mut samples = vec![Vec::with_capacity(runs); sides.len()];
    for round in 0..runs {
        for offset in 0..sides.len() {
            let i = (round + offset) % sides.len();
            samples[i].push(run_child(workload, sides[i], n));
        }
    }
    Measured {
        workload,
        n,
        sides: sides.iter().copied().zip(samples).collect(),
    }
}

/// Prints each side's median [min–max] of `metric` and the ratio of
/// `asyncio`'s median to every other side's.
pub(crate) fn report(title: &str, unit: &str, m: &Measured, metric: impl Fn(&Sample) -> f64) {
    println!("{title} [{unit}]");
    println!("  {:<16} {:>12} {:>12} {:>12}", "", "median", "min", "max");
    for (side, _) in &m.sides {
        let s = m.stats(side, &metric).expect("a measured side");
        println!(
            "  {side:<16} {:>12.1} {:>12.1} {:>12.1}",
            s.median, s.min, s.max
        );
    }
    let ours = m.stats("asyncio", &metric).map(|s| s.median);
    for (side, _) in m.sides.iter().filter(|(s, _)| *s != "asyncio") {
        if let (Some(ours), Some(theirs)) = (ours, m.stats(side, &metric)) {
            println!("  ratio asyncio / {side}: {:.2}", ours / theirs.median);
        }
    }
    println!();
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

/// Runs `main` on a smol `LocalExecutor` driven by `smol::block_on` (which
/// also drives smol's reactor and timers).
pub(crate) fn smol_run<T>(main: impl AsyncFnOnce(&smol::LocalExecutor<'_>) -> T) -> T {
    let ex = smol::LocalExecutor::new();
    smol::block_on(ex.run(main(&ex)))
}
