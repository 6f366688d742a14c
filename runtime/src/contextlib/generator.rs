//! `@asynccontextmanager`: a manager written as a generator that yields
//! once, made by `async_context!`.

use std::fmt;
use std::future::Future;

use super::{AsyncContextManager, Outcome};
use crate::generator::AsyncGen;

/// A manager written as a generator (Python's `@asynccontextmanager`),
/// made by `async_context!`: the code before its one `yield` is the
/// enter, the yielded value is what the body receives, and the code after
/// it is the exit, which gets the body's [`Outcome`] from the `yield`.
///
/// `V` is the yielded value, `R` the output of the bodies it guards, and
/// `F` the generator's body (a compiler-made future; the fn form of
/// `async_context!` writes it for you).
///
/// ```
/// use asyncio::{AsyncContext, async_context, async_with};
///
/// async_context! {
///     /// The seeds' `connection()`.
///     async fn connection() -> AsyncContext<&'static str> {
///         println!("Setting up connection");
///         asyncio::sleep(1).await;
///         yield "sqlite";
///         asyncio::sleep(1).await;
///         println!("Shutting down");
///     }
/// }
///
/// asyncio::Runner::new().virtual_time(true).run(async {
///     async_with!(connection() as db => {
///         println!("{db} is ready");
///     });
/// });
/// ```
///
/// Exactly one `yield` must run. `async_context!` rejects a body without
/// one, or with two on one path, at compile time; a body that still
/// finishes without yielding (its `yield` sits in a branch not taken)
/// panics at the enter ("generator didn't yield" in Python), and one that
/// yields again panics at the exit ("generator didn't stop").
pub struct AsyncContext<V, R, F: ?Sized> {
    generator: AsyncGen<V, Option<Outcome<R>>, Option<Outcome<R>>, F>,
}

impl<V, R, F> AsyncContext<V, R, F> {
    /// Wraps the generator `async_context!` built; not for direct use.
    #[doc(hidden)]
    pub fn __from_gen(generator: AsyncGen<V, Option<Outcome<R>>, Option<Outcome<R>>, F>) -> Self {
        AsyncContext { generator }
    }
}

/// The value of the generator's `yield`: the body's outcome, stored where
/// the generator returns it from. Used by `async_context!`'s expansion.
#[doc(hidden)]
pub fn resumed<R>(slot: &mut Option<Outcome<R>>, sent: Option<Outcome<R>>) -> &mut Outcome<R> {
    slot.insert(sent.expect("an `async_context!` generator is resumed only by its exit"))
}

impl<V, R, F> AsyncContextManager<R> for AsyncContext<V, R, F>
where
    F: Future<Output = Option<Outcome<R>>>,
{
    type Value = V;

    async fn aenter(&mut self) -> V {
        match self.generator.next().await {
            Some(value) => value,
            None => panic!(
                "an `async_context!` generator finished without yielding: it must `yield` \
                 exactly once, on every path (Python: \"generator didn't yield\")"
            ),
        }
    }

    async fn aexit(mut self, outcome: &mut Outcome<R>) {
        if self.generator.asend(Some(outcome.take())).await.is_ok() {
            panic!(
                "an `async_context!` generator yielded a second time: it must `yield` exactly \
                 once (Python: \"generator didn't stop\")"
            );
        }
        if let Some(Some(after)) = self.generator.take_return() {
            *outcome = after;
        }
    }
}

impl<V, R, F: ?Sized> fmt::Debug for AsyncContext<V, R, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncContext")
            .field("finished", &self.generator.is_finished())
            .finish_non_exhaustive()
    }
}
