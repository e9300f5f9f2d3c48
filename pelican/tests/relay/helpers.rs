//! Shared set-up for pelican's integration tests: a fresh database and
//! queues per test, pelican in process (port 0) or as a real process.
#![allow(clippy::unwrap_used, dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use pelican::{Application, Settings};
use sync_core::change_event::ChangeEvent;
use sync_core::settings::{AwsSettings, DatabaseSettings, LogFormat, TelemetrySettings};
use sync_core::telemetry::Shutdown;
use testkit::process::{Service, ServiceProcess};
use testkit::{Received, TestDatabase, TestQueues, aws_settings};

pub struct TestStack {
    pub db: TestDatabase,
    pub queues: TestQueues,
}

impl TestStack {
    pub async fn new() -> Self {
        Self {
            db: TestDatabase::create().await,
            queues: TestQueues::create(5, 30).await,
        }
    }

    pub fn settings(&self) -> Settings {
        Settings {
            database: DatabaseSettings {
                database_url: self.db.url.clone(),
            },
            aws: aws_settings(),
            telemetry: TelemetrySettings {
                log_format: LogFormat::Pretty,
                log_filter: "warn".into(),
            },
            queue_url: self.queues.provisioned.queue_url.clone(),
            http_addr: "127.0.0.1:0".parse().unwrap(),
            poll_interval_ms: 500,
            claim_batch: 500,
            send_concurrency: 4,
            leader_lock_id: 7_243_015,
            standby_retry_ms: 200,
        }
    }

    pub async fn outbox_len(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM outbox")
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }

    /// Wait until pelican has emptied the outbox.
    pub async fn wait_outbox_empty(&self, timeout: Duration) {
        let drained = testkit::eventually(timeout, || async { self.outbox_len().await == 0 }).await;
        assert!(
            drained,
            "outbox not drained in {timeout:?}: {} left",
            self.outbox_len().await
        );
    }

    /// Receive everything currently in the queue (bounded waits).
    pub async fn receive(&self, expected: usize) -> Vec<(Received, ChangeEvent)> {
        self.queues
            .drain(expected, Duration::from_secs(4), Duration::from_secs(180))
            .await
            .into_iter()
            .map(|r| {
                let event = ChangeEvent::decode(&r.body).unwrap();
                (r, event)
            })
            .collect()
    }
}

/// pelican in this process; stops when the returned `Shutdown` triggers.
pub async fn spawn_pelican(
    settings: Settings,
) -> (SocketAddr, Shutdown, tokio::task::JoinHandle<()>) {
    let shutdown = Shutdown::new();
    let app = Application::build(settings, shutdown.clone())
        .await
        .unwrap();
    let addr = app.health_addr();
    let task = tokio::spawn(async move { app.run_until_stopped().await.unwrap() });
    (addr, shutdown, task)
}

/// pelican as a real process (the release binary), ready, for SIGKILL /
/// SIGTERM tests.
pub async fn start_process(settings: &Settings) -> ServiceProcess {
    let mut process = ServiceProcess::spawn(Service::Pelican, process_env(settings))
        .await
        .unwrap();
    process
        .wait_ready(Duration::from_secs(60))
        .await
        .unwrap_or_else(|log| panic!("pelican did not become ready: {log}"));
    process
}

/// Whether a pelican process holds the leader lock (its own gauge).
pub async fn is_leader(process: &ServiceProcess) -> bool {
    process.metric("pelican_is_leader").await == Some(1.0)
}

/// The environment that gives a pelican process `settings`.
pub fn process_env(settings: &Settings) -> Vec<(String, String)> {
    let mut env = vec![
        (
            "DATABASE_URL".into(),
            settings.database.database_url.expose().to_owned(),
        ),
        ("SQS_QUEUE_URL".into(), settings.queue_url.clone()),
        ("AWS_REGION".into(), settings.aws.aws_region.clone()),
        ("AWS_ACCESS_KEY_ID".into(), "test".into()),
        ("AWS_SECRET_ACCESS_KEY".into(), "test".into()),
        (
            "PELICAN_POLL_INTERVAL_MS".into(),
            settings.poll_interval_ms.to_string(),
        ),
        (
            "PELICAN_STANDBY_RETRY_MS".into(),
            settings.standby_retry_ms.to_string(),
        ),
        ("RUST_LOG".into(), "warn".into()),
    ];
    if let Some(endpoint) = &settings.aws.aws_endpoint_url {
        env.push(("AWS_ENDPOINT_URL".into(), endpoint.0.clone()));
    }
    env
}

pub fn aws_with_endpoint(endpoint: String) -> AwsSettings {
    AwsSettings {
        aws_endpoint_url: Some(endpoint.parse().unwrap()),
        ..aws_settings()
    }
}

/// Insert `n` generated products in one statement-batch.
pub async fn insert_products(pool: &sqlx::PgPool, seed: u64, n: u64) {
    let products: Vec<_> = sample_catalog::generate(seed, n).collect();
    for chunk in products.chunks(5_000) {
        sync_core::product::upsert_products(pool, chunk)
            .await
            .unwrap();
    }
}

/// Per message group, the versions in the order they were received.
pub fn versions_by_group(messages: &[(Received, ChangeEvent)]) -> HashMap<String, Vec<i64>> {
    let mut map: HashMap<String, Vec<i64>> = HashMap::new();
    for (r, e) in messages {
        assert_eq!(
            r.group_id,
            e.product_id.to_string(),
            "group id is the product key"
        );
        assert_eq!(
            r.dedup_id,
            e.event_id.to_string(),
            "dedup id is the event id"
        );
        map.entry(r.group_id.clone()).or_default().push(e.version);
    }
    map
}
