//! Python's async-generator protocol on `AsyncGen`: anext, asend, athrow,
//! aclose, the typed return value, and the misuse errors.

use asyncio::{AsyncGen, AsyncGenError, async_gen};

use crate::common::{new_log, push};

async_gen! {
    /// Echoes what it is sent, Python's `received = yield received`.
    async fn echo() -> AsyncGen<String, u32, Option<String>> {
        let mut received: Option<String> = None;
        let mut count = 0;
        loop {
            let reply = received.take().unwrap_or_else(|| "nothing".to_string());
            received = yield reply;
            count += 1;
            if received.as_deref() == Some("stop") {
                return count;
            }
        }
    }
}

#[asyncio::test]
async fn anext_and_asend_deliver_values_at_the_yield() {
    let agen = echo();
    assert_eq!(agen.anext().await, Ok("nothing".to_string()));
    assert_eq!(agen.asend(Some("hi".into())).await, Ok("hi".to_string()));
    // anext is asend(None), as in Python.
    assert_eq!(agen.anext().await, Ok("nothing".to_string()));
    assert_eq!(
        agen.asend(Some("stop".into())).await,
        Err(AsyncGenError::StopAsyncIteration)
    );
    let mut agen = agen;
    assert_eq!(agen.take_return(), Some(3));
    assert_eq!(
        agen.take_return(),
        None,
        "the return value is moved out once"
    );
    assert!(agen.is_finished());
}

#[asyncio::test]
async fn asend_before_the_first_anext_is_refused() {
    let agen = echo();
    assert_eq!(
        agen.asend(Some("early".into())).await,
        Err(AsyncGenError::JustStarted)
    );
    // The refused send did not start it: the first anext still runs from the top.
    assert_eq!(agen.anext().await, Ok("nothing".to_string()));

    // `asend(None)` is `anext()`, allowed on a fresh generator as in Python.
    let fresh = echo();
    assert_eq!(fresh.asend(None).await, Ok("nothing".to_string()));
}

#[asyncio::test]
async fn asend_of_unit_starts_a_plain_generator() {
    let agen = async_gen! {
        yield 1;
        yield 2;
    };
    // `()` is our `None`: Python allows `asend(None)` on a fresh generator.
    assert_eq!(agen.asend(()).await, Ok(1));
    assert_eq!(agen.asend(()).await, Ok(2));
    assert_eq!(agen.asend(()).await, Err(AsyncGenError::StopAsyncIteration));
}

#[asyncio::test]
async fn a_second_anext_while_one_is_in_flight_is_already_running() {
    let log = new_log();
    let l = log.clone();
    let agen = async_gen! {
        push(&l, "step 1 starts");
        asyncio::sleep(0.01).await;
        yield 1;
        yield 2;
    };
    let (first, second) = futures::join!(agen.anext(), async {
        asyncio::sleep(0).await; // let the first anext suspend inside the body
        assert!(agen.is_running());
        agen.anext().await
    });
    assert_eq!(first, Ok(1));
    assert_eq!(second, Err(AsyncGenError::AlreadyRunning));
    assert_eq!(*log.borrow(), ["step 1 starts"]);
    // The refused call changed nothing.
    assert_eq!(agen.anext().await, Ok(2));
}

#[asyncio::test]
async fn a_dropped_anext_leaves_its_step_for_the_next_call() {
    let agen = async_gen! {
        asyncio::sleep(0.05).await;
        yield "slow";
        yield "next";
    };
    // Time out the first step: the body is left mid-await.
    let timed_out = asyncio::wait_for(agen.anext(), 0.01).await;
    assert!(timed_out.is_err());
    assert!(agen.is_running());
    // asend cannot deliver into a half-done step...
    let agen = agen;
    // ...but anext continues it, and nothing is lost.
    assert_eq!(agen.anext().await, Ok("slow"));
    assert_eq!(agen.anext().await, Ok("next"));
}

#[asyncio::test]
async fn asend_into_a_half_done_step_is_already_running() {
    let agen = echo_slow();
    assert_eq!(agen.anext().await, Ok(0));
    assert!(asyncio::wait_for(agen.asend(Some(5)), 0.01).await.is_err());
    assert_eq!(
        agen.asend(Some(6)).await,
        Err(AsyncGenError::AlreadyRunning)
    );
    assert_eq!(agen.anext().await, Ok(5), "the first send's step finishes");
}

async_gen! {
    async fn echo_slow() -> AsyncGen<i32, (), Option<i32>> {
        let mut last = 0;
        loop {
            if let Some(v) = yield last {
                asyncio::sleep(0.05).await;
                last = v;
            }
        }
    }
}

#[derive(Debug, PartialEq)]
struct Reset;

async_gen! {
    /// A running total that `athrow(Reset)` zeroes and `athrow` of any other
    /// error ends (the body passes it on with `?`).
    async fn total() -> AsyncGen<i64, Result<(), String>, Result<Option<i64>, String>> {
        let mut sum = 0;
        loop {
            match yield sum {
                Ok(Some(n)) => sum += n,
                Ok(None) => {}
                Err(e) if e == "reset" => sum = 0,
                Err(e) => return Err(e),
            }
        }
    }
}

