//! The loop's clock: real monotonic time, or virtual time for tests.
//!
//! Deadlines are nanoseconds since the loop's epoch. A virtual clock only
//! moves when the loop jumps it to the next timer deadline while idle, so
//! timer-heavy tests are exact and instant.

use std::cell::Cell;
use std::time::{Duration, Instant};

pub(crate) struct Clock {
    epoch: Instant,
    /// `Some(now)` when the clock is virtual.
    virtual_now: Option<Cell<u64>>,
}

impl Clock {
    pub(crate) fn new(virtual_time: bool) -> Self {
        Clock {
            epoch: Instant::now(),
            virtual_now: virtual_time.then(|| Cell::new(0)),
        }
    }

    pub(crate) fn is_virtual(&self) -> bool {
        self.virtual_now.is_some()
    }

    /// Nanoseconds since the epoch.
    pub(crate) fn now(&self) -> u64 {
        match &self.virtual_now {
            Some(now) => now.get(),
            None => duration_to_nanos(self.epoch.elapsed()),
        }
    }

    /// Moves a virtual clock forward to `when` (never backwards).
    pub(crate) fn advance_to(&self, when: u64) {
        if let Some(now) = &self.virtual_now
            && when > now.get()
        {
            now.set(when);
        }
    }
}

/// Saturating conversion: a deadline beyond ~584 years is "never".
pub(crate) fn duration_to_nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Seconds as `f64` (asyncio's unit for `loop.time()`).
pub(crate) fn nanos_to_secs(nanos: u64) -> f64 {
    nanos as f64 / 1e9
}

/// Seconds (possibly fractional, negative or infinite) to a delay in
/// nanoseconds; negative means zero, infinity means never (`u64::MAX`).
#[track_caller]
pub(crate) fn secs_to_nanos(secs: f64) -> u64 {
    assert!(
        !secs.is_nan(),
        "a delay or deadline must be a number, not NaN"
    );
    if secs <= 0.0 {
        0
    } else if secs >= u64::MAX as f64 / 1e9 {
        u64::MAX
    } else {
        (secs * 1e9).round() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_clock_only_moves_forward() {
        let clock = Clock::new(true);
        assert_eq!(clock.now(), 0);
        clock.advance_to(5);
        clock.advance_to(3);
        assert_eq!(clock.now(), 5);
    }

    #[test]
    fn seconds_conversions() {
        assert_eq!(secs_to_nanos(-1.0), 0);
        assert_eq!(secs_to_nanos(1.5), 1_500_000_000);
        assert_eq!(secs_to_nanos(f64::INFINITY), u64::MAX);
        assert_eq!(nanos_to_secs(2_500_000_000), 2.5);
    }
}
