//! Task workloads: `spawn`, `yield`, `pingpong`, `timers`, `pending`.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use crate::harness::{Sample, resident_growth, smol_run, tokio_runtime};

/// The longest sleep of the `timers` workload.
pub(crate) const MAX_SLEEP: Duration = Duration::from_millis(10);

/// Delays in 0..=10 ms (microsecond steps) from a fixed-seed xorshift64*.
pub(crate) fn random_delays(n: usize) -> Vec<Duration> {
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

// ---------------------------------------------------------------------------
// spawn

pub(crate) fn asyncio_spawn(n: usize) -> Duration {
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

pub(crate) fn tokio_spawn(n: usize) -> Duration {
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

pub(crate) fn tokio_spawn_local(n: usize) -> Duration {
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

pub(crate) fn smol_spawn(n: usize) -> Duration {
    smol_run(async move |ex| {
        let start = Instant::now();
        let tasks: Vec<_> = (0..n).map(|i| ex.spawn(async move { i })).collect();
        let mut sum = 0;
        for task in tasks {
            sum += task.await;
        }
        black_box(sum);
        start.elapsed()
    })
}

// ---------------------------------------------------------------------------
// yield

pub(crate) fn asyncio_yield(n: usize) -> Duration {
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

pub(crate) fn tokio_yield(n: usize) -> Duration {
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

pub(crate) fn smol_yield(n: usize) -> Duration {
    smol_run(async move |ex| {
        let start = Instant::now();
        let task = ex.spawn(async move {
            for _ in 0..n {
                smol::future::yield_now().await;
            }
        });
        task.await;
        start.elapsed()
    })
}

// ---------------------------------------------------------------------------
// ping-pong: each message carries the one-shot for its reply.

/// A message for the `asyncio` ping-pong; `value == STOP` ends the peer.
#[derive(Clone)]
struct Ball {
    value: usize,
    reply: asyncio::Future<Ball>,
}

const STOP: usize = usize::MAX;

pub(crate) fn asyncio_pingpong(n: usize) -> Duration {
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

pub(crate) fn tokio_pingpong(n: usize) -> Duration {
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

/// A message for the smol ping-pong (`futures`' runtime-neutral oneshot).
struct SmolBall {
    value: usize,
    reply: futures::channel::oneshot::Sender<SmolBall>,
}

pub(crate) fn smol_pingpong(n: usize) -> Duration {
    use futures::channel::oneshot;
    smol_run(async move |ex| {
        let start = Instant::now();
        let (first, mut inbox) = oneshot::channel::<SmolBall>();
        let b = ex.spawn(async move {
            while let Ok(ball) = inbox.await {
                let (next, rx) = oneshot::channel();
                let back = SmolBall {
                    value: ball.value + 1,
                    reply: next,
                };
                let _ = ball.reply.send(back);
                inbox = rx;
            }
        });
        let a = ex.spawn(async move {
            let mut to_b = first;
            let mut value = 0;
            for _ in 0..n {
                let (reply, inbox) = oneshot::channel();
                let _ = to_b.send(SmolBall { value, reply });
                let ball = inbox.await.unwrap();
                value = ball.value;
                to_b = ball.reply;
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
// timers

pub(crate) fn asyncio_timers(delays: &[Duration]) -> Duration {
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

pub(crate) fn tokio_timers(delays: &[Duration]) -> Duration {
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

pub(crate) fn smol_timers(delays: &[Duration]) -> Duration {
    let delays = delays.to_vec();
    smol_run(async move |ex| {
        let start = Instant::now();
        let tasks: Vec<_> = delays
            .into_iter()
            .map(|d| {
                ex.spawn(async move {
                    smol::Timer::after(d).await;
                })
            })
            .collect();
        for task in tasks {
            task.await;
        }
        start.elapsed()
    })
}

// ---------------------------------------------------------------------------
// pending: n tasks each waiting on its own one-shot; the resident memory is
// read once every task has reached its wait (counted, since smol polls its
// main future between batches of tasks), then every one-shot is set.

pub(crate) fn asyncio_pending(n: usize) -> Sample {
    asyncio::run(async move {
        let start = Instant::now();
        let waiting = Arc::new(AtomicUsize::new(0));
        let futures: Vec<asyncio::Future<usize>> = (0..n).map(|_| asyncio::Future::new()).collect();
        let tasks: Vec<_> = futures
            .iter()
            .map(|f| {
                let (f, waiting) = (f.clone(), waiting.clone());
                asyncio::create_task(async move {
                    waiting.fetch_add(1, Relaxed);
                    f.await.unwrap()
                })
            })
            .collect();
        while waiting.load(Relaxed) < n {
            asyncio::sleep(0).await;
        }
        let bytes = resident_growth();
        for (i, f) in futures.iter().enumerate() {
            f.set_result(i).unwrap();
        }
        let mut sum = 0;
        for task in tasks {
            sum += task.await.unwrap();
        }
        assert_eq!(black_box(sum), n * (n - 1) / 2);
        Sample::with_bytes(start.elapsed(), bytes)
    })
}

pub(crate) fn tokio_pending(n: usize) -> Sample {
    use tokio::sync::oneshot;
    tokio_runtime().block_on(async move {
        let start = Instant::now();
        let waiting = Arc::new(AtomicUsize::new(0));
        let (senders, tasks): (Vec<_>, Vec<_>) = (0..n)
            .map(|_| {
                let (tx, rx) = oneshot::channel::<usize>();
                let waiting = waiting.clone();
                let task = tokio::spawn(async move {
                    waiting.fetch_add(1, Relaxed);
                    rx.await.unwrap()
                });
                (tx, task)
            })
            .unzip();
        while waiting.load(Relaxed) < n {
            tokio::task::yield_now().await;
        }
        let bytes = resident_growth();
        for (i, tx) in senders.into_iter().enumerate() {
            tx.send(i).unwrap();
        }
        let mut sum = 0;
        for task in tasks {
            sum += task.await.unwrap();
        }
        assert_eq!(black_box(sum), n * (n - 1) / 2);
        Sample::with_bytes(start.elapsed(), bytes)
    })
}

pub(crate) fn smol_pending(n: usize) -> Sample {
    use futures::channel::oneshot;
    smol_run(async move |ex| {
        let start = Instant::now();
        let waiting = Arc::new(AtomicUsize::new(0));
        let (senders, tasks): (Vec<_>, Vec<_>) = (0..n)
            .map(|_| {
                let (tx, rx) = oneshot::channel::<usize>();
                let waiting = waiting.clone();
                let task = ex.spawn(async move {
                    waiting.fetch_add(1, Relaxed);
                    rx.await.unwrap()
                });
                (tx, task)
            })
            .unzip();
        while waiting.load(Relaxed) < n {
            smol::future::yield_now().await;
        }
        let bytes = resident_growth();
        for (i, tx) in senders.into_iter().enumerate() {
            tx.send(i).unwrap();
        }
        let mut sum = 0;
        for task in tasks {
            sum += task.await;
        }
        assert_eq!(black_box(sum), n * (n - 1) / 2);
        Sample::with_bytes(start.elapsed(), bytes)
    })
}
