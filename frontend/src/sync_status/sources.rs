//! Where each number of a sample comes from. Every source is asked on its
//! own, bounded by a timeout, so a slow or down dependency blanks only its
//! own cells.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_sqs::types::QueueAttributeName;
use chrono::Utc;
use sqlx::PgPool;
use vector_store::{VectorStore, VectorStoreError};

use super::snapshot::{Lag, QueueDepth, Reading, SyncSnapshot};

/// How many of the most recently changed products are compared with the
/// store to find changes that were sent but are not indexed yet. One
/// `versions()` call of this many ids is a single indexed query on pgvector
/// and a few fetches on Pinecone. A product still behind after this many
/// newer changes is not seen here, but then the outbox, the queue or the
/// DLQ shows the trouble anyway.
const RECENT_CHANGES: i64 = 1_000;

#[derive(Debug, thiserror::Error)]
pub(super) enum SourceError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("SQS: {0}")]
    Queue(String),
    #[error("vector store: {0}")]
    Store(#[from] VectorStoreError),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
}

/// The named sources of a sample, for logs and the `sync_source_up` gauge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Source {
    Database,
    Queue,
    DeadLetterQueue,
    VectorStore,
}

impl Source {
    pub(super) const ALL: [Self; 4] = [
        Self::Database,
        Self::Queue,
        Self::DeadLetterQueue,
        Self::VectorStore,
    ];

    pub(super) fn name(self) -> &'static str {
        match self {
            Self::Database => "postgres",
            Self::Queue => "sqs",
            Self::DeadLetterQueue => "sqs_dlq",
            Self::VectorStore => "vector_store",
        }
    }
}

pub(super) struct Sources {
    pub pool: PgPool,
    pub sqs: aws_sdk_sqs::Client,
    pub store: Arc<dyn VectorStore>,
    pub queue_url: String,
    pub dlq_url: String,
    /// Per source, per sample.
    pub timeout: Duration,
}

/// Counts from Postgres, read in one round trip.
#[derive(Debug, Clone, Copy)]
struct TableCounts {
    outbox: u64,
    parked: u64,
    products: u64,
    oldest_unsent_s: Option<f64>,
}

/// A sample, and why each source that failed did (for the log).
pub(super) struct Sampled {
    pub snapshot: SyncSnapshot,
    pub failures: HashMap<Source, String>,
}

impl Sources {
    pub(super) async fn sample(&self) -> Sampled {
        let (counts, queue, dlq, vectors, unindexed) = tokio::join!(
            self.bounded(self.table_counts()),
            self.bounded(self.queue_depth(&self.queue_url)),
            self.bounded(self.queue_depth(&self.dlq_url)),
            self.bounded(async { Ok(self.store.count().await?) }),
            self.bounded(self.unindexed()),
        );
        let mut failures = HashMap::new();
        let mut keep = |source: Source, result: Result<(), &SourceError>| {
            if let Err(e) = result {
                failures.entry(source).or_insert_with(|| e.to_string());
            }
        };
        keep(Source::Database, counts.as_ref().map(|_| ()));
        keep(Source::Queue, queue.as_ref().map(|_| ()));
        keep(Source::DeadLetterQueue, dlq.as_ref().map(|_| ()));
        keep(Source::VectorStore, vectors.as_ref().map(|_| ()));
        // The lag needs Postgres and the store; blame the first that failed.
        if let Err(e) = &unindexed {
            let source = match e {
                SourceError::Store(_) => Source::VectorStore,
                _ => Source::Database,
            };
            keep(source, Err(e));
        }
        let counts = counts.ok();
        let lag = match (counts, unindexed) {
            (Some(c), Ok((unindexed_s, unindexed_products))) => Reading::Value(Lag {
                unsent_s: c.oldest_unsent_s,
                unindexed_s,
                unindexed_products,
            }),
            _ => Reading::Unavailable,
        };
        let snapshot = SyncSnapshot {
            taken_at: Utc::now(),
            outbox_backlog: counts.map(|c| c.outbox).ok_or(()).into(),
            parked_events: counts.map(|c| c.parked).ok_or(()).into(),
            queue: queue.into(),
            dlq_depth: dlq.map(QueueDepth::total).into(),
            products: counts.map(|c| c.products).ok_or(()).into(),
            vectors: vectors.into(),
            lag,
        };
        Sampled { snapshot, failures }
    }

