//! The `to_thread` workload: round trips to the blocking thread pool.

use std::hint::black_box;
use std::time::{Duration, Instant};

use crate::harness::{smol_run, tokio_runtime};

/// `n` sequential `asyncio::to_thread` round trips of a trivial function.
pub(crate) fn asyncio_to_thread(n: usize) -> Duration {
    asyncio::run(async move {
        let start = Instant::now();
        let mut sum = 0;
        for i in 0..n {
            sum += asyncio::to_thread(move || black_box(i)).await.unwrap();
        }
        assert_eq!(black_box(sum), n * (n - 1) / 2);
        start.elapsed()
    })
}

/// `n` sequential `tokio::task::spawn_blocking` round trips of a trivial
/// function.
pub(crate) fn tokio_to_thread(n: usize) -> Duration {
    tokio_runtime().block_on(async move {
        let start = Instant::now();
        let mut sum = 0;
        for i in 0..n {
            sum += tokio::task::spawn_blocking(move || black_box(i))
                .await
                .unwrap();
        }
        assert_eq!(black_box(sum), n * (n - 1) / 2);
        start.elapsed()
    })
}

/// `n` sequential `smol::unblock` round trips of a trivial function.
pub(crate) fn smol_to_thread(n: usize) -> Duration {
    smol_run(async move |_| {
        let start = Instant::now();
        let mut sum = 0;
        for i in 0..n {
            sum += smol::unblock(move || black_box(i)).await;
        }
        assert_eq!(black_box(sum), n * (n - 1) / 2);
        start.elapsed()
    })
}
