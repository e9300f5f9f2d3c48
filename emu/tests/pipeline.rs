//! emu end to end: pelican relays the outbox, emu embeds and writes pgvector.
//! Real Postgres + pgvector and the real SQS/SNS emulator; the model from
//! MODEL_DIR (`make test` fetches it).
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::time::Duration;

use shared::settings::{DatabaseSettings, LogFormat, TelemetrySettings};
use shared::telemetry::Shutdown;
use shared::testing::{TestDatabase, TestQueues, aws_settings, eventually};
use shared::vector_store::{PgVectorStore, VectorStore};

fn telemetry() -> TelemetrySettings {
    TelemetrySettings {
        log_format: LogFormat::Pretty,
        log_filter: "warn".into(),
    }
}

/// MODEL_DIR from `.env` is relative to the workspace root, where the
/// services run; tests run in the crate directory.
fn model_dir() -> PathBuf {
    shared::testing::load_env();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    root.join(std::env::var_os("MODEL_DIR").map_or_else(
        || PathBuf::from(".local/model/all-MiniLM-L6-v2"),
        PathBuf::from,
    ))
}

struct Pipeline {
    db: TestDatabase,
    queues: TestQueues,
    shutdown: Shutdown,
}

impl Pipeline {
    async fn start() -> Self {
        shared::testing::load_env();
        let db = TestDatabase::create().await;
        let queues = TestQueues::create(3, 30).await;
        let shutdown = Shutdown::new();
        let pelican = pelican::Settings {
            database: DatabaseSettings {
                database_url: db.url.clone(),
            },
            aws: aws_settings(),
            telemetry: telemetry(),
            queue_url: queues.provisioned.queue_url.clone(),
            http_addr: "127.0.0.1:0".parse().unwrap(),
            poll_interval_ms: 200,
            claim_batch: 500,
            send_concurrency: 4,
            leader_lock_id: 7_243_015,
            standby_retry_ms: 200,
        };
        let app = pelican::Application::build(pelican, shutdown.clone())
            .await
            .unwrap();
        tokio::spawn(app.run_until_stopped());
        let emu = emu::Settings {
            database: DatabaseSettings {
                database_url: db.url.clone(),
            },
            aws: aws_settings(),
            telemetry: telemetry(),
            vector_store: shared::vector_store::VectorStoreSettings {
                vector_store: shared::vector_store::VectorStoreKind::Pgvector,
                pinecone_index_host: None,
                pinecone_api_key: None,
                pinecone_namespace: None,
                pinecone_timeout_ms: 10_000,
            },
            queue_url: queues.provisioned.queue_url.clone(),
            dlq_url: queues.provisioned.dlq_url.clone(),
            topic_arn: queues.provisioned.topic_arn.clone(),
            model_dir: model_dir(),
            embed_threads: 0,
            http_addr: "127.0.0.1:0".parse().unwrap(),
            receivers: 4,
            batch_size: 64,
            batch_timeout_ms: 50,
            wait_time_s: 1,
            visibility_timeout_s: 30,
        };
        let app = emu::Application::build(emu, shutdown.clone())
            .await
            .unwrap();
        tokio::spawn(app.run_until_stopped());
        Self {
            db,
            queues,
            shutdown,
        }
    }

    /// True when every row has a vector of its current version and no
    /// vector exists without a row.
    async fn in_sync(&self) -> bool {
        let (missing, stale, orphans): (i64, i64, i64) = sqlx::query_as(
            "SELECT
               (SELECT count(*) FROM products p LEFT JOIN product_vectors v
                  ON v.product_id = p.id AND NOT v.deleted WHERE v.product_id IS NULL),
               (SELECT count(*) FROM products p JOIN product_vectors v
                  ON v.product_id = p.id AND NOT v.deleted WHERE v.version <> p.version),
               (SELECT count(*) FROM product_vectors v WHERE NOT v.deleted
                  AND NOT EXISTS (SELECT 1 FROM products p WHERE p.id = v.product_id))",
        )
        .fetch_one(&self.db.pool)
        .await
        .unwrap();
        missing == 0 && stale == 0 && orphans == 0
    }
}

