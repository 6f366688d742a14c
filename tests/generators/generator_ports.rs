//! The behaviours async-stream's and genawaiter's own test suites check,
//! written afresh against `async_gen!` and `from_fn`.

use std::cell::Cell;
use std::rc::Rc;

use asyncio::generator::{Co, from_fn};
use asyncio::{AsyncGen, async_gen};

// ---- async-stream's behaviours ----

#[asyncio::test]
async fn an_empty_body_yields_nothing() {
    let agen = async_gen! {
        #[allow(unreachable_code)]
        if false {
            yield 0u8;
        }
    };
    assert_eq!(agen.collect::<Vec<u8>>().await, Vec::<u8>::new());
}

#[asyncio::test]
async fn a_bare_yield_yields_unit() {
    let mut agen = async_gen! {
        yield;
        yield;
    };
    assert_eq!(agen.next().await, Some(()));
    assert_eq!(agen.next().await, Some(()));
    assert_eq!(agen.next().await, None);
}

#[asyncio::test]
async fn the_stream_is_fused_after_the_end() {
    use futures::stream::FusedStream;
    let mut agen = async_gen! { yield 1; };
    assert!(!agen.is_terminated());
    agen.next().await;
    agen.next().await;
    assert!(agen.is_terminated());
    for _ in 0..3 {
        assert_eq!(agen.next().await, None);
    }
}

async_gen! {
    /// A generator returned from a fn, borrowing nothing.
    async fn range(from: u32, to: u32) -> AsyncGen<u32> {
        for i in from..to {
            yield i;
        }
    }
}

#[asyncio::test]
async fn a_generator_returned_from_a_fn() {
    assert_eq!(range(2, 5).collect::<Vec<_>>().await, [2, 3, 4]);
}

#[asyncio::test]
async fn reads_a_queue_and_yields_what_arrives() {
    let queue = Rc::new(asyncio::Queue::new(0));
    let q = queue.clone();
    let agen = async_gen! {
        while let Some(v) = q.get().await {
            yield v;
        }
    };
    let producer = asyncio::create_task(async move {
        for v in [Some(1), Some(2), Some(3), None] {
            queue.put(v).await;
        }
    });
    assert_eq!(agen.collect::<Vec<i32>>().await, [1, 2, 3]);
    producer.await.unwrap();
}

struct Library {
    books: Vec<String>,
}

impl Library {
    fn titles(&self) -> AsyncGen<&str, (), (), impl Future<Output = ()> + '_> {
        async_gen! {
            for book in &self.books {
                asyncio::sleep(0).await;
                yield book.as_str();
            }
        }
    }
}

#[asyncio::test]
async fn a_generator_may_borrow_and_yield_references() {
    let library = Library {
        books: vec!["Dune".into(), "Emma".into()],
    };
    assert_eq!(library.titles().collect::<Vec<_>>().await, ["Dune", "Emma"]);
}

#[asyncio::test]
async fn a_generator_inside_a_generator_keeps_its_own_yields() {
    let outer = async_gen! {
        for x in 0..2 {
            let inner = async_gen! {
                yield x * 10;
                yield x * 10 + 1;
            };
            let collected: Vec<i32> = inner.collect().await;
            yield collected;
        }
    };
    assert_eq!(outer.collect::<Vec<_>>().await, [vec![0, 1], vec![10, 11]]);
}

#[asyncio::test]
async fn yields_a_value_that_is_not_unpin() {
    let agen = async_gen! {
        yield std::future::ready(7);
        yield std::future::ready(8);
    };
    let mut total = 0;
    let mut agen = agen;
    while let Some(fut) = agen.next().await {
        total += fut.await;
    }
    assert_eq!(total, 15);
}

#[asyncio::test]
async fn question_mark_ends_the_generator_with_the_error() {
    #[derive(Debug, PartialEq)]
    struct Bad(u32);
    fn check(v: u32) -> Result<u32, Bad> {
        if v == 3 { Err(Bad(v)) } else { Ok(v) }
    }
    let mut agen = async_gen! {
        for v in 1..10 {
            yield check(v)?;
        }
        Ok::<(), Bad>(())
    };
    // Items before the failure arrive; then the stream ends...
    assert_eq!(agen.next().await, Some(1));
    assert_eq!(agen.next().await, Some(2));
    assert_eq!(agen.next().await, None);
    // ...and the failure is the generator's outcome, not an item.
    assert_eq!(agen.take_return(), Some(Err(Bad(3))));
}

