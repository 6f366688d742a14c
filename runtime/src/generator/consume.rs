//! Consuming a generator: `collect`, the comprehension adapters
//! (`filter`, `map`, `then`) and the try-generator helpers.
//!
//! Python's `[f(r) async for r in agen if p(r)]` is
//! `agen.filter(p).map(f).collect::<Vec<_>>().await`. Each adapter is itself
//! a generator (the same state machine), so adapters chain and keep every
//! method; the inner generator's return value is passed through.
//!
//! These are inherent methods, so with `futures::StreamExt` in scope they
//! still win. `map`, `then`, `collect` (and `next`) mean what `StreamExt`'s
//! do; `filter` takes a plain predicate, a comprehension's `if`, where
//! `StreamExt::filter` takes an async one (call it by its path,
//! `StreamExt::filter(agen, ..)`, for that).

#![allow(unsafe_code)] // audited: see ARCHITECTURE.md, "unsafe"

use std::future::Future;

use super::AsyncGen;
use super::block::Block;
use super::co::RawCo;
use super::protocol::AnextValue;

const NO_RETURN: &str = "the generator being adapted had no return value to pass on: it was \
    closed, or its value was taken, before the adapter ran";

impl<Y, R, S: AnextValue, F: Future<Output = R> + ?Sized> AsyncGen<Y, R, S, F> {
    /// Runs the generator to its end and gathers its items into `C` (a
    /// `Vec`, a `HashSet`, a `String`...), like `[x async for x in agen]`.
    /// The return value stays readable with [`take_return`](Self::take_return)
    /// on a generator you keep; see [`try_collect`](Self::try_collect) for
    /// a generator that returns a `Result`.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let words = asyncio::async_gen! {
    ///         for w in ["a", "b", "a"] {
    ///             yield w;
    ///         }
    ///     };
    ///     let set: std::collections::BTreeSet<_> = words.collect().await;
    ///     assert_eq!(set.into_iter().collect::<Vec<_>>(), ["a", "b"]);
    /// });
    /// ```
    pub async fn collect<C: Default + Extend<Y>>(mut self) -> C {
        let mut out = C::default();
        while let Some(item) = self.next().await {
            out.extend(Some(item));
        }
        out
    }

    /// Keeps the items `predicate` accepts: the `if` of a comprehension.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let numbers = asyncio::async_gen! {
    ///         for i in 0..6u32 {
    ///             yield i;
    ///         }
    ///     };
    ///     // [x async for x in numbers if x % 2 == 0]
    ///     let evens: Vec<u32> = numbers.filter(|x| x % 2 == 0).collect().await;
    ///     assert_eq!(evens, [0, 2, 4]);
    /// });
    /// ```
    pub fn filter<P>(self, mut predicate: P) -> AsyncGen<Y, R, (), impl Future<Output = R>>
    where
        P: FnMut(&Y) -> bool,
    {
        self.adapt(move |item| std::future::ready(predicate(&item).then_some(item)))
    }

    /// Transforms each item: the expression of a comprehension.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let numbers = asyncio::async_gen! {
    ///         for i in 1..=3u32 {
    ///             yield i;
    ///         }
    ///     };
    ///     // [x * x async for x in numbers]
    ///     let squares: Vec<u32> = numbers.map(|x| x * x).collect().await;
    ///     assert_eq!(squares, [1, 4, 9]);
    /// });
    /// ```
    pub fn map<T, M>(self, mut f: M) -> AsyncGen<T, R, (), impl Future<Output = R>>
    where
        M: FnMut(Y) -> T,
    {
        self.adapt(move |item| std::future::ready(Some(f(item))))
    }

