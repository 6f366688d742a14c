//! The OS wait the idle loop blocks in: `polling::Poller` with the next
//! timer's deadline as timeout, woken early by `notify` from any thread;
//! and the I/O sources registered with it (`io/`), whose readiness the wait
//! reports.
//!
//! Under miri (which cannot emulate epoll's timerfd) a condition variable
//! with the same contract stands in, so the rest of the runtime can still
//! be checked for undefined behaviour.

#[cfg(not(miri))]
pub(crate) use os::OsPoller;

#[cfg(miri)]
pub(crate) use emulated::OsPoller;

/// One readiness report: a source's key and what it became ready for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Readiness {
    pub(crate) key: usize,
    pub(crate) readable: bool,
    pub(crate) writable: bool,
}

#[cfg(not(miri))]
#[allow(unsafe_code)] // audited: see ARCHITECTURE.md, "unsafe"
mod os {
    use std::os::fd::{BorrowedFd, RawFd};
    use std::sync::Mutex;
    use std::time::Duration;

    use polling::{Event, Events, PollMode, Poller};

    use super::Readiness;

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

        /// Waits, and appends the sources found ready to `ready`;
        /// `polling` retries `EINTR` itself (keeping the deadline), and one
        /// that still surfaces is a wake like any other.
        pub(crate) fn wait(
            &self,
            timeout: Option<Duration>,
            ready: &mut Vec<Readiness>,
        ) -> std::io::Result<()> {
            let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
            events.clear();
            match self.poller.wait(&mut events, timeout) {
                Err(err) if err.kind() != std::io::ErrorKind::Interrupted => return Err(err),
                _ => {}
            }
            ready.extend(events.iter().map(|event| Readiness {
                key: event.key,
                readable: event.readable,
                writable: event.writable,
            }));
            Ok(())
        }

        /// Registers `fd` under `key` for both directions, edge-triggered:
        /// each wait reports what became ready since, with no system call
        /// per wait to re-arm it.
        ///
        /// # Safety
        /// `fd` stays open until [`remove`](Self::remove) is called for it.
        pub(crate) unsafe fn insert(&self, fd: RawFd, key: usize) -> std::io::Result<()> {
            // SAFETY: the caller keeps `fd` open until it is removed, which
            // is `Poller::add_with_mode`'s contract.
            unsafe {
                self.poller
                    .add_with_mode(fd, Event::all(key), PollMode::Edge)
            }
        }

        /// Unregisters `fd` (before it is closed).
        pub(crate) fn remove(&self, fd: BorrowedFd<'_>) -> std::io::Result<()> {
            self.poller.delete(fd)
        }
    }
}

#[cfg(miri)]
#[allow(unsafe_code)] // audited: see ARCHITECTURE.md, "unsafe" (same contract as `os`)
mod emulated {
    use std::os::fd::{BorrowedFd, RawFd};
    use std::sync::{Condvar, Mutex};
    use std::time::Duration;

    use super::Readiness;

    fn unsupported() -> std::io::Error {
        std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "no I/O under miri: the OS poller is emulated",
        )
    }

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

        /// Refuses: there is no I/O under miri.
        ///
        /// # Safety
        /// As for the OS poller's: `fd` stays open until removed.
        pub(crate) unsafe fn insert(&self, _fd: RawFd, _key: usize) -> std::io::Result<()> {
            Err(unsupported())
        }

        pub(crate) fn remove(&self, _fd: BorrowedFd<'_>) -> std::io::Result<()> {
            Err(unsupported())
        }

        pub(crate) fn wait(
            &self,
            timeout: Option<Duration>,
            _ready: &mut Vec<Readiness>,
        ) -> std::io::Result<()> {
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