    async fn bounded<T>(
        &self,
        work: impl Future<Output = Result<T, SourceError>>,
    ) -> Result<T, SourceError> {
        tokio::time::timeout(self.timeout, work)
            .await
            .unwrap_or(Err(SourceError::Timeout(self.timeout)))
    }

    async fn table_counts(&self) -> Result<TableCounts, SourceError> {
        // Ages from the database clock, the one created_at was written by.
        let (outbox, parked, products, oldest_unsent_s): (i64, i64, i64, Option<f64>) =
            sqlx::query_as(
                "SELECT (SELECT count(*) FROM outbox),
                        (SELECT count(*) FROM outbox_parked),
                        (SELECT count(*) FROM products),
                        (SELECT EXTRACT(EPOCH FROM clock_timestamp() - min(created_at))::float8
                         FROM outbox)",
            )
            .fetch_one(&self.pool)
            .await?;
        Ok(TableCounts {
            outbox: non_negative(outbox),
            parked: non_negative(parked),
            products: non_negative(products),
            oldest_unsent_s: oldest_unsent_s.map(|s| s.max(0.0)),
        })
    }

    /// Among the most recently changed products, those whose stored vector
    /// is missing or older than the row: the age of the oldest such change
    /// and how many there are.
    async fn unindexed(&self) -> Result<(Option<f64>, u64), SourceError> {
        // A change's time is when its row was inserted or last updated
        // (GREATEST: a CSV import may carry an older updated_at).
        let recent: Vec<(i64, i64, f64)> = sqlx::query_as(
            "SELECT id, version,
                    EXTRACT(EPOCH FROM clock_timestamp() - GREATEST(created_at, updated_at))::float8
             FROM products
             ORDER BY GREATEST(created_at, updated_at) DESC
             LIMIT $1",
        )
        .bind(RECENT_CHANGES)
        .fetch_all(&self.pool)
        .await?;
        if recent.is_empty() {
            return Ok((None, 0));
        }
        let ids: Vec<i64> = recent.iter().map(|(id, _, _)| *id).collect();
        let stored = self.store.versions(&ids).await?;
        let behind = recent
            .iter()
            .filter(|(id, version, _)| stored.get(id).is_none_or(|v| v < version));
        let (count, oldest) = behind.fold((0_u64, None::<f64>), |(n, oldest), (_, _, age)| {
            (n + 1, Some(oldest.map_or(*age, |o| o.max(*age))))
        });
        Ok((oldest.map(|s| s.max(0.0)), count))
    }

    async fn queue_depth(&self, url: &str) -> Result<QueueDepth, SourceError> {
        let output = self
            .sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await
            .map_err(|e| SourceError::Queue(sync_core::queue::describe_sdk_error(&e)))?;
        let attributes = output.attributes.unwrap_or_default();
        let read = |name: &QueueAttributeName| -> Result<u64, SourceError> {
            attributes
                .get(name)
                .ok_or_else(|| SourceError::Queue(format!("no {name} in the answer")))?
                .parse()
                .map_err(|_| SourceError::Queue(format!("{name} is not a count")))
        };
        Ok(QueueDepth {
            visible: read(&QueueAttributeName::ApproximateNumberOfMessages)?,
            in_flight: read(&QueueAttributeName::ApproximateNumberOfMessagesNotVisible)?,
        })
    }
}

fn non_negative(count: i64) -> u64 {
    u64::try_from(count).unwrap_or(0)
}
