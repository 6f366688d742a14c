//! The `gather` workload: collecting many futures' outputs in order.

use std::hint::black_box;
use std::time::{Duration, Instant};

use crate::harness::{smol_run, tokio_runtime};

/// `asyncio::gather` of `n` trivial futures (each becomes a task).
pub(crate) fn asyncio_gather(n: usize) -> Duration {
    asyncio::run(async move {
        let start = Instant::now();
        let out = asyncio::gather((0..n).map(|i| async move { i }))
            .await
            .unwrap();
        assert_eq!(out.len(), n);
        black_box(out);
        start.elapsed()
    })
}

/// tokio's analogue of `gather`: spawn `n` tasks, await their handles in
/// order, collecting the outputs into a `Vec`.
pub(crate) fn tokio_gather(n: usize) -> Duration {
    tokio_runtime().block_on(async move {
        let start = Instant::now();
        let tasks: Vec<_> = (0..n).map(|i| tokio::spawn(async move { i })).collect();
        let mut out = Vec::with_capacity(n);
        for task in tasks {
            out.push(task.await.unwrap());
        }
        assert_eq!(out.len(), n);
        black_box(out);
        start.elapsed()
    })
}

/// As [`tokio_gather`], with `spawn_local` on a `LocalSet`.
pub(crate) fn tokio_gather_local(n: usize) -> Duration {
    let local = tokio::task::LocalSet::new();
    local.block_on(&tokio_runtime(), async move {
        let start = Instant::now();
        let tasks: Vec<_> = (0..n)
            .map(|i| tokio::task::spawn_local(async move { i }))
            .collect();
        let mut out = Vec::with_capacity(n);
        for task in tasks {
            out.push(task.await.unwrap());
        }
        assert_eq!(out.len(), n);
        black_box(out);
        start.elapsed()
    })
}

/// smol's analogue: spawn `n` tasks on the `LocalExecutor`, await them in
/// order.
pub(crate) fn smol_gather(n: usize) -> Duration {
    smol_run(async move |ex| {
        let start = Instant::now();
        let tasks: Vec<_> = (0..n).map(|i| ex.spawn(async move { i })).collect();
        let mut out = Vec::with_capacity(n);
        for task in tasks {
            out.push(task.await);
        }
        assert_eq!(out.len(), n);
        black_box(out);
        start.elapsed()
    })
}
