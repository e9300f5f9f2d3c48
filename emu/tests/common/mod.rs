//! What the acceptance tests share: a fresh database and queues per test
//! (real Postgres + pgvector and the SQS/SNS emulator), pelican and emu run
//! in process or as the release binaries, and the checks that say whether
//! the index matches the table.
//!
//! Each test binary uses a part of this module.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::time::Duration;

use embedding::{Embedder, EmbedderSettings, LocalEmbedder};
use sync_core::document;
use sync_core::settings::{DatabaseSettings, LogFormat, TelemetrySettings};
use sync_core::telemetry::Shutdown;
use testkit::process::{Service, ServiceProcess};
use testkit::{TestDatabase, TestQueues, aws_settings, drain_queue};
use vector_store::{
    PgVectorStore, VectorRecord, VectorStore, VectorStoreKind, VectorStoreSettings,
};

/// Generous: emu loads the model and, on a busy 2-core machine, other
/// test binaries compete for the CPU.
pub const READY_TIMEOUT: Duration = Duration::from_secs(120);

pub fn telemetry() -> TelemetrySettings {
    TelemetrySettings {
        log_format: LogFormat::Pretty,
        log_filter: "warn".into(),
    }
}

pub fn pgvector() -> VectorStoreSettings {
    VectorStoreSettings {
        vector_store: VectorStoreKind::Pgvector,
        pinecone_index_host: None,
        pinecone_api_key: None,
        pinecone_namespace: None,
        pinecone_timeout_ms: 10_000,
    }
}

/// A database and queues of the test's own.
pub struct Stack {
    pub db: TestDatabase,
    pub queues: TestQueues,
    pub shutdown: Shutdown,
}

impl Stack {
    /// `max_receive_count` receives before SQS dead-letters a message;
    /// `visibility_s` is the queue's default visibility timeout.
    pub async fn create(max_receive_count: u32, visibility_s: u32) -> Self {
        testkit::load_env();
        Self {
            db: TestDatabase::create().await,
            queues: TestQueues::create(max_receive_count, visibility_s).await,
            shutdown: Shutdown::new(),
        }
    }

    pub fn pelican_settings(&self) -> pelican::Settings {
        pelican::Settings {
            database: DatabaseSettings {
                database_url: self.db.url.clone(),
            },
            aws: aws_settings(),
            telemetry: telemetry(),
            queue_url: self.queues.provisioned.queue_url.clone(),
            http_addr: "127.0.0.1:0".parse().unwrap(),
            poll_interval_ms: 200,
            claim_batch: 500,
            send_concurrency: 4,
            leader_lock_id: 7_243_015,
            standby_retry_ms: 200,
        }
    }

    pub fn emu_settings(&self, vector_store: VectorStoreSettings) -> emu::Settings {
        emu::Settings {
            database: DatabaseSettings {
                database_url: self.db.url.clone(),
            },
            aws: aws_settings(),
            telemetry: telemetry(),
            vector_store,
            embedder: EmbedderSettings::local(testkit::model_dir()),
            queue_url: self.queues.provisioned.queue_url.clone(),
            dlq_url: self.queues.provisioned.dlq_url.clone(),
            topic_arn: self.queues.provisioned.topic_arn.clone(),
            http_addr: "127.0.0.1:0".parse().unwrap(),
            receivers: 4,
            batch_size: 64,
            batch_timeout_ms: 50,
            wait_time_s: 1,
            visibility_timeout_s: 30,
        }
    }

    /// pelican in this process, until the stack's shutdown.
    pub async fn start_pelican(&self) {
        let app = pelican::Application::build(self.pelican_settings(), self.shutdown.clone())
            .await
            .unwrap();
        tokio::spawn(app.run_until_stopped());
    }

    /// emu in this process, until the stack's shutdown. Returns where its
    /// `/metrics` are served.
    pub async fn start_emu(&self, settings: emu::Settings) -> String {
        let app = emu::Application::build(settings, self.shutdown.clone())
            .await
            .unwrap();
        let url = format!("http://{}", app.health_addr());
        tokio::spawn(app.run_until_stopped());
        url
    }

    /// The environment of a pelican or emu process on this stack: the
    /// emulator's settings from `.env`, then this test's own. `extra`
    /// overrides.
    pub fn process_env(&self, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut env: HashMap<String, String> = [
            "AWS_REGION",
            "AWS_ENDPOINT_URL",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
        ]
        .iter()
        .filter_map(|k| std::env::var(k).ok().map(|v| ((*k).to_owned(), v)))
        .collect();
        let provisioned = &self.queues.provisioned;
        for (k, v) in [
            ("DATABASE_URL", self.db.url.expose().to_owned()),
            ("SQS_QUEUE_URL", provisioned.queue_url.clone()),
            ("SQS_DLQ_URL", provisioned.dlq_url.clone()),
            ("SNS_TOPIC_ARN", provisioned.topic_arn.clone()),
            ("MODEL_DIR", testkit::model_dir().display().to_string()),
            ("LOG_FORMAT", "json".to_owned()),
            ("RUST_LOG", "warn".to_owned()),
            ("PELICAN_POLL_INTERVAL_MS", "200".to_owned()),
            ("PELICAN_STANDBY_RETRY_MS", "200".to_owned()),
            ("EMU_WAIT_TIME_S", "1".to_owned()),
        ] {
            env.insert(k.to_owned(), v);
        }
        for (k, v) in extra {
            env.insert((*k).to_owned(), (*v).to_owned());
        }
        env.into_iter().collect()
    }

