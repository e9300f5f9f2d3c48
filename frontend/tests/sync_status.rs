//! The sync status of a running frontend (`/status`, `/status/badge`,
//! `/status/chart.svg`, `/api/status`, `/metrics`) against the real servers:
//! a fresh database, fresh emulator queues and the pgvector store. Nothing
//! relays or embeds here: the test itself fills the outbox, the queues and
//! the index, and watches the numbers follow.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::time::Duration;

use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use clap::Parser;
use serde_json::Value;
use sync_core::telemetry::Shutdown;
use testkit::{TestDatabase, TestQueues, eventually};
use vector_store::{DIMENSION, PgVectorStore, ProductMetadata, VectorRecord, VectorStore};

const WAIT: Duration = Duration::from_secs(20);

struct Frontend {
    base: String,
    client: reqwest::Client,
    shutdown: Shutdown,
}

impl Drop for Frontend {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}

impl Frontend {
    /// The frontend on a free port, sampling every 100 ms, its SQS client
    /// pointed at `aws_endpoint`.
    async fn start(db: &TestDatabase, queues: &TestQueues, aws_endpoint: &str) -> Self {
        let model_dir = testkit::model_dir();
        let session_key = "sync-status-test-key-".repeat(3);
        let settings = frontend::Settings::try_parse_from([
            "frontend",
            "--database-url",
            db.url.expose(),
            "--http-addr",
            "127.0.0.1:0",
            "--session-key",
            &session_key,
            "--model-dir",
            &model_dir.display().to_string(),
            "--aws-endpoint-url",
            aws_endpoint,
            "--queue-url",
            &queues.provisioned.queue_url,
            "--dlq-url",
            &queues.provisioned.dlq_url,
            "--sample-interval-ms",
            "100",
            "--history-minutes",
            "1",
        ])
        .unwrap();
        let shutdown = Shutdown::new();
        let app = frontend::Application::build(settings, shutdown.clone())
            .await
            .unwrap();
        let addr: SocketAddr = app.addr();
        tokio::spawn(app.run_until_stopped());
        Self {
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            shutdown,
        }
    }

    async fn get(&self, path: &str) -> (u16, String, String) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, content_type, response.text().await.unwrap())
    }

    async fn status(&self) -> Value {
        let (code, _, body) = self.get("/api/status").await;
        assert_eq!(code, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }

    /// Wait until `/api/status`'s latest sample satisfies `check`.
    async fn sample_where(&self, check: impl Fn(&Value) -> bool) -> Value {
        let reached = eventually(WAIT, || async { check(&self.status().await["latest"]) }).await;
        let status = self.status().await;
        assert!(reached, "no sample matched; last: {status:#}");
        status
    }
}

async fn insert_products(pool: &sqlx::PgPool, n: u64) {
    let products: Vec<_> = sample_catalog::generate(7, n).collect();
    sync_core::product::upsert_products(pool, &products)
        .await
        .unwrap();
}

async fn send_messages(queues: &TestQueues, url: &str, n: usize) {
    let entries = (0..n)
        .map(|i| {
            SendMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .message_body("{}")
                .message_group_id(format!("g{i}"))
                .message_deduplication_id(rand::random::<u64>().to_string())
                .build()
                .unwrap()
        })
        .collect();
    let sent = queues
        .sqs
        .send_message_batch()
        .queue_url(url)
        .set_entries(Some(entries))
        .send()
        .await
        .unwrap();
    assert!(sent.failed.is_empty());
}

fn vector_of(product_id: i64, version: i64) -> VectorRecord {
    let mut values = vec![0.0; DIMENSION];
    values[0] = 1.0;
    VectorRecord {
        product_id,
        version,
        values,
        metadata: ProductMetadata {
            sku: format!("SKU-{product_id}"),
            name: "n".into(),
            category: None,
            price: None,
        },
    }
}

fn emulator_endpoint() -> String {
    testkit::aws_settings()
        .aws_endpoint_url
        .map(|u| u.0)
        .unwrap()
}

