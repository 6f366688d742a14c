//! Synchronisation-primitive workloads: `queue` and `semaphore`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::harness::{smol_run, tokio_runtime};

/// Tasks contending for the semaphore in the `semaphore` workload.
pub(crate) const SEMAPHORE_TASKS: usize = 1_000;

/// Permits of the semaphore in the `semaphore` workload.
pub(crate) const SEMAPHORE_PERMITS: usize = 10;

// ---------------------------------------------------------------------------
// queue: A puts to q1, B gets from q1 and puts to q2, A gets from q2.

pub(crate) fn asyncio_queue(n: usize) -> Duration {
    asyncio::run(async move {
        let start = Instant::now();
        let (q1, q2) = (asyncio::Queue::new(1), asyncio::Queue::new(1));
        let b = {
            let (q1, q2) = (q1.clone(), q2.clone());
            asyncio::create_task(async move {
                for _ in 0..n {
                    let value: usize = q1.get().await;
                    q2.put(value + 1).await;
                }
            })
        };
        let a = asyncio::create_task(async move {
            let mut value = 0;
            for _ in 0..n {
                q1.put(value).await;
                value = q2.get().await;
            }
            value
        });
        let value = a.await.unwrap();
        b.await.unwrap();
        assert_eq!(black_box(value), n);
        start.elapsed()
    })
}

pub(crate) fn tokio_queue(n: usize) -> Duration {
    use tokio::sync::mpsc;
    tokio_runtime().block_on(async move {
        let start = Instant::now();
        let (to_b, mut from_a) = mpsc::channel::<usize>(1);
        let (to_a, mut from_b) = mpsc::channel::<usize>(1);
        let b = tokio::spawn(async move {
            for _ in 0..n {
                let value = from_a.recv().await.unwrap();
                to_a.send(value + 1).await.unwrap();
            }
        });
        let a = tokio::spawn(async move {
            let mut value = 0;
            for _ in 0..n {
                to_b.send(value).await.unwrap();
                value = from_b.recv().await.unwrap();
            }
            value
        });
        let value = a.await.unwrap();
        b.await.unwrap();
        assert_eq!(black_box(value), n);
        start.elapsed()
    })
}

pub(crate) fn smol_queue(n: usize) -> Duration {
    smol_run(async move |ex| {
        let start = Instant::now();
        let (to_b, from_a) = smol::channel::bounded::<usize>(1);
        let (to_a, from_b) = smol::channel::bounded::<usize>(1);
        let b = ex.spawn(async move {
            for _ in 0..n {
                let value = from_a.recv().await.unwrap();
                to_a.send(value + 1).await.unwrap();
            }
        });
        let a = ex.spawn(async move {
            let mut value = 0;
            for _ in 0..n {
                to_b.send(value).await.unwrap();
                value = from_b.recv().await.unwrap();
            }
            value
        });
        let value = a.await;
        b.await;
        assert_eq!(black_box(value), n);
        start.elapsed()
    })
}

// ---------------------------------------------------------------------------
// semaphore: every task holds its permit across one yield, so the others
// queue up and every acquire after the first round waits to be handed a
// permit.

pub(crate) fn asyncio_semaphore(rounds: usize) -> Duration {
    asyncio::run(async move {
        let start = Instant::now();
        let sem = asyncio::Semaphore::new(SEMAPHORE_PERMITS);
        let tasks: Vec<_> = (0..SEMAPHORE_TASKS)
            .map(|_| {
                let sem = sem.clone();
                asyncio::create_task(async move {
                    for _ in 0..rounds {
                        let _permit = sem.acquire().await;
                        asyncio::sleep(0).await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(black_box(sem.value()), SEMAPHORE_PERMITS);
        start.elapsed()
    })
}

pub(crate) fn tokio_semaphore(rounds: usize) -> Duration {
    tokio_runtime().block_on(async move {
        let start = Instant::now();
        let sem = Arc::new(tokio::sync::Semaphore::new(SEMAPHORE_PERMITS));
        let tasks: Vec<_> = (0..SEMAPHORE_TASKS)
            .map(|_| {
                let sem = sem.clone();
                tokio::spawn(async move {
                    for _ in 0..rounds {
                        let _permit = sem.acquire().await.unwrap();
                        tokio::task::yield_now().await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(black_box(sem.available_permits()), SEMAPHORE_PERMITS);
        start.elapsed()
    })
}

pub(crate) fn smol_semaphore(rounds: usize) -> Duration {
    smol_run(async move |ex| {
        let start = Instant::now();
        let sem = Arc::new(smol::lock::Semaphore::new(SEMAPHORE_PERMITS));
        let tasks: Vec<_> = (0..SEMAPHORE_TASKS)
            .map(|_| {
                let sem = sem.clone();
                ex.spawn(async move {
                    for _ in 0..rounds {
                        let _permit = sem.acquire().await;
                        smol::future::yield_now().await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await;
        }
        black_box(&sem);
        start.elapsed()
    })
}
