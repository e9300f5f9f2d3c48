//! emu: long-polls the job queue, micro-batches change events, embeds them
//! with all-MiniLM-L6-v2 in process, and upserts or deletes vectors.
//!
//! Pipeline: N receivers → bounded channel (backpressure) → batcher (flush at
//! `EMU_BATCH_SIZE` messages or `EMU_BATCH_TIMEOUT_MS`) → up to two batches in
//! flight in the [`processor`] (one embedding while the other writes).
//! Messages that can never succeed go to the DLQ ([`poison`]). Every task
//! runs under one supervisor: if any of them stops, emu stops (non-zero).

mod batcher;
mod job_queue;
mod metrics;
mod poison;
mod processor;
mod settings;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
pub use settings::Settings;
use sync_core::telemetry::{Readiness, Shutdown, Supervisor, bind_health};
use vector_store::{SearchDocuments, VectorStore};

use crate::job_queue::JobQueue;
use crate::poison::DeadLetters;
use crate::processor::Processor;

/// The batch loop's task name (see [`Application::kill_task`]).
pub const BATCHER_TASK: &str = "batcher";

/// A running service. Its tasks run while this value lives: drive it with
/// [`Application::run_until_stopped`]; dropping it stops them.
pub struct Application {
    health_addr: SocketAddr,
    tasks: Supervisor,
}

impl Application {
    /// Load the model, connect, start receiving. Returns once the health
    /// server listens (tests bind port 0).
    pub async fn build(settings: Settings, shutdown: Shutdown) -> anyhow::Result<Self> {
        Self::start(settings, None, shutdown).await
    }

    /// [`Application::build`] writing to `store` instead of the configured
    /// one (tests: a store that fails on command).
    pub async fn with_store(
        settings: Settings,
        store: Arc<dyn VectorStore>,
        shutdown: Shutdown,
    ) -> anyhow::Result<Self> {
        Self::start(settings, Some(store), shutdown).await
    }

    async fn start(
        settings: Settings,
        store: Option<Arc<dyn VectorStore>>,
        shutdown: Shutdown,
    ) -> anyhow::Result<Self> {
        settings.validate().map_err(anyhow::Error::msg)?;
        metrics::describe();
        let readiness = Readiness::new(&["model", "sqs", "vector_store"]);
        // Health first: `/healthz` answers while the model loads.
        let (health_addr, health) =
            bind_health(settings.http_addr, readiness.clone(), shutdown.clone()).await?;
        let mut tasks = Supervisor::new(readiness.clone(), shutdown.clone());
        tasks.spawn("health", health);

        let embedder = embedding::connect(&settings.embedder)
            .await
            .context("the embedding model (MODEL_DIR / EMBEDDER)")?;
        readiness.set_ok("model");
        let pool = sync_core::db::connect(&settings.database.database_url, 4).await?;
        let store = match store {
            Some(store) => store,
            None => vector_store::connect(&settings.vector_store, pool.clone())?,
        };
        // Full-text documents live in Postgres whatever the vector store.
        let documents = SearchDocuments::new(pool);
        let aws = sync_core::queue::sdk_config(&settings.aws).await;
        let queue = JobQueue {
            client: sync_core::queue::sqs_client(&aws),
            queue_url: settings.queue_url.clone(),
            dlq_url: settings.dlq_url.clone(),
            visibility_timeout_s: settings.visibility_timeout_s,
        };
        let processor = Processor {
            queue: queue.clone(),
            dead_letters: DeadLetters {
                queue: queue.clone(),
                sns: aws_sdk_sns::Client::new(&aws),
                topic_arn: settings.topic_arn.clone(),
            },
            embedder,
            store: Arc::clone(&store),
            documents,
            readiness: readiness.clone(),
            shutdown: shutdown.clone(),
        };

        let (sender, receiver) = tokio::sync::mpsc::channel(settings.max_in_flight());
        for _ in 0..settings.receivers {
            tasks.spawn(
                "receiver",
                batcher::receive_loop(
                    queue.clone(),
                    settings.wait_time_s,
                    sender.clone(),
                    readiness.clone(),
                    shutdown.clone(),
                ),
            );
        }
        drop(sender);
        tasks.spawn(
            BATCHER_TASK,
            batcher::batch_loop(
                receiver,
                settings.batch_size as usize,
                settings.batch_timeout(),
                processor,
            ),
        );
        tasks.spawn(
            "probe",
            batcher::probe_loop(queue, store, readiness, shutdown),
        );
        Ok(Self { health_addr, tasks })
    }

    pub fn health_addr(&self) -> SocketAddr {
        self.health_addr
    }

    /// Kill one of emu's tasks as a crash would (fault-injection tests):
    /// emu then stops and [`Application::run_until_stopped`] fails.
    pub fn kill_task(&self, name: &str) -> bool {
        self.tasks.abort(name)
    }

    /// Run until shutdown: receivers stop, the batch in hand is finished or
    /// released, then every task ends. An error means a task stopped on its
    /// own (the process should exit non-zero and be replaced).
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        Ok(self.tasks.run().await?)
    }
}
