//! After a scenario: wait until the system is quiet and the index equals
//! the table, then verify (with a re-embedded sample) and read the DLQ.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_sqs::types::QueueAttributeName;
use catalogctl::reconcile::{self, Report, VerifyOptions};
use embedding::{Embedder, LocalEmbedder, LocalEmbedderOptions};
use indicatif::ProgressBar;
use sqlx::PgPool;
use sync_core::change_event::ChangeEvent;
use sync_core::settings::Secret;
use vector_store::{PgVectorStore, PineconeSettings, PineconeStore, VectorStore};

use crate::Config;
use crate::cluster::{self, Cluster};

pub struct Checker {
    pool: PgPool,
    store: Arc<dyn VectorStore>,
    embedder: Arc<dyn Embedder>,
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
    dlq_url: String,
    sample: usize,
    timeout: Duration,
}

/// What the DLQ held.
#[derive(Debug, Default)]
pub struct DeadLetters {
    pub valid: Vec<String>,
    pub other: Vec<String>,
}

impl Checker {
    pub async fn new(cluster: &Cluster, config: &Config) -> anyhow::Result<Self> {
        let dir = testkit::model_dir();
        // One thread: the services need the cores more than the checker.
        let options = LocalEmbedderOptions {
            threads: 1,
            ..LocalEmbedderOptions::default()
        };
        let embedder =
            tokio::task::spawn_blocking(move || LocalEmbedder::load(&dir, options)).await??;
        // The index as it is, not through the services' proxies: the
        // checker sees what a fault left behind, never the fault itself.
        let store: Arc<dyn VectorStore> = match &cluster.pinecone {
            None => Arc::new(PgVectorStore::new(cluster.db.pool.clone())),
            // The checker only reads; the ledger is the services'.
            Some(index) => Arc::new(PineconeStore::new(
                PineconeSettings {
                    index_host: index.double.url().parse().map_err(anyhow::Error::msg)?,
                    api_key: Secret::new(cluster::PINECONE_API_KEY),
                    namespace: None,
                    timeout: Duration::from_secs(30),
                },
                cluster.db.pool.clone(),
            )?),
        };
        Ok(Self {
            pool: cluster.db.pool.clone(),
            store,
            embedder: Arc::new(embedder),
            sqs: cluster.queues.sqs.clone(),
            queue_url: cluster.queues.provisioned.queue_url.clone(),
            dlq_url: cluster.queues.provisioned.dlq_url.clone(),
            sample: config.sample,
            timeout: config.quiesce_timeout,
        })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    async fn verify(&self, sample: usize) -> anyhow::Result<Report> {
        let options = VerifyOptions {
            sample,
            ..VerifyOptions::default()
        };
        let embedder = (sample > 0).then(|| self.embedder.clone());
        Ok(reconcile::verify(
            &self.pool,
            self.store.as_ref(),
            embedder,
            &options,
            &ProgressBar::hidden(),
        )
        .await?)
    }

    /// Messages in the job queue, visible or in flight.
    async fn queued(&self) -> anyhow::Result<u64> {
        let attrs = self
            .sqs
            .get_queue_attributes()
            .queue_url(&self.queue_url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await?
            .attributes
            .unwrap_or_default();
        Ok(attrs.values().map(|v| v.parse::<u64>().unwrap_or(0)).sum())
    }

    /// Wait until the outbox and the queue are empty and a verification
    /// (no sample) is clean; the time it took, or `None` on timeout. Then
    /// the full verification with the re-embedded sample.
    pub async fn quiesce(&self) -> anyhow::Result<(Option<Duration>, Report)> {
        let started = Instant::now();
        let mut settled = None;
        while started.elapsed() < self.timeout {
            let outbox: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
                .fetch_one(&self.pool)
                .await?;
            if outbox == 0 && self.queued().await? == 0 && self.verify(0).await?.is_clean() {
                settled = Some(started.elapsed());
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        Ok((settled, self.verify(self.sample).await?))
    }

    /// Drain the DLQ: valid change events (must never be there) apart from
    /// everything else.
    pub async fn drain_dlq(&self, expected: usize) -> DeadLetters {
        let bodies = testkit::drain_queue(
            &self.sqs,
            &self.dlq_url,
            expected.max(1),
            Duration::from_secs(if expected == 0 { 2 } else { 15 }),
            Duration::from_secs(60),
        )
        .await;
        let mut out = DeadLetters::default();
        for m in bodies {
            if ChangeEvent::decode(&m.body).is_ok() {
                out.valid.push(m.body);
            } else {
                out.other.push(m.body);
            }
        }
        out
    }
}
