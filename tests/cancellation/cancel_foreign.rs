//! A cancellation never loses a value that a foreign future (one that is
//! not this crate's: tokio's mpsc, a futures oneshot, a hand-written one)
//! produced. The rule: nothing below the catch point that takes a
//! cancellation is polled while it is delivered, so the value stays in the
//! channel; a future polled elsewhere on the way (a `join` sibling)
//! completes and its value reaches the code. Checked by cancelling at the
//! step a value arrives, under 1,000 seeded interleavings per source:
//! every value sent is received by the code or still in the channel.

use crate::common::*;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use asyncio::{Queue, Task, catch_cancelled, create_task, sleep, task_group, wait_for};
use futures::future::{Either, select};

/// A value source whose receiving future is not this crate's.
trait Source: 'static {
    /// Receives the next value; `None` once the source is closed.
    fn recv(self: Rc<Self>) -> Pin<Box<dyn std::future::Future<Output = Option<u32>>>>;
    fn send(&self, value: u32);
    fn close(&self);
    /// The values still waiting in the source, in order.
    fn remaining(&self) -> Vec<u32>;
    /// Values its future completed with (for the hand-written source).
    fn completed(&self) -> Option<Vec<u32>> {
        None
    }
}

/// Borrows a receiver out of its slot for one receive and puts it back
/// when dropped, even by a cancellation, so the test can drain it after.
struct Lease<'a, R> {
    slot: &'a RefCell<Option<R>>,
    receiver: Option<R>,
}

impl<'a, R> Lease<'a, R> {
    fn take(slot: &'a RefCell<Option<R>>) -> Self {
        let receiver = slot.borrow_mut().take();
        Lease { slot, receiver }
    }

    fn get(&mut self) -> &mut R {
        self.receiver.as_mut().expect("one receive at a time")
    }
}

impl<R> Drop for Lease<'_, R> {
    fn drop(&mut self) {
        *self.slot.borrow_mut() = self.receiver.take();
    }
}

struct TokioMpsc {
    tx: RefCell<Option<tokio::sync::mpsc::UnboundedSender<u32>>>,
    rx: RefCell<Option<tokio::sync::mpsc::UnboundedReceiver<u32>>>,
}

impl Source for TokioMpsc {
    fn recv(self: Rc<Self>) -> Pin<Box<dyn std::future::Future<Output = Option<u32>>>> {
        Box::pin(async move {
            let mut lease = Lease::take(&self.rx);
            lease.get().recv().await
        })
    }

    fn send(&self, value: u32) {
        if let Some(tx) = &*self.tx.borrow() {
            tx.send(value).expect("the receiver outlives the test");
        }
    }

    fn close(&self) {
        self.tx.borrow_mut().take();
    }

    fn remaining(&self) -> Vec<u32> {
        let mut rest = Vec::new();
        if let Some(rx) = &mut *self.rx.borrow_mut() {
            while let Ok(value) = rx.try_recv() {
                rest.push(value);
            }
        }
        rest
    }
}

struct FuturesOneshot {
    tx: RefCell<Option<futures::channel::oneshot::Sender<u32>>>,
    rx: RefCell<Option<futures::channel::oneshot::Receiver<u32>>>,
}

impl Source for FuturesOneshot {
    fn recv(self: Rc<Self>) -> Pin<Box<dyn std::future::Future<Output = Option<u32>>>> {
        Box::pin(async move {
            let mut lease = Lease::take(&self.rx);
            lease.get().await.ok()
        })
    }

    fn send(&self, value: u32) {
        if let Some(tx) = self.tx.borrow_mut().take() {
            tx.send(value).expect("the receiver outlives the test");
        }
    }

    fn close(&self) {
        self.tx.borrow_mut().take();
    }

    fn remaining(&self) -> Vec<u32> {
        match &mut *self.rx.borrow_mut() {
            Some(rx) => rx.try_recv().ok().flatten().into_iter().collect(),
            None => Vec::new(),
        }
    }
}

/// A hand-written source whose future records each value it completes with.
#[derive(Default)]
struct HandWritten {
    items: RefCell<VecDeque<u32>>,
    closed: RefCell<bool>,
    waker: RefCell<Option<Waker>>,
    completed: RefCell<Vec<u32>>,
}

