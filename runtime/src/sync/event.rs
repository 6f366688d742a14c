//! `asyncio.Event`: a flag tasks can wait for.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::wait_list::{WaitList, Wakes};

struct State {
    set: bool,
    waiters: WaitList,
}

/// A flag that tasks can wait for (Python's `asyncio.Event`).
///
/// [`set`](Self::set) wakes every task waiting at that moment, even if the
/// flag is cleared again before they run. Cloning gives another handle to
/// the same event.
///
/// ```
/// asyncio::run(async {
///     let event = asyncio::Event::new();
///     let waiter = {
///         let event = event.clone();
///         asyncio::create_task(async move {
///             event.wait().await;
///             "woken"
///         })
///     };
///     asyncio::sleep(0.01).await;
///     event.set();
///     assert_eq!(waiter.await.unwrap(), "woken");
/// });
/// ```
#[derive(Clone)]
pub struct Event {
    state: Rc<RefCell<State>>,
}

impl Event {
    /// An event that is not set.
    pub fn new() -> Self {
        Event {
            state: Rc::new(RefCell::new(State {
                set: false,
                waiters: WaitList::new(),
            })),
        }
    }

    /// Sets the flag and wakes every waiting task.
    ///
    /// ```
    /// asyncio::run(async {
    ///     let event = asyncio::Event::new();
    ///     let e = event.clone();
    ///     let waiter = asyncio::create_task(async move {
    ///         e.wait().await;
    ///         "woken"
    ///     });
    ///     asyncio::sleep(0).await;
    ///     event.set();
    ///     assert_eq!(waiter.await.unwrap(), "woken");
    /// });
    /// ```
    pub fn set(&self) {
        let mut wakes = Wakes::new();
        let mut state = self.state.borrow_mut();
        if !state.set {
            state.set = true;
            state.waiters.grant_all(|| (), &mut wakes);
        }
    }

    /// Clears the flag: later [`wait`](Self::wait)s wait for the next `set`.
    ///
    /// ```
    /// let event = asyncio::Event::new();
    /// event.set();
    /// event.clear();
    /// assert!(!event.is_set());
    /// ```
    pub fn clear(&self) {
        self.state.borrow_mut().set = false;
    }

    /// Whether the flag is set.
    ///
    /// ```
    /// let event = asyncio::Event::new();
    /// assert!(!event.is_set());
    /// event.set();
    /// assert!(event.is_set());
    /// ```
    pub fn is_set(&self) -> bool {
        self.state.borrow().set
    }

    /// Waits until the flag is set (returns at once if it is).
    ///
    /// ```
    /// asyncio::run(async {
    ///     let event = asyncio::Event::new();
    ///     event.set();
    ///     event.wait().await; // already set: at once
    /// });
    /// ```
    pub fn wait(&self) -> EventWait {
        EventWait {
            state: self.state.clone(),
            id: None,
        }
    }
}

impl Default for Event {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.borrow();
        let set = if state.set { "set" } else { "unset" };
        write!(f, "<Event {set} waiters={}>", state.waiters.len())
    }
}

/// The future returned by [`Event::wait`].
#[must_use = "futures do nothing unless awaited"]
pub struct EventWait {
    state: Rc<RefCell<State>>,
    id: Option<u64>,
}

impl Future for EventWait {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        let mut state = this.state.borrow_mut();
        let done = match this.id {
            Some(id) => state.waiters.take_grant(id).is_some(),
            None => state.set,
        };
        if done {
            state.waiters.leave(&mut this.id);
            return Poll::Ready(());
        }
        state.waiters.wait(&mut this.id, cx.waker());
        Poll::Pending
    }
}

impl Drop for EventWait {
    fn drop(&mut self) {
        if let Some(id) = self.id
            && let Ok(mut state) = self.state.try_borrow_mut()
        {
            // Every waiter gets its own wake-up: nothing to pass on.
            state.waiters.remove(id);
        }
    }
}

impl fmt::Debug for EventWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EventWait")
    }
}
