//! The workloads: the same stream of `u64`s produced each way, and a
//! consumer that sums it.

// The floor's block points into itself, as a generator's does.
#![allow(unsafe_code)]

use std::cell::Cell;
use std::hint::black_box;
use std::pin::{Pin, pin};
use std::ptr::NonNull;
use std::task::{Context, Poll};
use std::time::Duration;

use asyncio::generator::{Co, from_fn};
use asyncio::{AsyncGen, Stream, async_gen};
use futures::StreamExt;

use crate::harness::{Driver, Stopwatch, block_on};

/// The anchor: `0..n` as a hand-written `Stream`.
pub(crate) struct Counter {
    next: u64,
    end: u64,
}

impl Stream for Counter {
    type Item = u64;

    #[inline]
    fn poll_next(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<u64>> {
        if self.next < self.end {
            let i = self.next;
            self.next += 1;
            Poll::Ready(Some(black_box(i)))
        } else {
            Poll::Ready(None)
        }
    }
}

/// The coroutine floor: not a generator but a yardstick. One heap block
/// holds a `u64` cell and an `async` block that writes each item into
/// it through a pointer it keeps, returning `Pending` once per item; the
/// consumer polls the block and reads the cell. That is the shape of any
/// generator on stable Rust with no thread-local (the body must reach the
/// place its items go, and that place must outlive its moves), with no
/// yield protocol at all: what resuming such an `async` block costs by
/// itself. (A body that awaited anything else would lose items.)
///
/// The stored pointer is what matters. A boxed `async` block whose address
/// is stored nowhere (its items going to a cell outside) lets LLVM keep the
/// whole loop in registers, below the hand-written stream's cost; once the
/// block holds a pointer into itself, as a generator's block holds its
/// slot's, every item goes through memory.
pub(crate) struct Floor<F> {
    block: NonNull<FloorBlock<F>>,
}

struct FloorBlock<F> {
    cell: Cell<u64>,
    body: F,
}

impl<F: Future<Output = ()>> Floor<F> {
    fn new(make: impl FnOnce(NonNull<Cell<u64>>) -> F) -> Self {
        let block =
            NonNull::from(Box::leak(Box::<FloorBlock<F>>::new_uninit())).cast::<FloorBlock<F>>();
        let at = block.as_ptr();
        // SAFETY: a fresh allocation for a `FloorBlock`; each field is
        // written once, in place, the body last, so the pointer it keeps is
        // the cell's final address.
        let cell = unsafe { &raw mut (*at).cell };
        // SAFETY: as above.
        unsafe { cell.write(Cell::new(0)) };
        let body = make(NonNull::new(cell).expect("a field of a live allocation"));
        // SAFETY: as above (a place projection, no read).
        let place = unsafe { &raw mut (*at).body };
        // SAFETY: as above.
        unsafe { place.write(body) };
        Floor { block }
    }

    /// One step: the next item, `None` once the body returned (it is not
    /// polled again after that: the consumers stop at `None`).
    #[inline(always)]
    fn step(&mut self, cx: &mut Context<'_>) -> Option<u64> {
        let at = self.block.as_ptr();
        // SAFETY: the block lives until `drop`, and is never moved (so the
        // body is pinned); `&mut self` makes this the only access.
        let body = unsafe { &mut (*at).body };
        // SAFETY: as above: the body never moves until it is dropped.
        let body = unsafe { Pin::new_unchecked(body) };
        match body.poll(cx) {
            Poll::Ready(()) => None,
            // SAFETY: as above.
            Poll::Pending => Some(unsafe { (*at).cell.get() }),
        }
    }
}

impl<F> Drop for Floor<F> {
    fn drop(&mut self) {
        // SAFETY: the block came from `Box::leak` in `new`, fully written.
        drop(unsafe { Box::from_raw(self.block.as_ptr()) });
    }
}

/// Returns `Pending` on its first poll and `Ready` on the second.
struct PendingOnce(bool);

impl Future for PendingOnce {
    type Output = ();