#[tokio::test]
async fn the_numbers_follow_the_backlog_the_queues_and_the_index() {
    testkit::load_env();
    let db = TestDatabase::create().await;
    let queues = TestQueues::create(3, 30).await;
    let frontend = Frontend::start(&db, &queues, &emulator_endpoint()).await;

    let idle = frontend.sample_where(|s| s.is_object()).await;
    assert_eq!(idle["state"], "in_sync", "{idle:#}");

    // Five committed changes nobody relays: they wait in the outbox; three
    // messages wait in the job queue.
    insert_products(&db.pool, 5).await;
    send_messages(&queues, &queues.provisioned.queue_url, 3).await;
    let status = frontend
        .sample_where(|s| s["outbox_backlog"] == 5 && s["queue"]["visible"] == 3)
        .await;
    let latest = &status["latest"];
    assert_eq!(status["state"], "syncing");
    assert_eq!(status["pending_changes"], 8);
    assert_eq!(latest["products"], 5);
    assert_eq!(latest["vectors"], 0);
    assert_eq!(latest["dlq_depth"], 0);
    assert!(
        latest["lag"]["unsent_s"].as_f64().unwrap() >= 0.0,
        "{latest:#}"
    );
    assert_eq!(latest["lag"]["unindexed_products"], 5);

    let (code, content_type, page) = frontend.get("/status").await;
    assert_eq!(code, 200);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(
        page.contains(r#"<section id="sync-status" class="sync-status" data-state="syncing""#),
        "{page}"
    );
    assert!(
        page.contains(r#"<tr id="sync-outbox" data-available="true">"#),
        "{page}"
    );
    assert!(page.contains("/status/chart.svg?at="), "{page}");
    assert!(!page.contains("unavailable"), "{page}");
    // Strict CSP: no inline script or style on the page.
    assert!(
        !page.contains("<script>") && !page.contains(" style="),
        "{page}"
    );
    let (_, _, badge) = frontend.get("/status/badge").await;
    assert!(badge.contains(">syncing 8</a>"), "{badge}");

    // Two products indexed at their current version; one message dead.
    let ids: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, version FROM products ORDER BY id LIMIT 2")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    let store = PgVectorStore::new(db.pool.clone());
    let records: Vec<VectorRecord> = ids.iter().map(|(id, v)| vector_of(*id, *v)).collect();
    store.upsert(&records).await.unwrap();
    send_messages(&queues, &queues.provisioned.dlq_url, 1).await;
    let status = frontend
        .sample_where(|s| s["vectors"] == 2 && s["dlq_depth"] == 1)
        .await;
    assert_eq!(status["state"], "degraded");
    assert_eq!(status["latest"]["lag"]["unindexed_products"], 3);
    assert!(
        status["history"].as_array().unwrap().len() >= 3,
        "{status:#}"
    );
    let (_, _, badge) = frontend.get("/status/badge").await;
    assert!(badge.contains(">degraded</a>"), "{badge}");

    let (code, content_type, svg) = frontend.get("/status/chart.svg").await;
    assert_eq!(code, 200);
    assert_eq!(content_type, "image/svg+xml");
    assert!(svg.contains("<polyline"), "{svg}");

    let (_, _, metrics) = frontend.get("/metrics").await;
    for gauge in [
        "sync_outbox_backlog",
        "sync_queue_depth",
        "sync_dlq_depth",
        "sync_lag_seconds",
        "sync_vectors",
    ] {
        assert!(metrics.contains(gauge), "{gauge} missing from /metrics");
    }
}

#[tokio::test]
async fn a_down_queue_is_unavailable_and_the_page_still_answers() {
    testkit::load_env();
    let db = TestDatabase::create().await;
    let queues = TestQueues::create(3, 30).await;
    insert_products(&db.pool, 2).await;
    // Nothing listens on a port that was bound and released.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let frontend = Frontend::start(&db, &queues, &format!("http://{closed}")).await;

    let status = frontend.sample_where(|s| s["outbox_backlog"] == 2).await;
    let latest = &status["latest"];
    assert_eq!(latest["queue"], serde_json::json!({"unavailable": true}));
    assert_eq!(
        latest["dlq_depth"],
        serde_json::json!({"unavailable": true})
    );
    assert_eq!(latest["products"], 2, "Postgres still answers");
    assert_eq!(latest["vectors"], 0, "the store still answers");
    assert_eq!(status["state"], "degraded");

    for path in [
        "/status",
        "/status/badge",
        "/status/chart.svg",
        "/api/status",
    ] {
        let (code, _, body) = frontend.get(path).await;
        assert_eq!(code, 200, "{path}: {body}");
    }
    let (_, _, page) = frontend.get("/status").await;
    assert!(
        page.contains(r#"<tr id="sync-queue-waiting" data-available="false">"#),
        "{page}"
    );
    assert!(page.contains("Not every source answers"), "{page}");
}
