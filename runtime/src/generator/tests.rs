//! Unit tests of the generator's unsafe core, small enough for Miri: every
//! path through the slot (the macro's raw `yield`, the shared handle, with
//! a trivial and a heap-owning resume value), the state changes, and drops
//! at each point, driven by a no-op-waker poll loop (no event loop).
//!
//! The bodies here are written as `async_gen!` expands them:
//! `let body = move |co: RawCo<Y, S>| async move { .. co.__yield(v).await .. }`
//! and `AsyncGen::__from_raw(body)`.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use futures_core::Stream;

use super::{AsyncGen, AsyncGenError, Co, RawCo, from_fn};

/// Polls `future` with a no-op waker until it is ready (a bounded number
/// of times: every future here is ready after a few polls).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..100 {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
    panic!("the future did not complete");
}

/// One `poll_next` with a no-op waker.
fn poll_next<G: Stream + Unpin>(agen: &mut G) -> Poll<Option<G::Item>> {
    Pin::new(agen).poll_next(&mut Context::from_waker(Waker::noop()))
}

/// Pending on its first poll (waking the task), ready on the second: a
/// body awaiting something other than a `yield`.
struct PendingOnce(bool);

impl Future for PendingOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if std::mem::replace(&mut self.0, true) {
            Poll::Ready(())
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// Polls two futures until both are done: the body's own `join!`.
async fn join<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (Box::pin(a), Box::pin(b));
    let (mut out_a, mut out_b) = (None, None);
    std::future::poll_fn(move |cx| {
        if out_a.is_none()
            && let Poll::Ready(v) = a.as_mut().poll(cx)
        {
            out_a = Some(v);
        }
        if out_b.is_none()
            && let Poll::Ready(v) = b.as_mut().poll(cx)
        {
            out_b = Some(v);
        }
        if out_a.is_some() && out_b.is_some() {
            Poll::Ready((out_a.take().unwrap(), out_b.take().unwrap()))
        } else {
            Poll::Pending
        }
    })
    .await
}

/// Counts drops of the values it hands out.
#[derive(Default)]
struct Tracker(Rc<Cell<usize>>);

struct Tracked(Rc<Cell<usize>>);

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

impl Tracker {
    fn value(&self) -> Tracked {
        Tracked(self.0.clone())
    }

    fn dropped(&self) -> usize {
        self.0.get()
    }
}

#[test]
fn raw_yields_heap_values_and_returns() {
    let body = move |co: RawCo<String, ()>| async move {
        for i in 0..3 {
            co.__yield(format!("item {i}")).await;
        }
        String::from("done")
    };
    // SAFETY: the handle is only awaited in place, in the body above.
    let mut agen = unsafe { AsyncGen::__from_raw(body) };
    let mut seen = Vec::new();
    while let Poll::Ready(Some(item)) = poll_next(&mut agen) {
        seen.push(item);
    }
    assert_eq!(seen, ["item 0", "item 1", "item 2"]);
    assert!(agen.is_finished());
    assert_eq!(agen.take_return().as_deref(), Some("done"));
    assert_eq!(poll_next(&mut agen), Poll::Ready(None), "fused");
}

#[test]
fn raw_steps_across_other_awaits() {
    let body = move |co: RawCo<u32, ()>| async move {
        co.__yield(1).await;
        PendingOnce(false).await;
        co.__yield(2).await;
        PendingOnce(false).await;
    };
    // SAFETY: the handle is only awaited in place, in the body above.
    let mut agen = unsafe { AsyncGen::__from_raw(body) };
    assert_eq!(poll_next(&mut agen), Poll::Ready(Some(1)));
    assert!(!agen.is_running());
    assert_eq!(poll_next(&mut agen), Poll::Pending);
    assert!(agen.is_running(), "mid-step");
    assert_eq!(poll_next(&mut agen), Poll::Ready(Some(2)));
    assert_eq!(poll_next(&mut agen), Poll::Pending);
    assert_eq!(poll_next(&mut agen), Poll::Ready(None));
    assert!(agen.is_finished());
}

