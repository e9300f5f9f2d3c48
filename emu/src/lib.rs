//! emu: long-polls the job queue, micro-batches change events, embeds them
//! with all-MiniLM-L6-v2 in process, and upserts or deletes vectors.
//!
//! Pipeline: N receivers → bounded channel (backpressure) → batcher (flush at
//! `EMU_BATCH_SIZE` messages or `EMU_BATCH_TIMEOUT_MS`) → up to two batches in
//! flight in the [`processor`] (one embedding while the other writes).

mod alerts;
mod batcher;
mod coalesce;
mod job_queue;
mod metrics;
mod processor;
mod settings;

use std::net::SocketAddr;

pub use settings::Settings;
use shared::telemetry::{Readiness, Shutdown, serve_health};
use tokio::task::JoinHandle;

use crate::alerts::Alerts;
use crate::job_queue::JobQueue;
use crate::processor::Processor;

pub struct Application {
    health_addr: SocketAddr,
    tasks: Vec<JoinHandle<()>>,
}

impl Application {
    /// Load the model, connect, start receiving. Returns once the health
    /// server listens (tests bind port 0).
    pub async fn build(settings: Settings, shutdown: Shutdown) -> anyhow::Result<Self> {
        settings.validate().map_err(anyhow::Error::msg)?;
        metrics::describe();
        let readiness = Readiness::new(&["model", "sqs", "vector_store"]);
        let (health_addr, health) =
            serve_health(settings.http_addr, readiness.clone(), shutdown.clone()).await?;

        let embedder = shared::embedding::connect(&settings.embedder)
            .await
            .map_err(|e| anyhow::anyhow!("embedder: {e}"))?;
        readiness.set_ok("model");

        let pool = shared::db::connect(&settings.database.database_url, 4).await?;
        let store = shared::vector_store::connect(&settings.vector_store, Some(pool)).await?;
        let aws = shared::queue::sdk_config(&settings.aws).await;
        let queue = JobQueue {
            client: shared::queue::sqs_client(&aws),
            queue_url: settings.queue_url.clone(),
            dlq_url: settings.dlq_url.clone(),
            visibility_timeout_s: settings.visibility_timeout_s,
        };
        let processor = Processor {
            queue: queue.clone(),
            alerts: Alerts {
                client: shared::queue::sns_client(&aws),
                topic_arn: settings.topic_arn.clone(),
            },
            embedder,
            store: store.clone(),
            readiness: readiness.clone(),
            shutdown: shutdown.clone(),
        };

        let (sender, receiver) = tokio::sync::mpsc::channel(settings.max_in_flight());
        let mut tasks = vec![health];
        for _ in 0..settings.receivers {
            tasks.push(tokio::spawn(batcher::receive_loop(
                queue.clone(),
                settings.wait_time_s,
                sender.clone(),
                readiness.clone(),
                shutdown.clone(),
            )));
        }
        drop(sender);
        tasks.push(tokio::spawn(batcher::batch_loop(
            receiver,
            settings.batch_size as usize,
            settings.batch_timeout(),
            processor,
        )));
        tasks.push(tokio::spawn(batcher::probe_loop(
            queue, store, readiness, shutdown,
        )));
        Ok(Self { health_addr, tasks })
    }

    pub fn health_addr(&self) -> SocketAddr {
        self.health_addr
    }

    /// Wait for shutdown: receivers stop, the batch in hand is finished or
    /// released, then every task ends.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        for task in self.tasks {
            task.await?;
        }
        Ok(())
    }
}
