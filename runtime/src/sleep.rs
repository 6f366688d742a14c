//! `asyncio.sleep`: suspend the current task for a while.

use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use crate::scheduler::Core;
use crate::scheduler::clock::{duration_to_nanos, secs_to_nanos};
use crate::scheduler::context;
use crate::scheduler::slab::Key;

/// A delay: seconds as a number (`0.5`, `2`) or a [`Duration`].
///
/// Negative delays count as zero; `f64::INFINITY` never elapses; NaN panics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delay(pub(crate) u64);

impl Delay {
    /// The delay as a `Duration` (saturating).
    pub fn as_duration(self) -> Duration {
        Duration::from_nanos(self.0)
    }
}

impl From<Duration> for Delay {
    fn from(d: Duration) -> Self {
        Delay(duration_to_nanos(d))
    }
}

impl From<f64> for Delay {
    #[track_caller]
    fn from(secs: f64) -> Self {
        Delay(secs_to_nanos(secs))
    }
}

impl From<f32> for Delay {
    #[track_caller]
    fn from(secs: f32) -> Self {
        Delay(secs_to_nanos(secs.into()))
    }
}

macro_rules! delay_from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Delay {
            fn from(secs: $t) -> Self {
                Delay(u64::try_from(secs).unwrap_or(0).saturating_mul(1_000_000_000))
            }
        }
    )*};
}

delay_from_int!(i32, u32, i64, u64, usize);

enum State {
    Start,
    /// `sleep(0)`: yielded once, done on the next poll.
    Yielded,
    /// Waiting for the timer in `key` of `core`'s timer table.
    Armed {
        key: Key,
        core: Weak<Core>,
    },
    /// Never fires (an infinite delay); pending until dropped.
    Forever,
    Done,
}

/// The future returned by [`sleep`].
#[must_use = "a sleep does nothing unless awaited"]
pub struct Sleep {
    delay: u64,
    state: State,
}

/// Suspends the current task for `delay` (Python's `asyncio.sleep`).
///
/// The deadline is taken when the sleep is first awaited. `sleep(0)`
/// yields to the loop exactly once, letting other ready tasks run
/// (round-robin).
///
/// ```
/// asyncio::run(async {
///     let lp = asyncio::get_running_loop().unwrap();
///     let start = lp.time();
///     asyncio::sleep(0.01).await;
///     assert!(lp.time() - start >= 0.01);
/// });
/// ```
#[track_caller]
pub fn sleep(delay: impl Into<Delay>) -> Sleep {
    Sleep {
        delay: delay.into().0,
        state: State::Start,
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &self.state {
            State::Start if self.delay == 0 => {
                self.state = State::Yielded;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            State::Start => {
                let core = context::running_core()
                    .expect("asyncio::sleep() was polled outside a running event loop");
                let when = core.clock.now().saturating_add(self.delay);
                self.state = match core.arm_timer(when, cx.waker()) {
                    Some(key) => State::Armed {
                        key,
                        core: Rc::downgrade(&core),
                    },
                    None => State::Forever,
                };
                Poll::Pending
            }
            State::Armed { key, core } => match core.upgrade() {
                Some(core) if core.timer_armed(*key) => {
                    core.set_timer_waker(*key, cx.waker());
                    Poll::Pending
                }
                _ => {
                    self.state = State::Done;
                    Poll::Ready(())
                }
            },
            State::Forever => Poll::Pending,
            State::Yielded | State::Done => {
                self.state = State::Done;
                Poll::Ready(())
            }
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let State::Armed { key, core } = &self.state
            && let Some(core) = core.upgrade()
        {
            core.disarm_timer(*key);
        }
    }
}

impl std::fmt::Debug for Sleep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.state {
            State::Start => "not started",
            State::Yielded => "yielded",
            State::Armed { .. } => "armed",
            State::Forever => "forever",
            State::Done => "done",
        };
        f.debug_struct("Sleep")
            .field("delay", &Duration::from_nanos(self.delay))
            .field("state", &state)
            .finish()
    }
}
