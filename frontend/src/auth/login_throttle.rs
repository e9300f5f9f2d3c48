//! Login attempts, rate limited per user name: at most
//! `FRONTEND_LOGIN_ATTEMPTS_PER_MINUTE` (as a burst, then refilled evenly),
//! checked *before* the password is, so guessing a password costs the
//! attacker time and costs this server no Argon2 work.
//!
//! Per replica and in memory: with N frontend replicas an attacker gets at
//! most N times the rate, still far too slow for guessing, and a restart
//! forgets the counts. The other side of the trade is that anyone can make
//! a user wait up to a minute by failing on purpose; a lock-out that long
//! is the usual price of throttling by account.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

/// Names tracked before idle entries are dropped: bounds the memory that
/// attempts with made-up user names can take.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug)]
pub struct LoginThrottle {
    per_name: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl LoginThrottle {
    pub fn new(attempts_per_minute: NonZeroU32) -> Self {
        Self {
            per_name: DefaultKeyedRateLimiter::keyed(Quota::per_minute(attempts_per_minute)),
            clock: DefaultClock::default(),
        }
    }

    /// Count one attempt to log in as `username` (compared without case,
    /// like people type names). `Err` says how long to wait before the next
    /// attempt is allowed.
    pub fn attempt(&self, username: &str) -> Result<(), Duration> {
        if self.per_name.len() > PRUNE_ABOVE {
            self.per_name.retain_recent();
        }
        self.per_name
            .check_key(&username.to_lowercase())
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_gets_its_quota_then_waits_and_others_are_unaffected() {
        let throttle = LoginThrottle::new(NonZeroU32::new(3).unwrap_or(NonZeroU32::MIN));
        for _ in 0..3 {
            assert!(throttle.attempt("alice").is_ok());
        }
        let wait = throttle.attempt("Alice").expect_err("the fourth attempt");
        // One attempt is refilled every 20 s at 3 per minute.
        assert!(
            wait > Duration::from_secs(15) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        assert!(throttle.attempt("bob").is_ok());
    }
}
