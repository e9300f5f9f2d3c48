//! Settings of the sync status sampler (docs/configuration.md).

use std::time::Duration;

/// Where the sampler looks and how often. The queue URLs are the ones
/// pelican fills and emu drains (the same variables).
#[derive(clap::Args, Debug, Clone)]
pub struct SyncStatusSettings {
    /// The FIFO job queue whose depth is shown.
    #[arg(long, env = "SQS_QUEUE_URL", value_name = "SQS_QUEUE_URL")]
    pub queue_url: String,

    /// Its dead-letter queue: anything in it is a change that never reached
    /// the index.
    #[arg(long, env = "SQS_DLQ_URL", value_name = "SQS_DLQ_URL")]
    pub dlq_url: String,

    /// How often a sample is taken.
    #[arg(
        long,
        env = "STATUS_SAMPLE_INTERVAL_MS",
        value_name = "STATUS_SAMPLE_INTERVAL_MS",
        default_value_t = 2_000,
        value_parser = clap::value_parser!(u64).range(100..=600_000)
    )]
    pub sample_interval_ms: u64,

    /// How far back the chart and `/api/status` history reach.
    #[arg(
        long,
        env = "STATUS_HISTORY_MINUTES",
        value_name = "STATUS_HISTORY_MINUTES",
        default_value_t = 15,
        value_parser = clap::value_parser!(u64).range(1..=1_440)
    )]
    pub history_minutes: u64,
}

impl SyncStatusSettings {
    pub fn sample_interval(&self) -> Duration {
        Duration::from_millis(self.sample_interval_ms)
    }

    pub fn history_window(&self) -> Duration {
        Duration::from_secs(self.history_minutes * 60)
    }

    /// Samples the ring buffer keeps: the window divided by the interval,
    /// plus one so that a full window has both ends.
    pub fn history_capacity(&self) -> usize {
        let samples = self.history_window().as_millis() / u128::from(self.sample_interval_ms);
        usize::try_from(samples)
            .unwrap_or(usize::MAX)
            .saturating_add(1)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        status: SyncStatusSettings,
    }

    #[test]
    fn defaults_and_bounds() {
        let cli = Cli::try_parse_from(["x", "--queue-url", "q", "--dlq-url", "d"]).unwrap();
        assert_eq!(cli.status.sample_interval(), Duration::from_secs(2));
        assert_eq!(cli.status.history_window(), Duration::from_secs(900));
        assert_eq!(cli.status.history_capacity(), 451);
        assert!(
            Cli::try_parse_from([
                "x",
                "--queue-url",
                "q",
                "--dlq-url",
                "d",
                "--sample-interval-ms",
                "5"
            ])
            .is_err()
        );
    }
}
