use std::hint::black_box;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use asyncio::Stream;

const N: u64 = 10_000_000;

struct Counter { i: u64, n: u64 }
impl Stream for Counter {
    type Item = u64;
    fn poll_next(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<u64>> {
        if self.i < self.n { let i = self.i; self.i += 1; Poll::Ready(Some(black_box(i))) } else { Poll::Ready(None) }
    }
}

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop { if let Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
}

async fn sum<S: Stream<Item = u64>>(s: S) -> u64 {
    use futures::StreamExt;
    let mut s = pin!(s);
    let mut total = 0u64;
    while let Some(x) = s.next().await { total = total.wrapping_add(x); }
    total
}

fn time(name: &str, f: impl Fn() -> u64) {
    let mut v = Vec::new();
    for _ in 0..7 { let t = Instant::now(); black_box(f()); v.push(t.elapsed().as_secs_f64() * 1e9 / N as f64); }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!("{name:14} {:.3} ns/item (min {:.3})", v[3], v[0]);
}

struct Once(bool);
impl Future for Once { type Output = (); fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> { if self.0 { Poll::Ready(()) } else { self.0 = true; Poll::Pending } } }
struct Mini<F> { fut: Pin<Box<F>>, slot: &'static std::cell::Cell<Option<u64>> }
impl<F: Future<Output = ()>> Stream for Mini<F> {
    type Item = u64;
    #[inline(always)]
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u64>> {
        match self.fut.as_mut().poll(cx) { Poll::Ready(()) => Poll::Ready(None), Poll::Pending => Poll::Ready(self.slot.take()) }
    }
}
fn mini() -> impl Stream<Item = u64> {
    let slot: &'static std::cell::Cell<Option<u64>> = Box::leak(Box::new(std::cell::Cell::new(None)));
    Mini { fut: Box::pin(async move { for i in 0..N { slot.set(Some(black_box(i))); Once(false).await; } }), slot }
}

fn main() {
    for _ in 0..2 {
    time("hand-written", || block_on(sum(Counter { i: 0, n: N })));
    time("mini", || block_on(sum(mini())));
    time("raw", || block_on(sum(asyncio::async_gen! { for i in 0..N { yield black_box(i); } })));
    time("from_fn", || block_on(sum(asyncio::generator::from_fn(async |co: &asyncio::Co<u64>| { for i in 0..N { co.yield_(black_box(i)).await; } }))));
    time("async-stream", || block_on(sum(async_stream::stream! { for i in 0..N { yield black_box(i); } })));
    }
}
