//! How the body of an `async with` ended, as its manager's exit sees it.

use std::fmt;

/// How the body of an `async with` ended: what Python passes to
/// `__aexit__` as `(exc_type, exc, tb)`, typed by the body's output `R`.
///
/// The exit gets it as `&mut Outcome<R>`: it may read it (commit on
/// success, roll back otherwise) and change it — replace an error, or
/// suppress one by putting a value in its place, as Python's `__aexit__`
/// does by returning `True`. What the outcome holds after the exit is what
/// `async_with!` then does: return the value, resume the panic, or carry
/// on with the cancellation.
///
/// ```
/// use asyncio::Outcome;
///
/// let mut outcome: Outcome<Result<u32, String>> = Outcome::Returned(Err("disk full".into()));
/// assert_eq!(outcome.error().map(String::as_str), Some("disk full"));
/// assert!(!outcome.is_ok());
/// outcome.suppress(); // the error is not the caller's concern
/// assert_eq!(outcome.value(), Some(&Ok(0)));
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Outcome<R> {
    /// The body finished with this value (an `Err` included: see
    /// [`error`](Self::error)).
    Returned(R),
    /// The body panicked. The panic resumes once the exit is done; an exit
    /// cannot stop it.
    Panicked,
    /// The body was cancelled (a `Task::cancel`, a timeout, a task group's
    /// abort). The cancellation carries on once the exit is done, unless
    /// the exit puts a value in its place — do that only for a cancellation
    /// that is the manager's own, as `timeout` does.
    Cancelled,
}

impl<R> Outcome<R> {
    /// Whether the body finished (with any value, an `Err` included).
    pub fn is_returned(&self) -> bool {
        matches!(self, Outcome::Returned(_))
    }

    /// Whether the body panicked.
    pub fn is_panicked(&self) -> bool {
        matches!(self, Outcome::Panicked)
    }

    /// Whether the body was cancelled.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Outcome::Cancelled)
    }

    /// The body's value, if it finished.
    pub fn value(&self) -> Option<&R> {
        match self {
            Outcome::Returned(value) => Some(value),
            _ => None,
        }
    }

    /// The body's value, mutably, if it finished.
    pub fn value_mut(&mut self) -> Option<&mut R> {
        match self {
            Outcome::Returned(value) => Some(value),
            _ => None,
        }
    }

    /// Takes the outcome, leaving `Cancelled` in its place.
    pub(crate) fn take(&mut self) -> Outcome<R> {
        std::mem::replace(self, Outcome::Cancelled)
    }
}

impl<T, E> Outcome<Result<T, E>> {
    /// Whether the body finished with `Ok`: the transaction's "commit".
    pub fn is_ok(&self) -> bool {
        matches!(self, Outcome::Returned(Ok(_)))
    }

    /// The error the body returned, if it returned one.
    pub fn error(&self) -> Option<&E> {
        match self {
            Outcome::Returned(Err(error)) => Some(error),
            _ => None,
        }
    }

    /// Replaces the body's result with `Err(error)`: the exit failed (a
    /// commit that did not go through), or it swaps the body's error for
    /// another. Ignored after a panic, which resumes regardless.
    pub fn set_error(&mut self, error: E) {
        if !self.is_panicked() {
            *self = Outcome::Returned(Err(error));
        }
    }

    /// Suppresses the body's error: `async_with!` then returns
    /// `Ok(T::default())` (Python's `__aexit__` returning `True`; a
    /// suppressed `async with` has no value, hence the default). Does
    /// nothing unless the body returned an error.
    pub fn suppress(&mut self)
    where
        T: Default,
    {
        if let Outcome::Returned(result @ Err(_)) = self {
            *result = Ok(T::default());
        }
    }
}

impl<R> fmt::Debug for Outcome<R> {
    /// Says how the body ended, not its value (which need not be `Debug`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Returned(_) => "Returned(..)",
            Outcome::Panicked => "Panicked",
            Outcome::Cancelled => "Cancelled",
        })
    }
}
