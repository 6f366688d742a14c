//! Async iterators: Python's `__aiter__`/`__anext__` on your own type.
//!
//! Implement [`AsyncIterator`] with an `async fn anext(&mut self)` and
//! [`aiter`] turns the value into an [`AsyncGen`] (a `Stream`), with no
//! hand-written pinning or boxing: the generator's body owns the iterator
//! and awaits one `anext` at a time.

#![allow(unsafe_code)] // audited: see ARCHITECTURE.md, "unsafe"

use std::future::Future;

use super::AsyncGen;
use super::co::RawCo;

/// Python's async iterator protocol: `anext` returns the next item, or
/// `None` where Python raises `StopAsyncIteration`.
///
/// ```
/// use asyncio::AsyncIterator;
///
/// struct Countdown(u32);
///
/// impl AsyncIterator for Countdown {
///     type Item = u32;
///     async fn anext(&mut self) -> Option<u32> {
///         asyncio::sleep(0).await;
///         let n = self.0;
///         self.0 = n.checked_sub(1)?;
///         Some(n)
///     }
/// }
///
/// asyncio::run(async {
///     let items: Vec<u32> = asyncio::aiter(Countdown(3)).collect().await;
///     assert_eq!(items, [3, 2, 1]);
/// });
/// ```
pub trait AsyncIterator {
    /// What the iterator produces.
    type Item;

    /// The next item, or `None` when the iterator is exhausted.
    fn anext(&mut self) -> impl Future<Output = Option<Self::Item>>;

    /// This iterator as a generator: [`aiter`] as a method.
    ///
    /// ```
    /// use asyncio::AsyncIterator;
    /// struct Twice(u8);
    /// impl AsyncIterator for Twice {
    ///     type Item = u8;
    ///     async fn anext(&mut self) -> Option<u8> {
    ///         (self.0 < 2).then(|| {
    ///             self.0 += 1;
    ///             self.0
    ///         })
    ///     }
    /// }
    /// let all = asyncio::run(async { Twice(0).aiter().collect::<Vec<_>>().await });
    /// assert_eq!(all, [1, 2]);
    /// ```
    fn aiter(self) -> AsyncGen<Self::Item, Self, (), impl Future<Output = Self>>
    where
        Self: Sized,
    {
        aiter(self)
    }
}

/// Python's `aiter(obj)`: an [`AsyncIterator`] as an [`AsyncGen`], which is
/// a `Stream` and has `next`, `collect` and the comprehension adapters.
/// The generator returns the iterator itself once it is exhausted.
///
/// ```
/// use asyncio::AsyncIterator;
/// struct Countdown(u32);
/// impl AsyncIterator for Countdown {
///     type Item = u32;
///     async fn anext(&mut self) -> Option<u32> {
///         asyncio::sleep(0).await;
///         self.0 = self.0.checked_sub(1)?;
///         Some(self.0)
///     }
/// }
/// asyncio::run(async {
///     let mut agen = asyncio::aiter(Countdown(3));
///     let mut seen = Vec::new();
///     while let Some(n) = agen.next().await {
///         seen.push(n);
///     }
///     assert_eq!(seen, [2, 1, 0]);
///     assert_eq!(agen.take_return().map(|c| c.0), Some(0)); // the iterator comes back
/// });
/// ```
pub fn aiter<I: AsyncIterator>(iterator: I) -> AsyncGen<I::Item, I, (), impl Future<Output = I>> {
    let body = move |co: RawCo<I::Item, ()>| async move {
        let mut iterator = iterator;
        while let Some(item) = iterator.anext().await {
            co.__yield(item).await;
        }
        iterator
    };
    // SAFETY: the handle is only awaited in place, in the body above.
    unsafe { AsyncGen::__from_raw(body) }
}
