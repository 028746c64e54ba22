//! A growing wait between password tries (issue 11): the lock's password
//! is free to get wrong three times in a row; after that each try must
//! wait, twice as long each time, up to a minute. Argon2id already makes
//! each try cost about half a second; the wait slows a person (or a
//! script driving the window) guessing at an unattended computer.
//!
//! Time is passed in, so the rule is tested without sleeping.

use std::time::{Duration, Instant};

/// Wrong passwords allowed before each try must wait.
pub const FREE_TRIES: u32 = 3;
/// The longest wait between tries.
pub const MOST_WAIT: Duration = Duration::from_secs(60);

/// Wrong passwords in a row, and when the next try may come.
#[derive(Debug, Default, Clone)]
pub struct Tries {
    wrong: u32,
    next: Option<Instant>,
}

impl Tries {
    /// The wait after `wrong` wrong passwords in a row: none for the first
    /// three, then 1 s, doubling after each, up to [`MOST_WAIT`].
    pub fn wait_after(wrong: u32) -> Duration {
        if wrong < FREE_TRIES {
            return Duration::ZERO;
        }
        let doublings = (wrong - FREE_TRIES).min(6);
        Duration::from_secs(1u64 << doublings).min(MOST_WAIT)
    }

    /// Whether a try may be made at `now`; `Err` is how long is left,
    /// rounded up to whole seconds (never zero).
    pub fn may_try(&self, now: Instant) -> Result<(), u64> {
        match self.next {
            Some(next) if now < next => Err((next - now).as_secs_f64().ceil().max(1.0) as u64),
            _ => Ok(()),
        }
    }

    /// Records a try made at `now`: a right password starts over, a wrong
    /// one adds to the count.
    pub fn record(&mut self, right: bool, now: Instant) {
        if right {
            *self = Self::default();
            return;
        }
        self.wrong = self.wrong.saturating_add(1);
        let wait = Self::wait_after(self.wrong);
        self.next = (!wait.is_zero()).then(|| now + wait);
    }

    /// Wrong passwords in a row so far.
    pub fn wrong(&self) -> u32 {
        self.wrong
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_grows_after_three_wrong_passwords_and_stops_at_a_minute() {
        let waits: Vec<u64> = (0..12).map(|n| Tries::wait_after(n).as_secs()).collect();
        assert_eq!(waits, [0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(Tries::wait_after(u32::MAX), MOST_WAIT);
    }

    #[test]
    fn a_try_too_soon_is_refused_with_the_seconds_left_and_a_right_one_starts_over() {
        let start = Instant::now();
        let mut tries = Tries::default();
        for n in 0..3 {
            assert_eq!(tries.may_try(start), Ok(()), "try {n} is free");
            tries.record(false, start);
        }
        // The third wrong one set a wait of a second.
        assert_eq!(tries.may_try(start), Err(1));
        assert_eq!(tries.may_try(start + Duration::from_millis(999)), Err(1));
        assert_eq!(tries.may_try(start + Duration::from_secs(1)), Ok(()));
        // A fourth wrong one: two seconds from then.
        let later = start + Duration::from_secs(1);
        tries.record(false, later);
        assert_eq!(tries.may_try(later), Err(2));
        assert_eq!(tries.may_try(later + Duration::from_millis(1500)), Err(1));
        assert_eq!(tries.may_try(later + Duration::from_secs(2)), Ok(()));
        assert_eq!(tries.wrong(), 4);
        // Right at last: free again.
        tries.record(true, later + Duration::from_secs(2));
        assert_eq!(tries.wrong(), 0);
        assert_eq!(tries.may_try(later + Duration::from_secs(2)), Ok(()));
    }

    #[test]
    fn many_wrong_tries_wait_a_minute_and_never_overflow() {
        let now = Instant::now();
        let mut tries = Tries {
            wrong: u32::MAX - 1,
            next: None,
        };
        tries.record(false, now);
        tries.record(false, now);
        assert_eq!(tries.wrong(), u32::MAX);
        assert_eq!(tries.may_try(now), Err(60));
    }
}
