//! The one retry schedule every loop in the system uses.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};

/// Exponential backoff with jitter, from `min` doubling to `max`, forever.
///
/// Forever, because the callers (pelican's relay and sender, emu's receivers
/// and batches) must never give up on a change while a dependency heals:
/// they stop only on shutdown. Jitter keeps several replicas from retrying
/// in lockstep against a recovering service.
pub fn backoff(min: Duration, max: Duration) -> impl Iterator<Item = Duration> {
    ExponentialBuilder::default()
        .with_min_delay(min)
        .with_max_delay(max)
        .with_jitter()
        .without_max_times()
        .build()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn grows_and_is_capped() {
        let delays: Vec<_> = super::backoff(Duration::from_millis(100), Duration::from_secs(1))
            .take(12)
            .collect();
        assert!(delays.iter().all(|d| *d <= Duration::from_secs(2)));
        assert!(delays[11] >= Duration::from_secs(1));
    }
}
