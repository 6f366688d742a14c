//! Side-by-side async generator benchmarks, in one process: our
//! `AsyncGen` (the `async_gen!` macro and `from_fn`) against a
//! hand-written `Stream` and `async-stream`'s `stream!`.
//!
//! # Workloads
//! - `items`: sum 10,000,000 `u64`s, each yielded through
//!   `std::hint::black_box`, produced by
//!   - `hand-written`: a `Stream` struct counting up (the anchor);
//!   - `async_gen!`: `async_gen! { for i in 0..n { yield black_box(i); } }`;
//!   - `async_gen! .next()`: the same, consumed with `AsyncGen::next`
//!     (inherent, no `pin!`) instead of `StreamExt::next`;
//!   - `async_gen! fn .next()`: the fn form (`async_gen! { async fn
//!     macro_fn_gen(n: u64) -> AsyncGen<u64> { .. } }`), consumed with `.next()`;
//!   - `from_fn`: `from_fn(async move |co: &Co<u64>| .. co.yield_(..).await ..)`;
//!   - `from_fn .next()`: the same, consumed with `AsyncGen::next`;
//!   - `async-stream`: `async_stream::stream! { .. yield black_box(i); .. }`;
//!   - `floor: async block`: not a generator but a yardstick: one heap
//!     block holding a cell and an `async` block that writes each item into
//!     it through a pointer it keeps and returns `Pending` once per item,
//!     polled by an inlined loop. No yield protocol at all: the floor for
//!     any generator built on an `async` block without thread-locals.
//!
//!   The consumer is `while let Some(x) = s.next().await { sum += x }` with
//!   `futures::StreamExt::next` on the pinned stream (ns per item).
//! - `items-loop`: the same drains as the main task of this crate's event
//!   loop (`asyncio::run`: a real waker and the loop's context), as a
//!   program would run them.
//! - `contexts`, `contexts-loop`: 1,000,000 enter/exit pairs of a trivial
//!   async context manager around a body that suspends once: the generator
//!   form (`async_context!`), the trait form (`impl AsyncContextManager`),
//!   both through `async_with!`, against the same counting written inline
//!   (no exit on cancellation) and by hand with the manager's guarantee (a
//!   `catch_cancelled` around the body), in ns per pair; under the no-op
//!   waker, and on this crate's event loop with `sleep(0)` as the
//!   suspension.
//! - `create`: create and drain 1,000,000 one-item generators (ns per
//!   generator): ours allocates one heap block per generator; async-stream
//!   is measured pinned on the stack (no allocation) and in a `Box::pin`
//!   (one allocation, as ours).
//!
//! # Method
//! A plain harness (no criterion). Streams are driven by a minimal
//! `block_on` with a no-op waker, so no runtime is measured (but in
//! `items-loop` and `contexts-loop`). Each side is
//! warmed up once, then the sides run `RUNS` times interleaved (the side
//! that goes first rotates each run, so a noisy neighbour hurts all alike);
//! the report gives median, min and max per side and each side's median
//! over the anchor's and over async-stream's (below 1 means faster). Every
//! sum is checked, and passed through `black_box`.
//!
//! Runs are timed by the benchmark thread's CPU time (Linux's
//! `CLOCK_THREAD_CPUTIME_ID`) where available: on a shared machine the
//! time another process held the core would otherwise land on whichever
//! side happened to be running. `--wall` times them by the wall clock.
//!
//! # Codegen units
//! `futures`' `StreamExt::next` reaches `poll_next` through
//! `poll_next_unpin`, a generic function without `#[inline]`. With the
//! default 16 codegen units rustc may place its instance in another unit
//! than the consumer, where LLVM cannot inline it, and then every item
//! pays a call (here: for `async_gen!`, `from_fn` and async-stream, not for
//! the hand-written stream). `AsyncGen::next` is `#[inline]` and is
//! inlined either way. With one codegen unit (or LTO) the call goes:
//! `CARGO_PROFILE_BENCH_CODEGEN_UNITS=1 cargo bench --bench generators`.
//!
//! # Running
//! ```text
//! cargo bench --bench generators                # everything
//! cargo bench --bench generators -- items-loop  # one workload, by its name
//! cargo bench --bench generators -- loop        # workloads whose name contains a filter
//! cargo bench --bench generators -- --quick     # sizes 10x smaller (a smoke test)
//! cargo bench --bench generators -- --wall      # wall-clock time instead of CPU time
//! ```
//!
//! # Under miri
//! `--size=N` sets every workload's count (items, pairs, generators):
//! small enough for miri, which checks the floor's `unsafe` and the
//! generators along with it (isolation makes `/proc/cpuinfo` unreadable,
//! reported as an unknown machine; the context workloads leak their
//! few-byte counters on purpose):
//! ```text
//! MIRIFLAGS="-Zmiri-isolation-error=warn-nobacktrace -Zmiri-ignore-leaks" \
//!     cargo +nightly miri test --bench generators -- --wall --once --size=100
//! ```
//!
//! # Instructions per item
//! `--side=LABEL` runs only the side of that label (repeatable) and
//! `--once` runs it once, with no warm-up: what a profiler should count.
//! The difference between a full and a `--quick` run is 9,000,000 items
//! with the same setup, so under callgrind:
//! ```text
//! B=$(ls target/release/deps/generators-* | grep -v '\.d$')
//! for size in "" --quick; do
//!   valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     "$B" items --once "--side=async_gen! .next()" $size 2>&1 | grep Collected
//! done   # (first - second) / 9e6 = instructions per item
//! ```

