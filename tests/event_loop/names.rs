//! Names that do not fight the user's: the prelude under a glob import,
//! beside `futures`' `StreamExt`, keeps `Future` the standard trait and
//! `#[test]` the standard attribute; a generator's own adapters win over
//! `StreamExt`'s and mean what `StreamExt`'s mean.

use asyncio::prelude::*;
use futures::StreamExt;

use std::pin::Pin;
use std::task::{Context, Poll};

/// `Future` here is `std::future::Future`, not `asyncio::Future`.
struct Immediate(u32);

impl Future for Immediate {
    type Output = u32;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<u32> {
        Poll::Ready(self.0)
    }
}

fn doubled(fut: impl Future<Output = u32> + 'static) -> Pin<Box<dyn Future<Output = u32>>> {
    Box::pin(async move { fut.await * 2 })
}

#[test]
fn the_prelude_keeps_std_future_and_the_test_attribute() {
    let out = run(async {
        let (a, b) = gather!(doubled(Immediate(4)), async { 1 }).await.unwrap();
        let task = create_task(Immediate(5));
        let queue = Queue::new(0);
        queue.put_nowait(a + b).unwrap();
        (queue.get().await, task.await.unwrap())
    });
    assert_eq!(out, (9, 5));
}

fn numbers() -> AsyncGen<u32> {
    async_gen! {
        for i in 1..=5u32 {
            yield i;
        }
    }
    .boxed()
}

#[test]
fn generator_adapters_win_over_stream_ext_and_mean_the_same() {
    run(async {
        // `map`, `then`, `collect` and `next` have `StreamExt`'s meaning.
        let mapped: Vec<u32> = numbers().map(|x| x * 10).collect().await;
        assert_eq!(mapped, [10, 20, 30, 40, 50]);
        let awaited: Vec<u32> = numbers()
            .then(|x| async move {
                sleep(0).await;
                x + 1
            })
            .collect()
            .await;
        assert_eq!(awaited, [2, 3, 4, 5, 6]);
        let mut agen = numbers();
        assert_eq!(agen.next().await, Some(1));
        assert_eq!(StreamExt::next(&mut agen).await, Some(2));
        // `filter` takes a plain predicate (a comprehension's `if`);
        // `StreamExt::filter`, reached by its path, takes an async one.
        let odd: Vec<u32> = numbers().filter(|x| x % 2 == 1).collect().await;
        assert_eq!(odd, [1, 3, 5]);
        let big: Vec<u32> = StreamExt::filter(numbers(), |x| std::future::ready(*x > 3))
            .collect()
            .await;
        assert_eq!(big, [4, 5]);
        // The generator's adapters are generators: the protocol stays.
        let adapted = numbers().map(|x| x + 100);
        assert_eq!(adapted.anext().await, Ok(101));
        assert!(adapted.aclose().await.is_ok());
        assert!(adapted.is_finished());
    });
}