#[asyncio::test]
async fn athrow_is_a_value_the_body_can_handle_or_pass_on() {
    let mut agen = total();
    assert_eq!(agen.anext().await, Ok(0));
    assert_eq!(agen.asend(Ok(Some(5))).await, Ok(5));
    assert_eq!(agen.asend(Ok(Some(2))).await, Ok(7));
    // Handled: the body catches it and yields again.
    assert_eq!(agen.athrow("reset".into()).await, Ok(0));
    assert_eq!(agen.asend(Ok(Some(1))).await, Ok(1));
    // Not handled: the generator ends with it as its outcome.
    assert_eq!(
        agen.athrow("boom".into()).await,
        Err(AsyncGenError::StopAsyncIteration)
    );
    assert_eq!(agen.take_return(), Some(Err("boom".to_string())));
}

#[asyncio::test]
async fn athrow_propagates_with_question_mark() {
    let mut agen = thrower();
    assert_eq!(agen.anext().await, Ok(1));
    assert_eq!(
        agen.athrow(Reset).await,
        Err(AsyncGenError::StopAsyncIteration)
    );
    assert_eq!(agen.take_return(), Some(Err(Reset)));
}

async_gen! {
    async fn thrower() -> AsyncGen<u8, Result<(), Reset>, Result<(), Reset>> {
        loop {
            (yield 1)?;
        }
    }
}

#[asyncio::test]
async fn athrow_before_start_is_refused() {
    let agen = thrower();
    assert_eq!(agen.athrow(Reset).await, Err(AsyncGenError::JustStarted));
    assert_eq!(agen.anext().await, Ok(1));
}

#[asyncio::test]
async fn aclose_ends_the_body_at_its_yield_and_later_calls_stop() {
    let log = new_log();
    let l = log.clone();
    let mut agen = async_gen! {
        struct Noisy(crate::common::Log);
        impl Drop for Noisy {
            fn drop(&mut self) {
                push(&self.0, "body dropped");
            }
        }
        let _noisy = Noisy(l.clone());
        for i in 0.. {
            push(&l, format!("yield {i}"));
            yield i;
        }
    };
    assert_eq!(agen.anext().await, Ok(0));
    assert_eq!(agen.aclose().await, Ok(()));
    assert_eq!(*log.borrow(), ["yield 0", "body dropped"]);
    assert!(agen.is_finished());
    // Use after close: Python's StopAsyncIteration, never a resumed body.
    assert_eq!(agen.anext().await, Err(AsyncGenError::StopAsyncIteration));
    assert_eq!(agen.next().await, None);
    assert_eq!(agen.aclose().await, Ok(()), "closing twice is harmless");
    assert_eq!(agen.take_return(), None);
    assert_eq!(log.borrow().len(), 2);
}

#[asyncio::test]
async fn aclose_before_start_never_runs_the_body() {
    let log = new_log();
    let l = log.clone();
    let agen = async_gen! {
        push(&l, "ran");
        yield ();
    };
    agen.aclose().await.unwrap();
    assert_eq!(agen.anext().await, Err(AsyncGenError::StopAsyncIteration));
    assert!(log.borrow().is_empty());
}

#[asyncio::test]
async fn aclose_of_a_finished_generator_keeps_its_return_value() {
    let mut agen = async_gen! {
        yield 1;
        "result"
    };
    assert_eq!(agen.next().await, Some(1));
    assert_eq!(agen.next().await, None);
    agen.aclose().await.unwrap();
    assert_eq!(agen.take_return(), Some("result"));
}

#[asyncio::test]
async fn aclose_while_a_step_is_in_flight_is_already_running() {
    let agen = async_gen! {
        asyncio::sleep(0.01).await;
        yield 1;
    };
    let (step, close) = futures::join!(agen.anext(), async {
        asyncio::sleep(0).await;
        agen.aclose().await
    });
    assert_eq!(step, Ok(1));
    assert_eq!(close, Err(AsyncGenError::AlreadyRunning));
    agen.aclose().await.unwrap();
}

#[asyncio::test]
async fn next_after_the_end_keeps_returning_none() {
    let mut agen = async_gen! { yield 'a'; };
    assert_eq!(agen.next().await, Some('a'));
    assert_eq!(agen.next().await, None);
    assert_eq!(agen.next().await, None);
    assert_eq!(agen.anext().await, Err(AsyncGenError::StopAsyncIteration));
}

#[asyncio::test]
async fn a_panicking_body_ends_the_generator() {
    let mut agen = async_gen! {
        yield 1;
        panic!("boom in the body");
    };
    assert_eq!(agen.next().await, Some(1));
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let _ = std::pin::Pin::new(&mut agen).poll_next(&mut cx);
    }));
    assert!(caught.is_err());
    assert!(agen.is_finished());
    assert_eq!(agen.next().await, None, "never resumed after a panic");
}

#[test]
fn errors_read_like_pythons() {
    assert_eq!(
        AsyncGenError::AlreadyRunning.to_string(),
        "asynchronous generator is already running"
    );
    assert!(
        AsyncGenError::JustStarted
            .to_string()
            .contains("just-started")
    );
    assert!(
        AsyncGenError::StopAsyncIteration
            .to_string()
            .contains("StopAsyncIteration")
    );
}

#[asyncio::test]
async fn debug_shows_the_state() {
    let mut agen = async_gen! { yield 1; };
    assert_eq!(format!("{agen:?}"), "<async_generator created>");
    agen.next().await;
    assert_eq!(format!("{agen:?}"), "<async_generator suspended>");
    agen.next().await;
    assert_eq!(format!("{agen:?}"), "<async_generator finished>");
}

use asyncio::Stream;