mod contexts;
mod harness;
mod streams;

use harness::{Plan, RUNS, measure, ns_per, report};

fn main() {
    let mut quick = false;
    let mut size = None;
    let mut filters = Vec::new();
    let mut plan = Plan {
        runs: RUNS,
        warm_up: true,
        only: Vec::new(),
    };
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--quick" => quick = true,
            "--wall" => harness::use_wall_clock(),
            "--once" => {
                plan.runs = 1;
                plan.warm_up = false;
            }
            side if side.starts_with("--side=") => {
                plan.only.push(side["--side=".len()..].to_owned())
            }
            count if count.starts_with("--size=") => {
                let count = count["--size=".len()..].parse::<u64>().ok();
                let count = count.filter(|&n| n >= 2);
                size = Some(count.expect("--size=N takes a count of at least 2"));
            }
            // `cargo bench` passes `--bench`; ignore it and other flags.
            flag if flag.starts_with("--") => {}
            filter => filters.push(filter.to_owned()),
        }
    }
    let scale = if quick { 10 } else { 1 };
    // A filter that is a workload's whole name selects just that one
    // (`items`, not `items-loop` too); any other selects every workload
    // whose name contains it.
    const WORKLOADS: [&str; 5] = ["items", "items-loop", "contexts", "contexts-loop", "create"];
    let selected = |name: &str| {
        filters.is_empty()
            || filters.iter().any(|f| {
                f == name || (!WORKLOADS.contains(&f.as_str()) && name.contains(f.as_str()))
            })
    };

    harness::print_machine();
    println!("time: {}", harness::clock_name());
    println!(
        "runs per side: {} ({}){}",
        plan.runs,
        if plan.warm_up {
            "after 1 warm-up"
        } else {
            "no warm-up"
        },
        if quick { ", --quick: sizes / 10" } else { "" }
    );
    println!();

    for (name, driver, how) in [
        ("items", harness::Driver::Bare, "no-op waker"),
        ("items-loop", harness::Driver::Loop, "on the event loop"),
    ] {
        if !selected(name) {
            continue;
        }
        let n = size.unwrap_or(10_000_000 / scale);
        let samples = measure(
            &plan,
            &mut [
                ("hand-written", &mut || {
                    streams::items_hand_written(driver, n)
                }),
                ("async_gen!", &mut || streams::items_macro(driver, n)),
                ("async_gen! .next()", &mut || {
                    streams::items_macro_inherent(driver, n)
                }),
                ("async_gen! fn .next()", &mut || {
                    streams::items_macro_fn_inherent(driver, n)
                }),
                ("from_fn", &mut || streams::items_from_fn(driver, n)),
                ("from_fn .next()", &mut || {
                    streams::items_from_fn_inherent(driver, n)
                }),
                ("async-stream", &mut || {
                    streams::items_async_stream(driver, n)
                }),
                ("floor: async block", &mut || {
                    streams::items_floor(driver, n)
                }),
            ],
        );
        report(
            &format!("{name}: sum {n} u64s yielded through black_box ({how})"),
            "ns/item",
            &samples,
            &["hand-written", "async-stream"],
            |d| ns_per(d, n),
        );
    }
    for (name, driver, how) in [
        (
            "contexts",
            harness::Driver::Bare,
            "no-op waker, a body pending once",
        ),
        (
            "contexts-loop",
            harness::Driver::Loop,
            "on the event loop, a body that sleeps(0)",
        ),
    ] {
        if !selected(name) {
            continue;
        }
        let n = size.unwrap_or(1_000_000 / scale);
        let samples = measure(
            &plan,
            &mut [
                ("inline", &mut || contexts::inline(driver, n)),
                ("by hand", &mut || contexts::by_hand(driver, n)),
                ("trait form", &mut || contexts::trait_form(driver, n)),
                ("generator form", &mut || {
                    contexts::generator_form(driver, n)
                }),
            ],
        );
        report(
            &format!("{name}: {n} enter/exit pairs ({how})"),
            "ns/pair",
            &samples,
            &["inline", "by hand"],
            |d| ns_per(d, n),
        );
    }
    if selected("create") {
        let n = size.unwrap_or(1_000_000 / scale);
        let samples = measure(
            &plan,
            &mut [
                ("hand-written", &mut || streams::create_hand_written(n)),
                ("async_gen!", &mut || streams::create_macro(n)),
                ("from_fn", &mut || streams::create_from_fn(n)),
                ("async-stream", &mut || streams::create_async_stream(n)),
                ("async-stream Box::pin", &mut || {
                    streams::create_async_stream_boxed(n)
                }),
            ],
        );
        report(
            &format!("create: create + drain {n} one-item generators"),
            "ns/generator",
            &samples,
            &["hand-written", "async-stream"],
            |d| ns_per(d, n),
        );
    }
}
