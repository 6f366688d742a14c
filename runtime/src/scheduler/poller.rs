//! The OS wait the idle loop blocks in: `polling::Poller` with the next
//! timer's deadline as timeout, woken early by `notify` from any thread.
//!
//! Under miri (which cannot emulate epoll's timerfd) a condition variable
//! with the same contract stands in, so the rest of the runtime can still
//! be checked for undefined behaviour.

#[cfg(not(miri))]
pub(crate) use os::OsPoller;

#[cfg(miri)]
pub(crate) use emulated::OsPoller;

#[cfg(not(miri))]
mod os {
    use std::sync::Mutex;
    use std::time::Duration;

    use polling::{Events, Poller};

    pub(crate) struct OsPoller {
        poller: Poller,
        events: Mutex<Events>,
    }

    impl OsPoller {
        pub(crate) fn new() -> std::io::Result<Self> {
            Ok(OsPoller {
                poller: Poller::new()?,
                events: Mutex::new(Events::new()),
            })
        }

        pub(crate) fn notify(&self) {
            // A failed notify only delays the wake to the next timeout; the
            // request itself stays queued.
            let _ = self.poller.notify();
        }

        /// Waits; `polling` retries `EINTR` itself (keeping the deadline),
        /// and one that still surfaces is a wake like any other.
        pub(crate) fn wait(&self, timeout: Option<Duration>) -> std::io::Result<()> {
            let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
            events.clear();
            match self.poller.wait(&mut events, timeout) {
                Err(err) if err.kind() != std::io::ErrorKind::Interrupted => Err(err),
                _ => Ok(()),
            }
        }
    }
}

#[cfg(miri)]
mod emulated {
    use std::sync::{Condvar, Mutex};
    use std::time::Duration;

    pub(crate) struct OsPoller {
        notified: Mutex<bool>,
        cond: Condvar,
    }

    impl OsPoller {
        pub(crate) fn new() -> std::io::Result<Self> {
            Ok(OsPoller {
                notified: Mutex::new(false),
                cond: Condvar::new(),
            })
        }

        pub(crate) fn notify(&self) {
            *self.notified.lock().unwrap() = true;
            self.cond.notify_one();
        }

        pub(crate) fn wait(&self, timeout: Option<Duration>) -> std::io::Result<()> {
            let mut notified = self.notified.lock().unwrap_or_else(|e| e.into_inner());
            if !*notified {
                notified = match timeout {
                    Some(t) => {
                        self.cond
                            .wait_timeout(notified, t)
                            .unwrap_or_else(|e| e.into_inner())
                            .0
                    }
                    None => self
                        .cond
                        .wait_while(notified, |n| !*n)
                        .unwrap_or_else(|e| e.into_inner()),
                };
            }
            *notified = false;
            Ok(())
        }
    }
}