#[test]
fn raw_asend_with_a_heap_value() {
    let body = move |co: RawCo<String, Option<String>>| async move {
        let mut last = String::new();
        loop {
            match co.__yield(last.clone()).await {
                Some(sent) if sent == "stop" => return last,
                Some(sent) => last = sent,
                None => last = String::from("nothing"),
            }
        }
    };
    // SAFETY: the handle is only awaited in place, in the body above.
    let agen = unsafe { AsyncGen::__from_raw(body) };
    assert_eq!(
        block_on(agen.asend(Some("early".into()))),
        Err(AsyncGenError::JustStarted)
    );
    assert_eq!(block_on(agen.anext()), Ok(String::new()));
    assert_eq!(block_on(agen.asend(Some("hi".into()))), Ok("hi".into()));
    assert_eq!(block_on(agen.anext()), Ok("nothing".into()));
    assert_eq!(
        block_on(agen.asend(Some("stop".into()))),
        Err(AsyncGenError::StopAsyncIteration)
    );
    let mut agen = agen;
    assert_eq!(agen.take_return().as_deref(), Some("nothing"));
}

#[test]
fn raw_send_value_dropped_when_the_body_is() {
    // The generator is dropped right after a resume put a value in the
    // slot and before the body took it: the slot drops it.
    let tracker = Tracker::default();
    let body = move |co: RawCo<u8, Option<Tracked>>| async move {
        co.__yield(1).await;
        co.__yield(2).await;
    };
    // SAFETY: the handle is only awaited in place, in the body above.
    let agen = unsafe { AsyncGen::__from_raw(body) };
    assert_eq!(block_on(agen.anext()), Ok(1));
    // Resume with a value, but drop the step future before it polls:
    // `ASend` resumes on its first poll only, so nothing is in flight.
    drop(agen.asend(Some(tracker.value())));
    assert_eq!(tracker.dropped(), 1);
    assert_eq!(block_on(agen.asend(Some(tracker.value()))), Ok(2));
    assert_eq!(tracker.dropped(), 2, "the body dropped the value it got");
    drop(agen);
}

#[test]
fn drop_mid_yield_drops_the_body() {
    let tracker = Tracker::default();
    let local = tracker.value();
    let body = move |co: RawCo<String, ()>| async move {
        let _held = local;
        loop {
            co.__yield(String::from("again")).await;
        }
    };
    // SAFETY: the handle is only awaited in place, in the body above.
    let mut agen = unsafe { AsyncGen::__from_raw(body) };
    assert_eq!(poll_next(&mut agen), Poll::Ready(Some("again".into())));
    assert_eq!(tracker.dropped(), 0);
    drop(agen);
    assert_eq!(tracker.dropped(), 1);

    // Never started: the body (and what it captured) is dropped too.
    let local = tracker.value();
    let body = move |co: RawCo<String, ()>| async move {
        let _held = local;
        co.__yield(String::new()).await;
    };
    // SAFETY: the handle is only awaited in place, in the body above.
    drop(unsafe { AsyncGen::__from_raw(body) });
    assert_eq!(tracker.dropped(), 2);
}

#[test]
fn aclose_mid_yield() {
    let tracker = Tracker::default();
    let local = tracker.value();
    let body = move |co: RawCo<u32, ()>| async move {
        let _held = local;
        for i in 0.. {
            co.__yield(i).await;
        }
    };
    // SAFETY: the handle is only awaited in place, in the body above.
    let mut agen = unsafe { AsyncGen::__from_raw(body) };
    assert_eq!(block_on(agen.anext()), Ok(0));
    assert_eq!(block_on(agen.aclose()), Ok(()));
    assert_eq!(tracker.dropped(), 1, "closing dropped the body");
    assert!(agen.is_finished());
    assert_eq!(
        block_on(agen.anext()),
        Err(AsyncGenError::StopAsyncIteration)
    );
    assert_eq!(poll_next(&mut agen), Poll::Ready(None));
    assert_eq!(block_on(agen.aclose()), Ok(()), "idempotent");
}

#[test]
fn a_dropped_step_continues() {
    let body = move |co: RawCo<u32, ()>| async move {
        PendingOnce(false).await;
        co.__yield(7).await;
    };
    // SAFETY: the handle is only awaited in place, in the body above.
    let mut agen = unsafe { AsyncGen::__from_raw(body) };
    {
        let mut step = pin!(agen.anext());
        let mut cx = Context::from_waker(Waker::noop());
        assert!(step.as_mut().poll(&mut cx).is_pending());
    }
    assert!(agen.is_running());
    assert_eq!(
        block_on(agen.asend(())),
        Err(AsyncGenError::AlreadyRunning),
        "only anext continues a step in flight"
    );
    assert_eq!(poll_next(&mut agen), Poll::Ready(Some(7)));
    assert_eq!(poll_next(&mut agen), Poll::Ready(None));
}

