//! `contextlib.AsyncExitStack`: a dynamic number of managers and
//! callbacks, exited in reverse order.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::panic::resume_unwind;
use std::pin::Pin;
use std::rc::Rc;

use super::with::CatchUnwind;
use super::{AsyncContextManager, Outcome};
use crate::cancel::catch_cancelled;
use crate::scheduler::delivery;

/// One registered exit: takes the outcome so far and gives back the
/// outcome after it.
type Exit<'a, R> =
    Box<dyn FnOnce(Outcome<R>) -> Pin<Box<dyn Future<Output = Outcome<R>> + 'a>> + 'a>;

/// Python's `contextlib.AsyncExitStack`: enter any number of managers and
/// push async callbacks; they all exit in reverse order, each seeing the
/// [`Outcome`] the one before it left (an error one exit sets is what the
/// next one sees, as contextlib chains exceptions).
///
/// It is a handle: clones share the stack. Used as a manager itself (its
/// value is a clone), it exits everything when the body ends, however it
/// ends.
///
/// ```
/// use asyncio::{AsyncExitStack, async_context, async_with};
/// use std::{cell::RefCell, rc::Rc};
///
/// let log = Rc::new(RefCell::new(Vec::new()));
/// let l = log.clone();
/// asyncio::run(async move {
///     let open = |name: &'static str| {
///         let l = l.clone();
///         async_context! {
///             l.borrow_mut().push(format!("open {name}"));
///             yield name;
///             l.borrow_mut().push(format!("close {name}"));
///         }
///     };
///     async_with!(AsyncExitStack::new() as stack => {
///         for name in ["a", "b", "c"] {
///             stack.enter_async_context(open(name)).await;
///         }
///         l.borrow_mut().push("body".to_string());
///     });
/// });
/// assert_eq!(*log.borrow(), ["open a", "open b", "open c", "body", "close c", "close b", "close a"]);
/// ```
pub struct AsyncExitStack<'a, R = ()> {
    exits: Rc<RefCell<Vec<Exit<'a, R>>>>,
}

impl<'a, R: 'a> AsyncExitStack<'a, R> {
    /// An empty stack.
    pub fn new() -> Self {
        AsyncExitStack {
            exits: Rc::new(RefCell::new(Vec::new())),
        }
    }

    /// Enters `manager` and returns its value; its exit is pushed on the
    /// stack (Python's `enter_async_context`). A manager whose enter does
    /// not finish is not pushed.
    pub async fn enter_async_context<M>(&self, mut manager: M) -> M::Value
    where
        M: AsyncContextManager<R> + 'a,
    {
        let value = manager.aenter().await;
        self.push(Box::new(move |mut outcome| {
            Box::pin(async move {
                manager.aexit(&mut outcome).await;
                outcome
            })
        }));
        value
    }

    /// Pushes a callback that exits like a manager: it sees the outcome so
    /// far and may change it (Python's `push_async_exit`).
    ///
    /// ```
    /// use asyncio::{AsyncExitStack, Outcome};
    ///
    /// asyncio::run(async {
    ///     let stack = AsyncExitStack::<Result<u32, String>>::new();
    ///     stack.push_async_exit(async |outcome: &mut Outcome<Result<u32, String>>| {
    ///         outcome.suppress();
    ///     });
    ///     let after = stack.exit(Outcome::Returned(Err("lost".into()))).await;
    ///     assert_eq!(after.value(), Some(&Ok(0)));
    /// });
    /// ```
    pub fn push_async_exit<F>(&self, exit: F)
    where
        F: AsyncFnOnce(&mut Outcome<R>) + 'a,
    {
        self.push(Box::new(move |mut outcome| {
            Box::pin(async move {
                exit(&mut outcome).await;
                outcome
            })
        }));
    }

    /// Pushes a future to await at exit, whatever the outcome (Python's
    /// `push_async_callback`).
    pub fn push_async_callback<F>(&self, callback: F)
    where
        F: Future<Output = ()> + 'a,
    {
        self.push(Box::new(move |outcome| {
            Box::pin(async move {
                callback.await;
                outcome
            })
        }));
    }

    /// Moves every registered exit to a new stack and leaves this one
    /// empty (Python's `pop_all`): enter several managers, then hand them
    /// all on once the last one succeeded.
    pub fn pop_all(&self) -> AsyncExitStack<'a, R> {
        AsyncExitStack {
            exits: Rc::new(RefCell::new(std::mem::take(&mut *self.exits.borrow_mut()))),
        }
    }

    /// How many exits are registered.
    pub fn len(&self) -> usize {
        self.exits.borrow().len()
    }

    /// Whether no exit is registered.
    pub fn is_empty(&self) -> bool {
        self.exits.borrow().is_empty()
    }

    /// Runs every registered exit, last first, threading `outcome` through
    /// them, and returns what the last one left. An exit that panics is an
    /// `Outcome::Panicked` for the ones after it, and the panic resumes once
    /// they all ran. An exit interrupted by a cancellation is an
    /// `Outcome::Cancelled` for the ones after it (they still run, as
    /// contextlib passes the `CancelledError` on to the next callback), and
    /// the cancellation carries on once they all ran.
    pub async fn exit(&self, mut outcome: Outcome<R>) -> Outcome<R> {
        let mut panic = None;
        let mut cancelled = None;
        loop {
            // The stack is not borrowed across the await: an exit may
            // push more.
            let Some(exit) = self.exits.borrow_mut().pop() else {
                break;
            };
            let kept = if panic.is_some() {
                Outcome::Panicked
            } else {
                outcome
            };
            outcome = match catch_cancelled(CatchUnwind::new(exit(kept))).await {
                Ok(Ok(after)) => after,
                Ok(Err(payload)) => {
                    panic.get_or_insert(payload);
                    Outcome::Panicked
                }
                Err(error) => {
                    cancelled = Some(error);
                    Outcome::Cancelled
                }
            };
        }
        if let Some(payload) = panic {
            resume_unwind(payload);
        }
        if let Some(error) = cancelled {
            delivery::raise(error);
            return std::future::pending().await;
        }
        outcome
    }

    fn push(&self, exit: Exit<'a, R>) {
        self.exits.borrow_mut().push(exit);
    }
}

impl<'a> AsyncExitStack<'a, ()> {
    /// Runs every registered exit as after a body that finished (Python's
    /// `aclose`).
    pub async fn aclose(&self) {
        self.exit(Outcome::Returned(())).await;
    }
}

impl<'a, R: 'a> Default for AsyncExitStack<'a, R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<R> Clone for AsyncExitStack<'_, R> {
    /// Another handle on the same stack.
    fn clone(&self) -> Self {
        AsyncExitStack {
            exits: self.exits.clone(),
        }
    }
}

/// The stack as a manager: its value is a handle to enter managers with;
/// when the body ends, everything on it exits.
impl<'a, R: 'a> AsyncContextManager<R> for AsyncExitStack<'a, R> {
    type Value = AsyncExitStack<'a, R>;

    async fn aenter(&mut self) -> Self::Value {
        self.clone()
    }

    async fn aexit(self, outcome: &mut Outcome<R>) {
        let after = self.exit(outcome.take()).await;
        *outcome = after;
    }
}

impl<R> fmt::Debug for AsyncExitStack<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncExitStack")
            .field("exits", &self.exits.borrow().len())
            .finish()
    }
}
