//! The OS wait the idle loop blocks in: `mio::Poll` (one `epoll_wait`)
//! with the next timer's deadline as timeout, woken early by `notify` from
//! any thread;
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
    /// The peer closed its side or the descriptor broke: reads end at
    /// once from now on, so a short read no longer means "drained".
    pub(crate) read_closed: bool,
}

#[cfg(not(miri))]
mod os {
    use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
    use std::sync::Mutex;
    use std::time::Duration;

    use mio::unix::SourceFd;
    use mio::{Events, Interest, Poll, Registry, Token, Waker};

    use super::Readiness;

    /// The token of the cross-thread waker's events.
    const WAKER: Token = Token(usize::MAX);

    pub(crate) struct OsPoller {
        /// Only the loop's thread waits; the lock makes that `Sync`.
        poll: Mutex<(Poll, Events)>,
        registry: Registry,
        waker: Waker,
    }

    impl OsPoller {
        pub(crate) fn new() -> std::io::Result<Self> {
            let poll = Poll::new()?;
            let registry = poll.registry().try_clone()?;
            let waker = Waker::new(&registry, WAKER)?;
            Ok(OsPoller {
                poll: Mutex::new((poll, Events::with_capacity(1024))),
                registry,
                waker,
            })
        }

        pub(crate) fn notify(&self) {
            // A failed notify only delays the wake to the next timeout; the
            // request itself stays queued.
            let _ = self.waker.wake();
        }

        /// Waits (one `epoll_wait`), and appends the sources found ready to
        /// `ready`. A wait interrupted by a signal is a wake like any other.
        pub(crate) fn wait(
            &self,
            timeout: Option<Duration>,
            ready: &mut Vec<Readiness>,
        ) -> std::io::Result<()> {
            let mut guard = self.poll.lock().unwrap_or_else(|e| e.into_inner());
            let (poll, events) = &mut *guard;
            match poll.poll(events, timeout) {
                Err(err) if err.kind() != std::io::ErrorKind::Interrupted => return Err(err),
                _ => {}
            }
            ready.extend(
                events
                    .iter()
                    .filter(|event| event.token() != WAKER)
                    .map(|event| {
                        // An error or hang-up wakes both directions: the
                        // operation that follows says which.
                        let broken = event.is_error();
                        Readiness {
                            key: event.token().0,
                            readable: broken || event.is_readable() || event.is_read_closed(),
                            writable: broken || event.is_writable() || event.is_write_closed(),
                            read_closed: broken || event.is_read_closed(),
                        }
                    }),
            );
            Ok(())
        }

        /// Registers `fd` under `key` for both directions, edge-triggered:
        /// each wait reports what became ready since, with no system call
        /// per wait to re-arm it. The owner removes it before closing it.
        pub(crate) fn insert(&self, fd: RawFd, key: usize) -> std::io::Result<()> {
            self.registry.register(
                &mut SourceFd(&fd),
                Token(key),
                Interest::READABLE | Interest::WRITABLE,
            )
        }

        /// Unregisters `fd` (before it is closed).
        pub(crate) fn remove(&self, fd: BorrowedFd<'_>) -> std::io::Result<()> {
            self.registry.deregister(&mut SourceFd(&fd.as_raw_fd()))
        }
    }
}

#[cfg(miri)]
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
        pub(crate) fn insert(&self, _fd: RawFd, _key: usize) -> std::io::Result<()> {
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