#[test]
fn a_panicking_body_ends_the_generator() {
    let tracker = Tracker::default();
    let local = tracker.value();
    let body = move |co: RawCo<String, ()>| async move {
        let _held = local;
        co.__yield(String::from("first")).await;
        panic!("boom");
    };
    // SAFETY: the handle is only awaited in place, in the body above.
    let mut agen = unsafe { AsyncGen::__from_raw(body) };
    assert_eq!(poll_next(&mut agen), Poll::Ready(Some("first".into())));
    let caught = catch_unwind(AssertUnwindSafe(|| poll_next(&mut agen)));
    assert!(caught.is_err());
    assert!(agen.is_finished());
    assert_eq!(poll_next(&mut agen), Poll::Ready(None), "not polled again");
    drop(agen);
    assert_eq!(tracker.dropped(), 1);
}

#[test]
fn from_fn_yields_and_receives() {
    let mut agen = from_fn(async |co: &Co<String, Option<u32>>| {
        let mut got = Vec::new();
        for i in 0..3 {
            got.push(co.yield_(format!("item {i}")).await);
        }
        got
    });
    assert_eq!(poll_next(&mut agen), Poll::Ready(Some("item 0".into())));
    assert_eq!(block_on(agen.asend(Some(5))), Ok("item 1".into()));
    assert_eq!(poll_next(&mut agen), Poll::Ready(Some("item 2".into())));
    assert_eq!(poll_next(&mut agen), Poll::Ready(None));
    // Resumed by `asend(Some(5))`, then `anext`, then `next`.
    assert_eq!(agen.take_return(), Some(vec![Some(5), None, None]));
}

#[test]
fn from_fn_concurrent_yields_keep_their_order() {
    let mut agen = from_fn(async |co: &Co<String>| {
        join(
            async {
                co.yield_(String::from("a1")).await;
                co.yield_(String::from("a2")).await;
            },
            async {
                co.yield_(String::from("b1")).await;
                co.yield_(String::from("b2")).await;
            },
        )
        .await;
    });
    let mut seen = Vec::new();
    for _ in 0..20 {
        match poll_next(&mut agen) {
            Poll::Ready(Some(item)) => seen.push(item),
            Poll::Ready(None) => break,
            Poll::Pending => {}
        }
    }
    assert_eq!(seen, ["a1", "b1", "a2", "b2"]);
    assert!(agen.is_finished());
}

#[test]
fn from_fn_drop_mid_yield() {
    let tracker = Tracker::default();
    let local = tracker.value();
    let mut agen = from_fn(async move |co: &Co<Tracked>| {
        let _held = local;
        loop {
            co.yield_(Tracked(Rc::new(Cell::new(0)))).await;
        }
    });
    assert!(matches!(poll_next(&mut agen), Poll::Ready(Some(_))));
    drop(agen);
    assert_eq!(tracker.dropped(), 1);
}

#[test]
fn a_value_deposited_by_an_unwinding_step_is_dropped_once() {
    // The body deposits a value and panics in the same poll, so the
    // generator never takes it: the unwinding `yield` takes it back.
    let tracker = Tracker::default();
    let item = tracker.value();
    let mut agen = from_fn(async move |co: &Co<Tracked>| {
        join(co.yield_(item), async { panic!("boom") }).await;
    });
    assert!(catch_unwind(AssertUnwindSafe(|| poll_next(&mut agen))).is_err());
    assert_eq!(tracker.dropped(), 1);
    assert!(agen.is_finished());
    drop(agen);
    assert_eq!(tracker.dropped(), 1);
}

#[test]
fn a_value_left_in_the_slot_is_dropped() {
    // A value the consumer never took (here: the body panics between
    // leaving it and awaiting its `yield`, which the macro never does)
    // is dropped with the generator.
    let tracker = Tracker::default();
    let item = tracker.value();
    let body = move |co: RawCo<Tracked, ()>| async move {
        let _pending = co.__yield(item);
        panic!("boom");
    };
    // SAFETY: the handle does not leave the body; the one `yield` that is
    // not awaited is the point of the test (it leaves a value behind).
    let mut agen = unsafe { AsyncGen::__from_raw(body) };
    assert!(catch_unwind(AssertUnwindSafe(|| poll_next(&mut agen))).is_err());
    assert_eq!(tracker.dropped(), 0);
    drop(agen);
    assert_eq!(tracker.dropped(), 1);
}