#[asyncio::test]
async fn try_next_passes_the_failure_on() {
    async fn sum(
        mut agen: AsyncGen<u32, Result<(), String>, (), impl Future<Output = Result<(), String>>>,
    ) -> Result<u32, String> {
        let mut total = 0;
        while let Some(v) = agen.try_next().await? {
            total += v;
        }
        Ok(total)
    }
    let good = async_gen! {
        yield 1;
        yield 2;
        Ok::<(), String>(())
    };
    let bad = async_gen! {
        yield 1;
        Err::<(), String>("disk on fire".to_string())?;
        yield 2;
        Ok(())
    };
    assert_eq!(sum(good).await, Ok(3));
    assert_eq!(sum(bad).await, Err("disk on fire".to_string()));
}

#[asyncio::test]
async fn try_collect_and_question_mark_convert_errors_with_from() {
    #[derive(Debug, PartialEq)]
    enum AppError {
        Parse(String),
    }
    impl From<std::num::ParseIntError> for AppError {
        fn from(e: std::num::ParseIntError) -> Self {
            AppError::Parse(e.to_string())
        }
    }
    let parse = |lines: &'static [&'static str]| {
        async_gen! {
            for line in lines {
                yield line.parse::<i32>()?;
            }
            Ok::<(), AppError>(())
        }
    };
    assert_eq!(
        parse(&["1", "2"]).try_collect::<Vec<_>>().await,
        Ok(vec![1, 2])
    );
    assert_eq!(
        parse(&["1", "x"]).try_collect::<Vec<_>>().await,
        Err(AppError::Parse("invalid digit found in string".into()))
    );
}

#[asyncio::test]
async fn line_macro_reports_the_users_line() {
    let expected = line!() + 2;
    let mut agen = async_gen! {
        yield line!();
    };
    assert_eq!(agen.next().await, Some(expected));
}

// ---- genawaiter's behaviours ----

#[asyncio::test]
async fn nothing_runs_until_the_first_resume() {
    let ran = Rc::new(Cell::new(false));
    let r = ran.clone();
    let agen = from_fn(async move |co: &Co<()>| {
        r.set(true);
        co.yield_(()).await;
    });
    asyncio::sleep(0).await;
    assert!(!ran.get(), "creating a generator runs none of its body");
    agen.anext().await.unwrap();
    assert!(ran.get());
}

#[asyncio::test]
async fn the_resume_value_is_what_the_yield_evaluates_to() {
    let agen = from_fn(async |co: &Co<i32, Option<i32>>| {
        let mut doubled = 0;
        loop {
            match co.yield_(doubled).await {
                Some(n) => doubled = n * 2,
                None => return doubled,
            }
        }
    });
    assert_eq!(agen.anext().await, Ok(0));
    assert_eq!(agen.asend(Some(4)).await, Ok(8));
    assert_eq!(agen.asend(Some(5)).await, Ok(10));
    assert_eq!(
        agen.anext().await,
        Err(asyncio::AsyncGenError::StopAsyncIteration)
    );
    let mut agen = agen;
    assert_eq!(agen.take_return(), Some(10));
}

async fn yield_twice(co: &Co<&'static str>, word: &'static str) {
    co.yield_(word).await;
    co.yield_(word).await;
}

#[asyncio::test]
async fn helpers_can_yield_through_a_borrowed_handle() {
    let agen = from_fn(async |co: &Co<&'static str>| {
        yield_twice(co, "hi").await;
        yield_twice(co, "bye").await;
    });
    assert_eq!(agen.collect::<Vec<_>>().await, ["hi", "hi", "bye", "bye"]);
}

#[asyncio::test]
async fn resuming_after_completion_is_harmless() {
    let mut agen = from_fn(async |co: &Co<u8>| {
        co.yield_(1).await;
        "done"
    });
    assert_eq!(agen.next().await, Some(1));
    assert_eq!(agen.next().await, None);
    assert_eq!(agen.next().await, None);
    assert_eq!(
        agen.anext().await,
        Err(asyncio::AsyncGenError::StopAsyncIteration)
    );
    assert_eq!(agen.take_return(), Some("done"));
}

#[asyncio::test]
async fn dropping_the_generator_drops_its_captured_state() {
    let token = Rc::new(());
    let held = token.clone();
    let mut agen = async_gen! {
        let _held = held;
        yield 1;
        yield 2;
    };
    assert_eq!(Rc::strong_count(&token), 2);
    agen.next().await;
    assert_eq!(Rc::strong_count(&token), 2);
    drop(agen);
    assert_eq!(Rc::strong_count(&token), 1);
}

#[asyncio::test]
async fn a_finished_body_releases_its_state_before_the_generator_is_dropped() {
    let token = Rc::new(());
    let held = token.clone();
    let mut agen = async_gen! {
        let _held = held;
        yield 1;
    };
    agen.next().await;
    agen.next().await;
    assert_eq!(
        Rc::strong_count(&token),
        1,
        "the body was dropped when it returned"
    );
    drop(agen);
}
