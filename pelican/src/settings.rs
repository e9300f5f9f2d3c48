//! pelican's settings, from environment variables (docs/configuration.md).

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use sync_core::settings::{AwsSettings, DatabaseSettings, TelemetrySettings};

#[derive(Parser, Debug, Clone)]
#[command(
    name = "pelican",
    about = "Relays the products outbox to the SQS job queue",
    version
)]
pub struct Settings {
    #[command(flatten)]
    pub database: DatabaseSettings,

    #[command(flatten)]
    pub aws: AwsSettings,

    #[command(flatten)]
    pub telemetry: TelemetrySettings,

    /// The FIFO job queue events are sent to.
    #[arg(long, env = "SQS_QUEUE_URL", value_name = "SQS_QUEUE_URL")]
    pub queue_url: String,

    /// Where `/healthz`, `/readyz` and `/metrics` are served.
    #[arg(
        long,
        env = "PELICAN_HTTP_ADDR",
        value_name = "PELICAN_HTTP_ADDR",
        default_value = "127.0.0.1:9101"
    )]
    pub http_addr: SocketAddr,

    /// Fallback poll of the outbox when no NOTIFY arrives (a notification is
    /// only a wake-up; this bounds the delay if one is ever missed).
    #[arg(
        long,
        env = "PELICAN_POLL_INTERVAL_MS",
        value_name = "PELICAN_POLL_INTERVAL_MS",
        default_value_t = 1000,
        value_parser = clap::value_parser!(u64).range(10..=600_000)
    )]
    pub poll_interval_ms: u64,

    /// Outbox events claimed per round.
    #[arg(
        long,
        env = "PELICAN_CLAIM_BATCH",
        value_name = "PELICAN_CLAIM_BATCH",
        default_value_t = 500,
        value_parser = clap::value_parser!(u32).range(1..=10_000)
    )]
    pub claim_batch: u32,

    /// Concurrent SendMessageBatch calls. Events are split into lanes by
    /// product, so each product's events are still sent in order.
    #[arg(
        long,
        env = "PELICAN_SEND_CONCURRENCY",
        value_name = "PELICAN_SEND_CONCURRENCY",
        default_value_t = 4,
        value_parser = clap::value_parser!(u32).range(1..=64)
    )]
    pub send_concurrency: u32,

    /// The Postgres advisory lock that elects the single active relay.
    /// Replicas sharing a database must share this id.
    #[arg(
        long,
        env = "PELICAN_LEADER_LOCK_ID",
        value_name = "PELICAN_LEADER_LOCK_ID",
        default_value_t = 7_243_015
    )]
    pub leader_lock_id: i64,

    /// How often a standby tries to take the leadership.
    #[arg(
        long,
        env = "PELICAN_STANDBY_RETRY_MS",
        value_name = "PELICAN_STANDBY_RETRY_MS",
        default_value_t = 1000,
        value_parser = clap::value_parser!(u64).range(10..=60_000)
    )]
    pub standby_retry_ms: u64,
}

impl Settings {
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms)
    }

    pub fn standby_retry(&self) -> Duration {
        Duration::from_millis(self.standby_retry_ms)
    }
}