#[test]
fn a_cancelled_co_yield_takes_its_value_back() {
    // A yield dropped before the consumer took its value did not happen.
    let log = Rc::new(RefCell::new(Vec::new()));
    let seen = log.clone();
    let mut agen = from_fn(async move |co: &Co<String>| {
        {
            let mut first = Box::pin(co.yield_(String::from("cancelled")));
            let mut cx = Context::from_waker(Waker::noop());
            assert!(first.as_mut().poll(&mut cx).is_pending());
        }
        seen.borrow_mut().push("dropped");
        co.yield_(String::from("kept")).await;
    });
    assert_eq!(poll_next(&mut agen), Poll::Ready(Some("kept".into())));
    assert_eq!(*log.borrow(), ["dropped"]);
}

#[test]
fn boxed_erases_the_body() {
    let body = move |co: RawCo<u8, ()>| async move {
        co.__yield(1).await;
        co.__yield(2).await;
        3u8
    };
    // SAFETY: the handle is only awaited in place, in the body above.
    let mut agen: AsyncGen<u8, u8> = unsafe { AsyncGen::__from_raw(body) }.boxed();
    assert_eq!(poll_next(&mut agen), Poll::Ready(Some(1)));
    assert_eq!(poll_next(&mut agen), Poll::Ready(Some(2)));
    assert_eq!(poll_next(&mut agen), Poll::Ready(None));
    assert_eq!(agen.take_return(), Some(3));
    let half: AsyncGen<u8, u8> = {
        let body = move |co: RawCo<u8, ()>| async move {
            co.__yield(1).await;
            0
        };
        // SAFETY: the handle is only awaited in place, in the body above.
        unsafe { AsyncGen::__from_raw(body) }.boxed()
    };
    let mut half = half;
    assert_eq!(poll_next(&mut half), Poll::Ready(Some(1)));
    drop(half);
}

/// Polls `future` once with the body's own context.
async fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut *future).poll(cx))).await
}

/// A waker that counts its wakes: the context a `FuturesUnordered` gives
/// each of its futures.
struct CountWakes(std::sync::atomic::AtomicUsize);

impl std::task::Wake for CountWakes {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

impl CountWakes {
    fn new() -> (std::sync::Arc<Self>, Waker) {
        let count = std::sync::Arc::new(CountWakes(0.into()));
        let waker = Waker::from(count.clone());
        (count, waker)
    }