    /// Start a release binary on this stack and wait until it is ready.
    pub async fn spawn(&self, service: Service, extra: &[(&str, &str)]) -> ServiceProcess {
        let mut process = ServiceProcess::spawn(service, self.process_env(extra))
            .await
            .unwrap();
        if let Err(log) = process.wait_ready(READY_TIMEOUT).await {
            panic!("{service:?} did not become ready: {log}");
        }
        process
    }

    /// Missing, stale and orphan vectors in pgvector, against the table, and
    /// full-text documents that do not match it (missing, of another
    /// version, or of a deleted product).
    pub async fn drift(&self) -> Drift {
        let (missing, stale, orphans, documents): (i64, i64, i64, i64) = sqlx::query_as(
            "SELECT
               (SELECT count(*) FROM products p LEFT JOIN product_vectors v
                  ON v.product_id = p.id AND NOT v.deleted WHERE v.product_id IS NULL),
               (SELECT count(*) FROM products p JOIN product_vectors v
                  ON v.product_id = p.id AND NOT v.deleted WHERE v.version <> p.version),
               (SELECT count(*) FROM product_vectors v WHERE NOT v.deleted
                  AND NOT EXISTS (SELECT 1 FROM products p WHERE p.id = v.product_id)),
               (SELECT count(*) FROM products p
                  FULL JOIN (SELECT * FROM product_search_documents
                              WHERE document IS NOT NULL) d ON d.product_id = p.id
                 WHERE p.version IS DISTINCT FROM d.version)",
        )
        .fetch_one(&self.db.pool)
        .await
        .unwrap();
        Drift {
            missing,
            stale,
            orphans,
            documents,
        }
    }

    /// Why the index does not match the table, for a failure message: the
    /// drift, a few drifted products with their row and vector versions, the
    /// job queue's depth, the outbox backlog and what the DLQ holds. Drains
    /// the DLQ: call once, when failing.
    pub async fn explain_drift(&self) -> String {
        let examples: Vec<(i64, Option<i64>, Option<i64>)> = sqlx::query_as(
            "SELECT coalesce(p.id, v.product_id), p.version, v.version
               FROM products p
               FULL JOIN (SELECT * FROM product_vectors WHERE NOT deleted) v
                 ON v.product_id = p.id
              WHERE p.version IS DISTINCT FROM v.version
              ORDER BY 1 LIMIT 5",
        )
        .fetch_all(&self.db.pool)
        .await
        .unwrap();
        let outbox: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
            .fetch_one(&self.db.pool)
            .await
            .unwrap();
        let dead = self.dead_letters(Duration::from_secs(1)).await;
        format!(
            "{:?}; (id, row version, vector version) e.g. {examples:?}; \
             queue (waiting, in flight) {:?}; outbox rows {outbox}; \
             {} dead letters, e.g. {:?}",
            self.drift().await,
            self.queue_depth().await,
            dead.len(),
            dead.iter().take(3).collect::<Vec<_>>(),
        )
    }

    pub async fn in_sync(&self) -> bool {
        self.drift().await == Drift::default()
    }

    /// Messages in the DLQ, waiting up to `idle` for them to arrive
    /// (drained: call once, at the end).
    pub async fn dead_letters(&self, idle: Duration) -> Vec<String> {
        drain_queue(
            &self.queues.sqs,
            &self.queues.provisioned.dlq_url,
            usize::MAX,
            idle,
            idle * 4,
        )
        .await
        .into_iter()
        .map(|r| r.body)
        .collect()
    }

