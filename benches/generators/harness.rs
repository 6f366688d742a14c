//! The harness: a minimal executor, a stopwatch, interleaved measured runs,
//! the report.

use std::hint::black_box;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// Measured runs per side (after one warm-up run).
pub(crate) const RUNS: usize = 11;

/// How the sides of a workload run: `runs` times each, after a warm-up
/// run or not, and which of them (all if `only` is empty). `--once` and
/// `--side=LABEL` make a run a profiler can count: one side, one pass.
pub(crate) struct Plan {
    pub(crate) runs: usize,
    pub(crate) warm_up: bool,
    pub(crate) only: Vec<String>,
}

/// A labelled workload: one call runs it once and returns the time it took.
pub(crate) type Side<'a> = (&'static str, &'a mut dyn FnMut() -> Duration);

/// Whether [`Stopwatch`] reads the wall clock instead of the thread's CPU
/// time (`--wall`).
static WALL: AtomicBool = AtomicBool::new(false);

/// Makes every [`Stopwatch`] read the wall clock.
pub(crate) fn use_wall_clock() {
    WALL.store(true, Ordering::Relaxed);
}

/// Which clock the stopwatches read, for the report's header.
pub(crate) fn clock_name() -> &'static str {
    if WALL.load(Ordering::Relaxed) || thread_cpu_time().is_none() {
        "wall clock"
    } else {
        "on-CPU time of the benchmark thread (CLOCK_THREAD_CPUTIME_ID: time \
         preempted by other processes is not counted; --wall for wall clock)"
    }
}

/// Times one run: the benchmark thread's CPU time where the platform has
/// it (on a shared machine, the time another process held the core would
/// otherwise land on whichever side was running), else the wall clock.
pub(crate) enum Stopwatch {
    Cpu(Duration),
    Wall(Instant),
}

impl Stopwatch {
    pub(crate) fn start() -> Self {
        match thread_cpu_time() {
            Some(now) if !WALL.load(Ordering::Relaxed) => Stopwatch::Cpu(now),
            _ => Stopwatch::Wall(Instant::now()),
        }
    }

    pub(crate) fn elapsed(&self) -> Duration {
        match self {
            Stopwatch::Cpu(start) => {
                thread_cpu_time().expect("the clock worked at the start") - *start
            }
            Stopwatch::Wall(start) => start.elapsed(),
        }
    }
}

/// The calling thread's CPU time, in nanoseconds of resolution.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
#[allow(unsafe_code)] // the one libc call std does not wrap
fn thread_cpu_time() -> Option<Duration> {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    unsafe extern "C" {
        // From the C library std already links.
        fn clock_gettime(clock: i32, time: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut time = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `time` is a valid, writable `struct timespec`, which is two
    // 64-bit fields on 64-bit Linux (the `cfg` above).
    let status = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut time) };
    (status == 0).then(|| Duration::new(time.tv_sec as u64, time.tv_nsec as u32))
}

#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
fn thread_cpu_time() -> Option<Duration> {
    None
}

/// What runs a workload: `block_on` with a no-op waker (no runtime
/// measured; a context manager's body suspends with `Suspend`), or this
/// crate's event loop (a real waker and context; the body `sleep(0)`s).
#[derive(Clone, Copy)]
pub(crate) enum Driver {
    Bare,
    Loop,
}

/// Polls `future` to completion with a no-op waker: no runtime, so only
/// the stream itself is measured. (The generators here never return
/// `Pending` to the consumer; the loop is there for correctness.)
#[inline(always)]
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

/// Runs the sides `plan` selects once each to warm up (unless it says
/// not to), then `plan.runs` times interleaved (rotating which side goes
/// first); returns each side's label and samples.
pub(crate) fn measure(plan: &Plan, sides: &mut [Side<'_>]) -> Vec<(&'static str, Vec<Duration>)> {
    let mut sides: Vec<&mut Side<'_>> = sides
        .iter_mut()
        .filter(|(label, _)| plan.only.is_empty() || plan.only.iter().any(|o| o == label))
        .collect();
    if plan.warm_up {
        for (_, run) in sides.iter_mut() {
            black_box(run());
        }
    }
    let mut samples = vec![Vec::with_capacity(plan.runs); sides.len()];
    for round in 0..plan.runs {
        for offset in 0..sides.len() {
            let i = (round + offset) % sides.len();
            samples[i].push((sides[i].1)());
        }
    }
    sides.iter().map(|(label, _)| *label).zip(samples).collect()
}

/// Prints median/min/max per side in `unit` (via `value`), and each side's
/// median divided by the median of every side named in `references`
/// (so `1.20` means 20% slower than that side, `0.50` twice as fast; `-`
/// if that side did not run).
pub(crate) fn report(
    title: &str,
    unit: &str,
    samples: &[(&str, Vec<Duration>)],
    references: &[&str],
    value: impl Fn(Duration) -> f64,
) {
    let medians: Vec<f64> = samples
        .iter()
        .map(|(_, runs)| {
            let mut values: Vec<f64> = runs.iter().map(|&d| value(d)).collect();
            values.sort_by(f64::total_cmp);
            values[values.len() / 2]
        })
        .collect();
    // A reference left out by `--side` has no median: its ratios are `-`.
    let median_of = |label: &str| {
        samples
            .iter()
            .position(|(l, _)| *l == label)
            .map(|i| medians[i])
    };
    println!("{title} [{unit}]");
    print!("  {:<22} {:>8} {:>8} {:>8}", "", "median", "min", "max");
    for reference in references {
        print!("  {:>16}", format!("/ {reference}"));
    }
    println!();
    for ((label, runs), median) in samples.iter().zip(&medians) {
        let mut values: Vec<f64> = runs.iter().map(|&d| value(d)).collect();
        values.sort_by(f64::total_cmp);
        let (min, max) = (values[0], values[values.len() - 1]);
        print!("  {label:<22} {median:>8.2} {min:>8.2} {max:>8.2}");
        for reference in references {
            match median_of(reference) {
                Some(base) => print!("  {:>16.2}", median / base),
                None => print!("  {:>16}", "-"),
            }
        }
        println!();
    }
    println!();
}

pub(crate) fn ns_per(d: Duration, n: u64) -> f64 {
    d.as_nanos() as f64 / n as f64
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