#[tokio::test]
async fn inserts_updates_and_deletes_reach_pgvector() {
    let pipeline = Pipeline::start().await;
    let pool = &pipeline.db.pool;
    let products: Vec<_> = shared::catalog::generator::generate(11, 2_000).collect();
    shared::catalog::store::upsert_products(pool, &products)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE products SET description = description || ' Now in blue.' WHERE id % 10 = 0",
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("DELETE FROM products WHERE id % 50 = 1")
        .execute(pool)
        .await
        .unwrap();

    let synced = eventually(Duration::from_secs(180), || pipeline.in_sync()).await;
    assert!(synced, "index never matched the table");
    let store = PgVectorStore::new(pool.clone());
    assert_eq!(store.count().await.unwrap(), 2_000 - 40);

    // The stored vector is the embedding of the row's current text.
    let (id, name, category, description): (i64, String, Option<String>, String) = sqlx::query_as(
        "SELECT id, name, category, description FROM products WHERE id % 10 = 0 ORDER BY id LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let text = shared::catalog::document::compose(&name, category.as_deref(), &description);
    let embedder =
        shared::embedding::LocalEmbedder::load(&model_dir(), Default::default()).unwrap();
    let fresh = shared::embedding::Embedder::embed(&embedder, &[text])
        .await
        .unwrap();
    let hits = store
        .query(&fresh[0], 1, &shared::vector_store::QueryFilter::default())
        .await
        .unwrap();
    assert_eq!(hits[0].product_id, id);
    assert!(hits[0].score >= 0.999, "cosine {}", hits[0].score);
    pipeline.shutdown.trigger();
}

#[tokio::test]
async fn poison_goes_to_the_dlq_with_one_notification_and_does_not_block_others() {
    let pipeline = Pipeline::start().await;
    let sqs = &pipeline.queues.sqs;
    // Listen to the alert topic through a queue subscribed to it.
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
    pipeline
        .queues
        .sns
        .subscribe()
        .topic_arn(&pipeline.queues.provisioned.topic_arn)
        .protocol("sqs")
        .endpoint(inbox_arn)
        .send()
        .await
        .unwrap();

    let poison = [
        ("bad-json", "{not json".to_owned()),
        ("unknown-version", r#"{"schema_version":99}"#.to_owned()),
        ("missing-key", r#"{"schema_version":1,"event_id":"6f1c2b1e-8c1a-4f7e-9d7a-0c2b7f7d9a10","op":"delete","version":2,"occurred_at":"2026-01-01T00:00:00Z"}"#.to_owned()),
        ("wrong-types", r#"{"schema_version":1,"event_id":"6f1c2b1e-8c1a-4f7e-9d7a-0c2b7f7d9a11","op":"delete","product_id":"seven","version":2,"occurred_at":"2026-01-01T00:00:00Z"}"#.to_owned()),
        ("huge-text", serde_json::json!({"schema_version":1,"event_id":"6f1c2b1e-8c1a-4f7e-9d7a-0c2b7f7d9a12","op":"upsert","product_id":5,"version":1,"occurred_at":"2026-01-01T00:00:00Z","product":{"sku":"X","name":"x","description":"y".repeat(200_000),"category":null,"price":null}}).to_string()),
    ];
    for (group, body) in &poison {
        sqs.send_message()
            .queue_url(&pipeline.queues.provisioned.queue_url)
            .message_body(body)
            .message_group_id(*group)
            .message_deduplication_id(*group)
            .send()
            .await
            .unwrap();
    }
    let products: Vec<_> = shared::catalog::generator::generate(12, 200).collect();
    shared::catalog::store::upsert_products(&pipeline.db.pool, &products)
        .await
        .unwrap();

    let synced = eventually(Duration::from_secs(120), || pipeline.in_sync()).await;
    assert!(synced, "valid messages were held back");
    let dead = shared::testing::drain_queue(
        sqs,
        &pipeline.queues.provisioned.dlq_url,
        poison.len(),
        Duration::from_secs(10),
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(
        dead.len(),
        poison.len(),
        "each poison message in the DLQ once"
    );
    let alerts = shared::testing::drain_queue(
        sqs,
        &inbox,
        10,
        Duration::from_secs(5),
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(
        alerts.len(),
        poison.len(),
        "one notification per poison message"
    );
    let text: String = alerts.iter().map(|a| a.body.clone()).collect();
    for reason in [
        "not valid JSON",
        "unsupported schema version",
        "does not match",
        "longer than the cap",
    ] {
        assert!(text.contains(reason), "no notification says {reason:?}");
    }
    pipeline.shutdown.trigger();
}