    pub fn pgvector(&self) -> PgVectorStore {
        PgVectorStore::new(self.db.pool.clone())
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Drift {
    pub missing: i64,
    pub stale: i64,
    pub orphans: i64,
    /// Products whose full-text document is missing or of another version,
    /// plus documents of deleted products.
    pub documents: i64,
}

/// A row as emu embeds it.
#[derive(Debug, sqlx::FromRow)]
pub struct Row {
    pub id: i64,
    pub version: i64,
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    pub description: String,
}

pub async fn rows(pool: &sqlx::PgPool) -> Vec<Row> {
    sqlx::query_as("SELECT id, version, sku, name, category, description FROM products ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap()
}

pub fn local_embedder() -> LocalEmbedder {
    LocalEmbedder::load(&testkit::model_dir(), Default::default()).unwrap()
}

/// Every row has exactly one vector in `store`: of the row's version, with
/// the row's key and fields in its metadata, and (cosine ≥ 0.999) the
/// embedding of the row's current text. Returns the lowest cosine seen.
pub async fn assert_vectors_match_rows(
    pool: &sqlx::PgPool,
    store: &dyn VectorStore,
    embedder: &dyn Embedder,
) -> f64 {
    let rows = rows(pool).await;
    let mut lowest = 1.0f64;
    for chunk in rows.chunks(500) {
        let ids: Vec<i64> = chunk.iter().map(|r| r.id).collect();
        let stored: HashMap<i64, VectorRecord> = store
            .fetch(&ids)
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.product_id, r))
            .collect();
        let texts: Vec<String> = chunk
            .iter()
            .map(|r| document::compose(&r.name, r.category.as_deref(), &r.description))
            .collect();
        let fresh = embedder.embed(&texts).await.unwrap();
        for (row, expected) in chunk.iter().zip(&fresh) {
            let record = stored
                .get(&row.id)
                .unwrap_or_else(|| panic!("product {} has no vector", row.id));
            assert_eq!(record.version, row.version, "product {} is stale", row.id);
            assert_eq!(record.metadata.sku, row.sku, "product {}", row.id);
            assert_eq!(record.metadata.name, row.name, "product {}", row.id);
            let similarity = testkit::cosine(&record.values, expected);
            assert!(
                similarity >= 0.999,
                "product {}: cosine {similarity} to its current text",
                row.id
            );
            lowest = lowest.min(similarity);
        }
    }
    assert_eq!(
        store.count().await.unwrap(),
        rows.len() as u64,
        "vectors without a row"
    );
    lowest
}

/// A metric of emu's `/metrics` (summed over the series whose labels
/// contain `labels`), 0 when absent.
pub async fn metric(base_url: &str, name: &str, labels: &str) -> f64 {
    testkit::metric(base_url, name, labels).await.unwrap_or(0.0)
}

impl Stack {
    /// A queue subscribed to the alert topic, to read the notifications.
    pub async fn alert_inbox(&self) -> String {
        let sqs = &self.queues.sqs;
        let inbox = sqs
            .create_queue()
            .queue_name(format!("alerts-{}", uuid::Uuid::new_v4().simple()))
            .send()
            .await
            .unwrap()
            .queue_url
            .unwrap();
        let inbox_arn = sqs
            .get_queue_attributes()
            .queue_url(&inbox)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await
            .unwrap()
            .attributes
            .unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn]
            .clone();
        self.queues
            .sns
            .subscribe()
            .topic_arn(&self.queues.provisioned.topic_arn)
            .protocol("sqs")
            .endpoint(inbox_arn)
            .send()
            .await
            .unwrap();
        inbox
    }

    /// The notifications that reached `inbox`, waiting up to `idle` for more.
    pub async fn alerts(&self, inbox: &str, idle: Duration) -> Vec<String> {
        drain_queue(&self.queues.sqs, inbox, usize::MAX, idle, idle * 4)
            .await
            .into_iter()
            .map(|r| r.body)
            .collect()
    }

    /// Messages received by a consumer and not yet deleted or released.
    pub async fn messages_in_flight(&self) -> u64 {
        self.queue_depth().await.1
    }

    /// (waiting, in flight) messages of the job queue.
    pub async fn queue_depth(&self) -> (u64, u64) {
        use aws_sdk_sqs::types::QueueAttributeName as Attr;
        let attributes = self
            .queues
            .sqs
            .get_queue_attributes()
            .queue_url(&self.queues.provisioned.queue_url)
            .attribute_names(Attr::ApproximateNumberOfMessages)
            .attribute_names(Attr::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await
            .unwrap()
            .attributes
            .unwrap_or_default();
        let count = |a: &Attr| attributes[a].parse().unwrap();
        (
            count(&Attr::ApproximateNumberOfMessages),
            count(&Attr::ApproximateNumberOfMessagesNotVisible),
        )
    }

    /// No message waiting in the job queue and none in flight.
    pub async fn queue_idle(&self) -> bool {
        self.queue_depth().await == (0, 0)
    }

    /// Put a raw message on the job queue, as pelican would (FIFO group =
    /// product key).
    pub async fn send_raw(&self, group: &str, dedup: &str, body: &str) {
        self.queues
            .sqs
            .send_message()
            .queue_url(&self.queues.provisioned.queue_url)
            .message_body(body)
            .message_group_id(group)
            .message_deduplication_id(dedup)
            .send()
            .await
            .unwrap();
    }
}

/// Pinecone settings pointing at a test double.
pub fn pinecone(url: &str, api_key: &str) -> VectorStoreSettings {
    VectorStoreSettings {
        vector_store: VectorStoreKind::Pinecone,
        pinecone_index_host: Some(url.parse().unwrap()),
        pinecone_api_key: Some(sync_core::settings::Secret::new(api_key)),
        pinecone_namespace: None,
        pinecone_timeout_ms: 10_000,
    }
}