    /// Transforms each item with an async function, awaiting each result
    /// in turn: `[await f(x) async for x in agen]`.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let ids = asyncio::async_gen! {
    ///         for id in [3u32, 1] {
    ///             yield id;
    ///         }
    ///     };
    ///     // [await fetch(id) async for id in ids]
    ///     let fetched: Vec<String> = ids
    ///         .then(|id| async move {
    ///             asyncio::sleep(0).await;
    ///             format!("record {id}")
    ///         })
    ///         .collect()
    ///         .await;
    ///     assert_eq!(fetched, ["record 3", "record 1"]);
    /// });
    /// ```
    pub fn then<T, Fut, M>(self, mut f: M) -> AsyncGen<T, R, (), impl Future<Output = R>>
    where
        M: FnMut(Y) -> Fut,
        Fut: Future<Output = T>,
    {
        self.adapt(move |item| {
            let value = f(item);
            async move { Some(value.await) }
        })
    }

    /// The adapters' one generator: for each item, `step` says what to
    /// yield (`None`: skip it); the inner return value is passed through.
    fn adapt<T, Fut, M>(self, mut step: M) -> AsyncGen<T, R, (), impl Future<Output = R>>
    where
        M: FnMut(Y) -> Fut,
        Fut: Future<Output = Option<T>>,
    {
        let body = move |co: RawCo<T, ()>| async move {
            let mut inner = self;
            while let Some(item) = inner.next().await {
                if let Some(value) = step(item).await {
                    co.__yield(value).await;
                }
            }
            inner.take_return().expect(NO_RETURN)
        };
        // SAFETY: the handle is only awaited in place, in the body above.
        unsafe { AsyncGen::__from_raw(body) }
    }
}

impl<Y, T, E, S: AnextValue, F: Future<Output = Result<T, E>> + ?Sized>
    AsyncGen<Y, Result<T, E>, S, F>
{
    /// For a generator that returns a `Result` (one whose body uses `?`):
    /// the next item as `Ok(Some(item))`, then `Ok(None)` if the body
    /// returned `Ok`, or `Err(e)` if it failed with `e`. So
    /// `while let Some(x) = agen.try_next().await? { .. }` stops at the
    /// failure and passes it on. An `Ok` return value stays readable with
    /// [`take_return`](Self::take_return).
    ///
    /// ```
    /// use asyncio::AsyncGen;
    /// asyncio::async_gen! {
    ///     async fn parse(input: Vec<&'static str>) -> AsyncGen<u32, Result<(), std::num::ParseIntError>> {
    ///         for s in input {
    ///             yield s.parse::<u32>()?;
    ///         }
    ///         Ok(())
    ///     }
    /// }
    /// asyncio::run(async {
    ///     let mut agen = parse(vec!["1", "x", "3"]);
    ///     assert_eq!(agen.try_next().await, Ok(Some(1)));
    ///     assert!(agen.try_next().await.is_err()); // "x"
    /// });
    /// ```
    ///
    /// # Errors
    /// The error the body returned, once its items before it are taken.
    pub async fn try_next(&mut self) -> Result<Option<Y>, E> {
        if let Some(item) = self.next().await {
            return Ok(Some(item));
        }
        match self.take_return() {
            Some(Err(error)) => Err(error),
            Some(Ok(value)) => {
                // SAFETY: `&mut self` is exclusive access.
                unsafe { Block::put_result(self.core, Ok(value)) };
                Ok(None)
            }
            None => Ok(None),
        }
    }

    /// Collects the items, or returns the error the body failed with.
    ///
    /// ```
    /// use asyncio::AsyncGen;
    /// asyncio::async_gen! {
    ///     async fn parse(input: Vec<&'static str>) -> AsyncGen<u32, Result<(), std::num::ParseIntError>> {
    ///         for s in input {
    ///             yield s.parse::<u32>()?;
    ///         }
    ///         Ok(())
    ///     }
    /// }
    /// asyncio::run(async {
    ///     assert_eq!(parse(vec!["1", "2"]).try_collect::<Vec<_>>().await, Ok(vec![1, 2]));
    ///     assert!(parse(vec!["1", "x"]).try_collect::<Vec<_>>().await.is_err());
    /// });
    /// ```
    ///
    /// # Errors
    /// The error the body returned (its `?`), after the items before it were
    /// taken.
    pub async fn try_collect<C: Default + Extend<Y>>(mut self) -> Result<C, E> {
        let mut out = C::default();
        while let Some(item) = self.try_next().await? {
            out.extend(Some(item));
        }
        Ok(out)
    }
}