    #[inline]
    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if std::mem::replace(&mut self.0, true) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

fn floor(n: u64) -> Floor<impl Future<Output = ()>> {
    Floor::new(move |cell| async move {
        for i in 0..n {
            // SAFETY: the cell lives in the block as long as the body.
            unsafe { cell.as_ref() }.set(black_box(i));
            PendingOnce(false).await;
        }
    })
}

/// The floor's consumer: its step inlined into the loop, as `AsyncGen::next`
/// is.
#[inline(always)]
async fn sum_floor<F: Future<Output = ()>>(mut floor: Floor<F>) -> u64 {
    let mut total = 0u64;
    while let Some(x) = std::future::poll_fn(|cx| Poll::Ready(floor.step(cx))).await {
        total = total.wrapping_add(x);
    }
    total
}

fn macro_gen(n: u64) -> AsyncGen<u64, (), (), impl Future<Output = ()>> {
    async_gen! {
        for i in 0..n {
            yield black_box(i);
        }
    }
}

async_gen! {
    /// The fn form of `macro_gen`.
    async fn macro_fn_gen(n: u64) -> AsyncGen<u64> {
        for i in 0..n {
            yield black_box(i);
        }
    }
}

fn from_fn_gen(n: u64) -> AsyncGen<u64, (), (), impl Future<Output = ()>> {
    from_fn(async move |co: &Co<u64>| {
        for i in 0..n {
            co.yield_(black_box(i)).await;
        }
    })
}

fn async_stream_gen(n: u64) -> impl Stream<Item = u64> {
    async_stream::stream! {
        for i in 0..n {
            yield black_box(i);
        }
    }
}

/// The consumer: `while let Some(x) = s.next().await`, with `futures`'
/// `StreamExt::next` on the pinned stream.
#[inline(always)]
async fn sum<S: Stream<Item = u64>>(stream: S) -> u64 {
    let mut stream = pin!(stream);
    let mut total = 0u64;
    while let Some(x) = stream.next().await {
        total = total.wrapping_add(x);
    }
    total
}

/// The same consumer with the generator's own `next` (no `pin!`).
#[inline(always)]
async fn sum_inherent<F: Future<Output = ()>>(mut agen: AsyncGen<u64, (), (), F>) -> u64 {
    let mut total = 0u64;
    while let Some(x) = agen.next().await {
        total = total.wrapping_add(x);
    }
    total
}

/// Times one drain of an `n`-item stream (its creation included: one
/// allocation at most, noise next to `n` items).
fn time_items(n: u64, run: impl FnOnce() -> u64) -> Duration {
    let clock = Stopwatch::start();
    let total = black_box(run());
    let elapsed = clock.elapsed();
    assert_eq!(total, n * (n - 1) / 2, "wrong sum");
    elapsed
}

fn drive(driver: Driver, future: impl Future<Output = u64> + 'static) -> u64 {
    match driver {
        Driver::Bare => block_on(future),
        Driver::Loop => asyncio::run(future),
    }
}

pub(crate) fn items_hand_written(driver: Driver, n: u64) -> Duration {
    time_items(n, || drive(driver, sum(Counter { next: 0, end: n })))
}

pub(crate) fn items_macro(driver: Driver, n: u64) -> Duration {
    time_items(n, || drive(driver, sum(macro_gen(n))))
}

pub(crate) fn items_macro_inherent(driver: Driver, n: u64) -> Duration {
    time_items(n, || drive(driver, sum_inherent(macro_gen(n))))
}

pub(crate) fn items_macro_fn_inherent(driver: Driver, n: u64) -> Duration {
    time_items(n, || drive(driver, sum_inherent(macro_fn_gen(n))))
}

pub(crate) fn items_from_fn(driver: Driver, n: u64) -> Duration {
    time_items(n, || drive(driver, sum(from_fn_gen(n))))
}

pub(crate) fn items_from_fn_inherent(driver: Driver, n: u64) -> Duration {
    time_items(n, || drive(driver, sum_inherent(from_fn_gen(n))))
}

pub(crate) fn items_async_stream(driver: Driver, n: u64) -> Duration {
    time_items(n, || drive(driver, sum(async_stream_gen(n))))
}

pub(crate) fn items_floor(driver: Driver, n: u64) -> Duration {
    time_items(n, || drive(driver, sum_floor(floor(n))))
}

/// Times creating and draining `n` one-item streams made by `make`.
fn time_create<S: Stream<Item = u64>>(n: u64, make: impl Fn() -> S) -> Duration {
    let clock = Stopwatch::start();
    let total = block_on(async {
        let mut total = 0u64;
        for _ in 0..n {
            total = total.wrapping_add(sum(make()).await);
        }
        total
    });
    let elapsed = clock.elapsed();
    assert_eq!(black_box(total), n, "wrong sum");
    elapsed
}

pub(crate) fn create_hand_written(n: u64) -> Duration {
    time_create(n, || Counter { next: 1, end: 2 })
}

pub(crate) fn create_macro(n: u64) -> Duration {
    time_create(n, || {
        async_gen! {
            yield black_box(1u64);
        }
    })
}

pub(crate) fn create_from_fn(n: u64) -> Duration {
    time_create(n, || {
        from_fn(async |co: &Co<u64>| {
            co.yield_(black_box(1u64)).await;
        })
    })
}

pub(crate) fn create_async_stream(n: u64) -> Duration {
    time_create(n, || {
        async_stream::stream! {
            yield black_box(1u64);
        }
    })
}

/// async-stream on the heap, as ours always is: what one allocation adds.
pub(crate) fn create_async_stream_boxed(n: u64) -> Duration {
    time_create(n, || {
        Box::pin(async_stream::stream! {
            yield black_box(1u64);
        })
    })
}