struct Take(Rc<HandWritten>);

impl std::future::Future for Take {
    type Output = Option<u32>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u32>> {
        let source = &self.0;
        if let Some(value) = source.items.borrow_mut().pop_front() {
            source.completed.borrow_mut().push(value);
            return Poll::Ready(Some(value));
        }
        if *source.closed.borrow() {
            return Poll::Ready(None);
        }
        *source.waker.borrow_mut() = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl HandWritten {
    fn wake(&self) {
        if let Some(waker) = self.waker.borrow_mut().take() {
            waker.wake();
        }
    }
}

impl Source for HandWritten {
    fn recv(self: Rc<Self>) -> Pin<Box<dyn std::future::Future<Output = Option<u32>>>> {
        Box::pin(Take(self))
    }

    fn send(&self, value: u32) {
        self.items.borrow_mut().push_back(value);
        self.wake();
    }

    fn close(&self) {
        *self.closed.borrow_mut() = true;
        self.wake();
    }

    fn remaining(&self) -> Vec<u32> {
        self.items.borrow().iter().copied().collect()
    }

    fn completed(&self) -> Option<Vec<u32>> {
        Some(self.completed.borrow().clone())
    }
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Tokio,
    Oneshot,
    HandWritten,
}

fn source(kind: Kind) -> Rc<dyn Source> {
    match kind {
        Kind::Tokio => {
            let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
            Rc::new(TokioMpsc {
                tx: RefCell::new(Some(tx)),
                rx: RefCell::new(Some(rx)),
            })
        }
        Kind::Oneshot => {
            let (tx, rx) = futures::channel::oneshot::channel();
            Rc::new(FuturesOneshot {
                tx: RefCell::new(Some(tx)),
                rx: RefCell::new(Some(rx)),
            })
        }
        Kind::HandWritten => Rc::new(HandWritten::default()),
    }
}

/// How the consumer's code handles each value.
#[derive(Clone, Copy, Debug)]
enum Body {
    /// `while let Some(v) = recv().await`, noting each value.
    Plain,
    /// Each receive under `catch_cancelled`; a caught cancellation ends it.
    CatchEach,
    /// Forwards each value into an unbounded `Queue` (a `put` that never
    /// has to wait: only the runtime could lose the value there).
    Forward,
    /// Receives one value under `catch_cancelled` and returns it as the
    /// task's result.
    Return,
}

/// What the consumer's body runs inside.
#[derive(Clone, Copy, Debug)]
enum Around {
    Nothing,
    CatchAll,
    /// `join` with an awaited helper task: a cancellation point in a
    /// sibling branch, so the delivery polls the body on its way.
    JoinTask,
    /// `select` with an awaited helper task.
    SelectTask,
    /// `wait_for` whose deadline passes in the step the cancelled value
    /// is sent: the timeout's own cancellation arrives with it.
    WaitFor,
    /// A task group whose other child fails in that step: the group's own
    /// abort arrives with it.
    Group,
}

type Values = Rc<RefCell<Vec<u32>>>;

/// Receives values, noting each one its code takes; returns the one it
/// was asked to return (`Body::Return`).
async fn consume(
    source: Rc<dyn Source>,
    body: Body,
    received: Values,
    queue: Queue<u32>,
    pauses: Vec<u64>,
) -> Option<u32> {
    let mut pauses = pauses.into_iter().cycle();
    loop {
        let value = match body {
            Body::Plain | Body::Forward => source.clone().recv().await,
            Body::CatchEach => match catch_cancelled(source.clone().recv()).await {
                Ok(value) => value,
                Err(_) => return None,
            },
            Body::Return => {
                let value = catch_cancelled(source.clone().recv()).await.ok().flatten();
                received.borrow_mut().extend(value);
                return value;
            }
        };
        let value = value?;
        match body {
            Body::Forward => queue.put(value).await,
            _ => received.borrow_mut().push(value),
        }
        for _ in 0..pauses.next().unwrap_or(0) {
            sleep(0).await;
        }
    }
}

fn helper() -> Task<()> {
    create_task(async { sleep(3600).await })
}

/// `work` inside `around`; `at` is when (loop time) the value that the
/// outside cancellation meets is sent.
async fn consumer(
    work: impl std::future::Future<Output = Option<u32>>,
    around: Around,
    at: f64,
) -> Option<u32> {
    match around {
        Around::WaitFor => wait_for(work, at).await.ok().flatten(),
        Around::Group => task_group(async move |tg| {
            tg.create_try_task(async move {
                sleep(at).await;
                Err::<(), _>(std::io::Error::other("a sibling failed"))
            });
            work.await
        })
        .await
        .ok()
        .flatten(),
        Around::Nothing => work.await,
        Around::CatchAll => catch_cancelled(work).await.ok().flatten(),
        Around::JoinTask => futures::join!(work, helper()).0,
        Around::SelectTask => match select(pin!(work), helper()).await {
            Either::Left((value, _)) => value,
            Either::Right(_) => None,
        },
    }
}

/// One seeded run: returns (sent, taken by the code, still in the source).
fn run_seed(kind: Kind, seed: u64) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
    let mut rng = Rng::new(seed);
    let body = [Body::Plain, Body::CatchEach, Body::Forward, Body::Return][rng.below(4) as usize];
    let around = [
        Around::Nothing,
        Around::CatchAll,
        Around::JoinTask,
        Around::SelectTask,
        Around::WaitFor,
        Around::Group,
    ][rng.below(6) as usize];
    let count = match kind {
        Kind::Oneshot => 1,
        _ => 1 + rng.below(5) as u32,
    };
    let cancel_at = rng.below(u64::from(count)) as u32;
    let cancel_first = rng.below(2) == 0;
    let pauses: Vec<u64> = (0..4).map(|_| rng.below(3)).collect();
    let gaps: Vec<u64> = (0..count).map(|_| rng.below(4)).collect();
    // Each gap is that many milliseconds of loop time: an own cancellation
    // (a deadline, a group's abort) due when value `cancel_at` is sent
    // fires in the same loop step.
    let at = gaps[..=cancel_at as usize].iter().sum::<u64>() as f64 / 1000.0;
    let source = source(kind);
    let received: Values = Rc::default();
    let (src, rec) = (source.clone(), received.clone());
    let (sent, taken) = run_virtual(async move {
        let queue = Queue::new(0);
        let work = consume(src.clone(), body, rec.clone(), queue.clone(), pauses);
        let task = create_task(consumer(work, around, at));
        let mut sent = Vec::new();
        for (value, gap) in (0..count).zip(gaps) {
            for _ in 0..gap {
                sleep(0.001).await;
            }
            // The cancellation and the value arrive in the same loop step.
            if value == cancel_at && cancel_first {
                task.cancel();
            }
            src.send(value);
            sent.push(value);
            if value == cancel_at && !cancel_first {
                task.cancel();
            }
        }
        let returned = (&task).await.ok().flatten();
        src.close();
        let taken = rec.borrow().clone();
        if let (Body::Return, Some(&value)) = (body, taken.first())
            && !matches!(around, Around::JoinTask | Around::Group)
        {
            // Nothing stood between the value and the task's result: the
            // result is not thrown away. (In a `join`, the value waits for
            // the cancelled sibling and is dropped with the code holding it,
            // as a Python coroutine's local would be; a failed group's
            // failures replace its body's result, as in Python.)
            assert_eq!(
                returned,
                Some(value),
                "seed {seed}: {around:?}: the task's result was lost"
            );
        }
        let mut taken = taken;
        while let Ok(value) = queue.get_nowait() {
            taken.push(value);
        }
        (sent, taken)
    });
    let remaining = source.remaining();
    if let Some(completed) = source.completed() {
        // Every value the foreign future completed with reached the code.
        assert_eq!(
            completed, taken,
            "seed {seed}: {body:?} in {around:?}: a completed value was dropped"
        );
    }
    (sent, taken, remaining)
}

fn check_seeds(kind: Kind) {
    for seed in 0..1000 {
        let (sent, taken, remaining) = run_seed(kind, seed);
        let mut accounted = taken.clone();
        accounted.extend(&remaining);
        assert_eq!(
            accounted, sent,
            "{kind:?} seed {seed}: taken {taken:?} + still queued {remaining:?} != sent {sent:?}"
        );
    }
}

#[test]
fn tokio_mpsc_values_are_received_or_still_queued_under_1000_interleavings() {
    check_seeds(Kind::Tokio);
}

#[test]
fn a_futures_oneshot_value_is_received_or_still_there_under_1000_interleavings() {
    check_seeds(Kind::Oneshot);
}

#[test]
fn a_hand_written_future_never_completes_with_a_value_the_code_misses() {
    check_seeds(Kind::HandWritten);
}

#[test]
fn a_task_cancelled_as_its_value_arrives_leaves_the_value_in_the_channel() {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<u32>();
    let log = new_log();
    let rx = Rc::new(RefCell::new(Some(rx)));
    let (l, slot) = (log.clone(), rx.clone());
    run_virtual(async move {
        let task = create_task(async move {
            let mut lease = Lease::take(&slot);
            let value = lease.get().recv().await;
            push(&l, format!("received {value:?}"));
        });
        sleep(0).await;
        tx.send(7).unwrap();
        task.cancel();
        assert!((&task).await.unwrap_err().is_cancelled());
    });
    assert!(log.borrow().is_empty(), "{:?}", log.borrow());
    assert_eq!(rx.borrow_mut().as_mut().unwrap().try_recv(), Ok(7));
}

#[test]
fn a_caught_cancellation_leaves_the_value_and_a_value_received_first_is_returned() {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<u32>();
    let rx = Rc::new(RefCell::new(Some(rx)));
    let slot = rx.clone();
    run_virtual(async move {
        // Cancelled in the step the value arrives: the catch point takes
        // the cancellation, the value stays in the channel.
        let s = slot.clone();
        let task = create_task(async move {
            let mut lease = Lease::take(&s);
            catch_cancelled(lease.get().recv()).await
        });
        sleep(0).await;
        tx.send(1).unwrap();
        task.cancel();
        assert!(matches!((&task).await, Ok(Err(_))));
        // A value that reached the code before the cancellation is the
        // task's result: the request came too late to take it away.
        let s = slot.clone();
        let task = create_task(async move {
            let mut lease = Lease::take(&s);
            let guard = helper();
            match select(pin!(lease.get().recv()), guard).await {
                Either::Left((value, _)) => value,
                Either::Right(_) => None,
            }
        });
        sleep(0).await;
        task.cancel();
        let out = (&task).await;
        assert_eq!(out.unwrap(), Some(1), "the received value was returned");
        assert!(!task.cancelled());
    });
    assert!(rx.borrow_mut().as_mut().unwrap().try_recv().is_err());
}

#[test]
fn a_forwarder_cancelled_as_its_value_arrives_puts_nothing_and_loses_nothing() {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<u32>();
    let rx = Rc::new(RefCell::new(Some(rx)));
    let slot = rx.clone();
    let queue = run_virtual(async move {
        let queue = Queue::new(0);
        let q = queue.clone();
        let forwarder = create_task(async move {
            loop {
                let value = {
                    let mut lease = Lease::take(&slot);
                    lease.get().recv().await
                };
                let Some(value) = value else { break };
                q.put(value).await;
            }
        });
        sleep(0).await;
        tx.send(1).unwrap();
        sleep(0).await;
        tx.send(2).unwrap();
        forwarder.cancel();
        let _ = (&forwarder).await;
        queue
    });
    assert_eq!(queue.get_nowait().unwrap(), 1);
    assert!(queue.get_nowait().is_err());
    assert_eq!(rx.borrow_mut().as_mut().unwrap().try_recv(), Ok(2));
}

#[test]
fn a_foreign_future_polled_beside_the_catch_point_hands_its_value_to_the_code() {
    // The delivery goes down to the helper await (a cancellation point) and
    // polls the sibling branch on the way: its value reaches the code.
    let source = Rc::new(HandWritten::default());
    let log = new_log();
    let (src, l) = (source.clone(), log.clone());
    run_virtual(async move {
        let s = src.clone();
        let task = create_task(async move {
            let receive = async {
                let value = Take(s).await;
                push(&l, format!("received {value:?}"));
            };
            let _ = futures::join!(receive, helper());
        });
        sleep(0).await;
        src.send(5);
        task.cancel();
        assert!((&task).await.unwrap_err().is_cancelled());
    });
    assert_eq!(*source.completed.borrow(), [5]);
    assert_eq!(*log.borrow(), ["received Some(5)"]);
}