    fn wakes(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

#[test]
fn from_fn_yield_under_another_context_is_woken_when_resumed() {
    let (count, waker) = CountWakes::new();
    let wakes = count.clone();
    let mut agen = from_fn(async move |co: &Co<u32>| {
        // Polled with a context of its own, as a `FuturesUnordered` polls
        // its futures: it registers that waker.
        let mut first = co.yield_(1);
        let mut own = Context::from_waker(&waker);
        std::future::poll_fn(|_| Pin::new(&mut first).poll(&mut own)).await;
        // Polled with the body's context: it registers nothing.
        co.yield_(2).await;
        // First polled by the body, then under another context before it
        // is resumed: it registers then.
        let mut third = co.yield_(3);
        assert!(poll_once(&mut third).await.is_pending());
        let mut own = Context::from_waker(&waker);
        std::future::poll_fn(|_| Pin::new(&mut third).poll(&mut own)).await;
    });
    assert_eq!(poll_next(&mut agen), Poll::Ready(Some(1)));
    assert_eq!(wakes.wakes(), 0);
    assert_eq!(poll_next(&mut agen), Poll::Ready(Some(2)));
    assert_eq!(wakes.wakes(), 1, "resuming woke the registered yield");
    assert_eq!(poll_next(&mut agen), Poll::Ready(Some(3)));
    assert_eq!(wakes.wakes(), 1, "the body's own yield needs no wake");
    assert_eq!(poll_next(&mut agen), Poll::Ready(None));
    assert_eq!(count.wakes(), 2);
}

#[test]
fn a_dropped_waiting_yield_lets_the_next_one_in() {
    let mut agen = from_fn(async |co: &Co<&'static str>| {
        let (mut a, mut b, mut c) = (co.yield_("a"), co.yield_("b"), co.yield_("c"));
        assert!(poll_once(&mut a).await.is_pending(), "a leaves its value");
        assert!(poll_once(&mut b).await.is_pending(), "b waits");
        assert!(poll_once(&mut c).await.is_pending(), "c waits");
        PendingOnce(false).await;
        assert!(poll_once(&mut a).await.is_ready(), "resumed");
        drop(b);
        let mut d = co.yield_("d");
        assert!(
            poll_once(&mut d).await.is_pending(),
            "d waits: c waited first"
        );
        assert!(poll_once(&mut c).await.is_pending(), "c leaves its value");
        PendingOnce(false).await;
        c.await;
        d.await;
    });
    let mut seen = Vec::new();
    for _ in 0..20 {
        match poll_next(&mut agen) {
            Poll::Ready(Some(item)) => seen.push(item),
            Poll::Ready(None) => break,
            Poll::Pending => {}
        }
    }
    assert_eq!(seen, ["a", "c", "d"]);
    assert!(agen.is_finished());
}

#[test]
fn from_fn_asend_reaches_the_resumed_yield_while_others_wait() {
    let tracker = Tracker::default();
    let mut agen = from_fn(async |co: &Co<u8, Option<String>>| {
        let (got_a, got_b) = join(co.yield_(1), co.yield_(2)).await;
        let got_c = co.yield_(3).await;
        (got_a, got_b, got_c)
    });
    assert_eq!(block_on(agen.anext()), Ok(1));
    assert_eq!(block_on(agen.asend(Some("to a".into()))), Ok(2));
    assert_eq!(block_on(agen.asend(Some("to b".into()))), Ok(3));
    // Dropped with a heap value resumed into a yield that others wait
    // behind, before that yield read it: the slot drops it.
    let dropped = from_fn(async move |co: &Co<u8, Option<Tracked>>| {
        let (mut a, mut b) = (co.yield_(1), co.yield_(2));
        assert!(poll_once(&mut a).await.is_pending());
        assert!(poll_once(&mut b).await.is_pending());
        PendingOnce(false).await;
        PendingOnce(false).await;
    });
    assert_eq!(block_on(dropped.anext()), Ok(1));
    let mut step = Box::pin(dropped.asend(Some(tracker.value())));
    assert!(
        step.as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
            .is_pending()
    );
    assert_eq!(tracker.dropped(), 0);
    drop(step);
    drop(dropped);
    assert_eq!(tracker.dropped(), 1);
    assert_eq!(
        block_on(agen.asend(None)),
        Err(AsyncGenError::StopAsyncIteration)
    );
    assert_eq!(
        agen.take_return(),
        Some((Some("to a".into()), Some("to b".into()), None))
    );
}

/// A manager around the body's `yield` (an `async with` in a generator,
/// as `async_gen!` expands it): `aclose` at the `yield` delivers the close
/// into the body, and the manager's exit runs to the end — it awaits —
/// before the body is dropped. With a trivial and a heap-owning resume
/// value (the slot's two resume paths).
#[test]
fn aclose_runs_the_exit_of_a_manager_around_the_yield() {
    use crate::contextlib::{AsyncContextManager, Outcome, with};

    struct Logged(Rc<RefCell<Vec<String>>>);

    impl<R> AsyncContextManager<R> for Logged {
        type Value = u32;
        async fn aenter(&mut self) -> u32 {
            self.0.borrow_mut().push("enter".into());
            7
        }
        async fn aexit(self, outcome: &mut Outcome<R>) {
            PendingOnce(false).await;
            self.0.borrow_mut().push(format!("exit saw {outcome:?}"));
        }
    }

    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    let body = move |co: RawCo<u32, ()>| async move {
        with(Logged(l.clone()), async |v| {
            co.__yield(v).await;
            co.__yield(v + 1).await;
        })
        .await;
        l.borrow_mut().push("after the with".into());
    };
    // SAFETY: the handle is only awaited in place: in the body, and in the
    // body of `with`, which polls it in place (as `async_gen!` relies on).
    let agen = unsafe { AsyncGen::__from_raw(body) };
    assert_eq!(block_on(agen.anext()), Ok(7));
    assert_eq!(block_on(agen.aclose()), Ok(()));
    assert!(agen.is_finished());
    assert_eq!(*log.borrow(), ["enter", "exit saw Cancelled"]);

    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    let body = move |co: RawCo<u32, Option<String>>| async move {
        with(Logged(l.clone()), async |v| {
            let sent = co.__yield(v).await;
            l.borrow_mut().push(format!("sent {sent:?}"));
            co.__yield(v + 1).await;
        })
        .await;
    };
    // SAFETY: as above.
    let agen = unsafe { AsyncGen::__from_raw(body) };
    assert_eq!(block_on(agen.anext()), Ok(7));
    assert_eq!(block_on(agen.asend(Some("x".into()))), Ok(8));
    assert_eq!(block_on(agen.aclose()), Ok(()));
    assert_eq!(
        *log.borrow(),
        ["enter", "sent Some(\"x\")", "exit saw Cancelled"]
    );
}
