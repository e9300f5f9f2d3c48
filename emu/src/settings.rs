//! emu's settings, from environment variables (docs/configuration.md).

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use embedding::EmbedderSettings;
use sync_core::settings::{AwsSettings, DatabaseSettings, TelemetrySettings};
use vector_store::VectorStoreSettings;

#[derive(Parser, Debug, Clone)]
#[command(
    name = "emu",
    about = "Embeds change events and writes them to the vector store",
    version
)]
pub struct Settings {
    #[command(flatten)]
    pub database: DatabaseSettings,

    #[command(flatten)]
    pub aws: AwsSettings,

    #[command(flatten)]
    pub telemetry: TelemetrySettings,

    #[command(flatten)]
    pub vector_store: VectorStoreSettings,

    #[command(flatten)]
    pub embedder: EmbedderSettings,

    /// The FIFO job queue pelican fills.
    #[arg(long, env = "SQS_QUEUE_URL", value_name = "SQS_QUEUE_URL")]
    pub queue_url: String,

    /// Where messages that can never succeed are moved.
    #[arg(long, env = "SQS_DLQ_URL", value_name = "SQS_DLQ_URL")]
    pub dlq_url: String,

    /// Topic told about every message moved to the DLQ, with the reason.
    #[arg(long, env = "SNS_TOPIC_ARN", value_name = "SNS_TOPIC_ARN")]
    pub topic_arn: String,

    /// Where `/healthz`, `/readyz` and `/metrics` are served.
    #[arg(
        long,
        env = "EMU_HTTP_ADDR",
        value_name = "EMU_HTTP_ADDR",
        default_value = "127.0.0.1:9102"
    )]
    pub http_addr: SocketAddr,

    /// Concurrent long-poll receivers (each takes up to 10 messages).
    #[arg(
        long,
        env = "EMU_RECEIVERS",
        value_name = "EMU_RECEIVERS",
        default_value_t = 4,
        value_parser = clap::value_parser!(u32).range(1..=64)
    )]
    pub receivers: u32,

    /// A batch is flushed when it holds this many messages...
    #[arg(
        long,
        env = "EMU_BATCH_SIZE",
        value_name = "EMU_BATCH_SIZE",
        default_value_t = 64,
        value_parser = clap::value_parser!(u32).range(1..=10_000)
    )]
    pub batch_size: u32,

    /// ...or this long after its first message arrived.
    #[arg(
        long,
        env = "EMU_BATCH_TIMEOUT_MS",
        value_name = "EMU_BATCH_TIMEOUT_MS",
        default_value_t = 50,
        value_parser = clap::value_parser!(u64).range(1..=600_000)
    )]
    pub batch_timeout_ms: u64,

    /// Long-poll wait per ReceiveMessage call (SQS allows 0..=20 s).
    #[arg(
        long,
        env = "EMU_WAIT_TIME_S",
        value_name = "EMU_WAIT_TIME_S",
        default_value_t = 20,
        value_parser = clap::value_parser!(i32).range(0..=20)
    )]
    pub wait_time_s: i32,

    /// Visibility timeout emu asks for and extends while a batch is in hand.
    #[arg(
        long,
        env = "EMU_VISIBILITY_TIMEOUT_S",
        value_name = "EMU_VISIBILITY_TIMEOUT_S",
        default_value_t = 60,
        value_parser = clap::value_parser!(i32).range(10..=43_200)
    )]
    pub visibility_timeout_s: i32,
}

impl Settings {
    /// Checks across settings that clap cannot express. Messages wait in
    /// the batcher for up to the batch timeout before their visibility is
    /// extended, so the timeout must leave them well inside the visibility
    /// timeout, or they would be redelivered while still in hand.
    pub fn validate(&self) -> Result<(), String> {
        let visibility_ms = u64::from(self.visibility_timeout_s.unsigned_abs()) * 1000;
        if self.batch_timeout_ms >= visibility_ms / 2 {
            return Err(format!(
                "EMU_BATCH_TIMEOUT_MS ({}) must be below half of EMU_VISIBILITY_TIMEOUT_S ({} s)",
                self.batch_timeout_ms, self.visibility_timeout_s
            ));
        }
        Ok(())
    }

    pub fn batch_timeout(&self) -> Duration {
        Duration::from_millis(self.batch_timeout_ms)
    }

    /// Messages received but not yet acknowledged, at most: the receivers
    /// stop polling when this many are in hand (backpressure).
    pub fn max_in_flight(&self) -> usize {
        self.batch_size as usize * 2
    }
}
