//! Test support, for dev-dependencies, the benchmark and the chaos suite
//! only: a fresh database and fresh queues per test, against the real
//! servers of the local stack (`scripts/stack.sh infra`, run by
//! `make test`); the services as processes ([`process`]); a spec-checking
//! Pinecone data plane ([`pinecone_double`]) and an HTTP proxy that fails
//! on command ([`http_fault_proxy`]); the model directory, cosine
//! similarity and a Prometheus scraper every suite uses.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

pub mod http_fault_proxy;
pub mod pinecone_control_double;
pub mod pinecone_double;
pub mod pinecone_spec;
pub mod process;

use std::collections::HashMap;
use std::str::FromStr;
use std::time::{Duration, Instant};

use std::path::PathBuf;

use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;
use sync_core::queue::{self, Provisioned, QueueNames};
use sync_core::settings::{AwsSettings, DatabaseUrl, HttpUrl};

/// The workspace's root directory (where `.env`, `.local/` and `target/`
/// are; tests run with their crate's directory as cwd).
pub fn workspace_root() -> PathBuf {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

/// Load the workspace's `.env` once.
pub fn load_env() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = dotenvy::from_path(workspace_root().join(".env"));
    });
}

fn env(name: &str) -> String {
    load_env();
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the tests with `make test` (it starts the local stack and writes .env)")
    })
}

/// A database created for one test, with the migrations applied.
pub struct TestDatabase {
    pub name: String,
    pub url: DatabaseUrl,
    pub pool: PgPool,
}

impl TestDatabase {
    /// A new, migrated database of the test's own.
    pub async fn create() -> Self {
        let base = env("DATABASE_URL");
        let admin = PgPool::connect(&base)
            .await
            .expect("connect to DATABASE_URL");
        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .expect("create the test database");
        admin.close().await;
        let db = Self::connect(name).await;
        sync_core::db::migrate(&db.pool)
            .await
            .expect("migrate the test database");
        db
    }

    /// One migrated database for all the tests of a test binary that call
    /// this, created on first use: for tests whose rows cannot collide
    /// (keyed by something each test owns). Each call gets a pool of its
    /// own, because a pool belongs to the runtime that made it and every
    /// `#[tokio::test]` has its own runtime.
    pub async fn shared() -> Self {
        static NAME: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
        let name = NAME
            .get_or_init(|| async {
                let db = Self::create().await;
                db.pool.close().await;
                db.name
            })
            .await;
        Self::connect(name.clone()).await
    }

    async fn connect(name: String) -> Self {
        let base = env("DATABASE_URL");
        let options = PgConnectOptions::from_str(&base).unwrap().database(&name);
        let pool = PgPool::connect_with(options)
            .await
            .expect("connect to the test database");
        Self {
            url: with_database(&base, &name).parse().expect("a valid URL"),
            name,
            pool,
        }
    }
}

/// Replace the database name (the URL path) of a postgres URL.
fn with_database(url: &str, name: &str) -> String {
    let (head, query) = url
        .split_once('?')
        .map_or((url, None), |(h, q)| (h, Some(q)));
    let slash = head.rfind('/').expect("a URL with a database path");
    let mut out = format!("{}/{name}", &head[..slash]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

pub fn aws_settings() -> AwsSettings {
    AwsSettings {
        aws_region: env("AWS_REGION"),
        aws_endpoint_url: Some(HttpUrl::from_str(&env("AWS_ENDPOINT_URL")).unwrap()),
    }
}

/// A FIFO job queue, its DLQ and a topic with random names.
pub struct TestQueues {
    pub sqs: aws_sdk_sqs::Client,
    pub sns: aws_sdk_sns::Client,
    pub provisioned: Provisioned,
}

impl TestQueues {
    pub async fn create(max_receive_count: u32, visibility_timeout_s: u32) -> Self {
        let config = queue::sdk_config(&aws_settings()).await;
        let sqs = queue::sqs_client(&config);
        let sns = aws_sdk_sns::Client::new(&config);
        let id = uuid::Uuid::new_v4().simple().to_string();
        let names = QueueNames {
            jobs: format!("test-{id}.fifo"),
            dead_letters: format!("test-{id}-dlq.fifo"),
            topic: format!("test-{id}"),
            max_receive_count,
            visibility_timeout_s,
        };
        let provisioned = queue::provision(&sqs, &sns, &names)
            .await
            .expect("provision queues");
        Self {
            sqs,
            sns,
            provisioned,
        }
    }

    /// Receive (and delete) messages until `expected` arrived or nothing new
    /// came for `idle`, bounded by `timeout`. Returns bodies with the
    /// message group and deduplication ids, in receive order.
    pub async fn drain(&self, expected: usize, idle: Duration, timeout: Duration) -> Vec<Received> {
        drain_queue(
            &self.sqs,
            &self.provisioned.queue_url,
            expected,
            idle,
            timeout,
        )
        .await
    }
}

#[derive(Debug, Clone)]
pub struct Received {
    pub body: String,
    pub group_id: String,
    pub dedup_id: String,
}

pub async fn drain_queue(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
    expected: usize,
    idle: Duration,
    timeout: Duration,
) -> Vec<Received> {
    use aws_sdk_sqs::types::MessageSystemAttributeName as Attr;
    let started = Instant::now();
    let mut last_new = Instant::now();
    let mut out = Vec::new();
    while out.len() < expected && started.elapsed() < timeout && last_new.elapsed() < idle {
        let response = sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .message_system_attribute_names(Attr::MessageGroupId)
            .message_system_attribute_names(Attr::MessageDeduplicationId)
            .send()
            .await
            .expect("receive");
        let messages = response.messages.unwrap_or_default();
        if messages.is_empty() {
            continue;
        }
        last_new = Instant::now();
        let mut deletes = Vec::new();
        for (i, m) in messages.into_iter().enumerate() {
            let attrs: HashMap<Attr, String> = m.attributes.clone().unwrap_or_default();
            out.push(Received {
                body: m.body.clone().unwrap_or_default(),
                group_id: attrs
                    .get(&Attr::MessageGroupId)
                    .cloned()
                    .unwrap_or_default(),
                dedup_id: attrs
                    .get(&Attr::MessageDeduplicationId)
                    .cloned()
                    .unwrap_or_default(),
            });
            deletes.push(
                aws_sdk_sqs::types::DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(m.receipt_handle.unwrap_or_default())
                    .build()
                    .unwrap(),
            );
        }
        sqs.delete_message_batch()
            .queue_url(url)
            .set_entries(Some(deletes))
            .send()
            .await
            .expect("delete");
    }
    out
}

/// The all-MiniLM-L6-v2 directory: `MODEL_DIR` from the environment or
/// `.env` (relative to the workspace root, where the services run), else
/// the default `.local/model/all-MiniLM-L6-v2`. Absolute, because tests
/// run in their crate's directory and service processes in a temp one.
pub fn model_dir() -> PathBuf {
    load_env();
    let dir = workspace_root().join(std::env::var_os("MODEL_DIR").map_or_else(
        || PathBuf::from(".local/model/all-MiniLM-L6-v2"),
        PathBuf::from,
    ));
    dir.canonicalize()
        .unwrap_or_else(|e| panic!("{}: {e} (run `make model`)", dir.display()))
}

/// Cosine similarity of two vectors, summed in f64 (so that a bar like
/// 0.999 measures the vectors, not the arithmetic).
pub fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let dot: f64 = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| f64::from(x) * f64::from(y))
        .sum();
    let norm = |v: &[f32]| v.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>().sqrt();
    dot / (norm(a) * norm(b))
}

/// A metric of a service's Prometheus `/metrics` at `base_url`: the sum of
/// the samples of `name` whose labels contain `labels` (`""` = all), or
/// `None` when the service does not answer or has no such sample.
pub async fn metric(base_url: &str, name: &str, labels: &str) -> Option<f64> {
    let text = reqwest::get(format!("{base_url}/metrics"))
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    let values: Vec<f64> = text
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter(|line| {
            line.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(' ') || rest.starts_with('{'))
        })
        .filter(|line| line.contains(labels))
        .filter_map(|line| line.rsplit(' ').next()?.parse().ok())
        .collect();
    (!values.is_empty()).then(|| values.iter().sum())
}

/// Poll `check` every 50 ms until it returns true or `timeout` passes.
pub async fn eventually<F, Fut>(timeout: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() < timeout {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// A TCP proxy a test can take down and bring back, to simulate a database
/// or SQS outage for one service without disturbing other tests that share
/// the same servers. Down = every open connection is cut and new ones are
/// accepted and closed at once (like a server that is restarting).
pub struct TcpProxy {
    pub addr: std::net::SocketAddr,
    down: tokio::sync::watch::Sender<bool>,
}

impl TcpProxy {
    pub async fn start(target: std::net::SocketAddr) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (down, _) = tokio::sync::watch::channel(false);
        let state = down.clone();
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if *state.borrow() {
                    drop(inbound);
                    continue;
                }
                let mut down = state.subscribe();
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = down.wait_for(|d| *d) => {}
                    }
                });
            }
        });
        Self { addr, down }
    }

    pub fn set_down(&self, down: bool) {
        self.down.send_replace(down);
    }
}

/// Host and port of a URL like `scheme://user:pass@host:port/path`.
pub fn url_socket_addr(url: &str) -> std::net::SocketAddr {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?']).next().unwrap();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host_port = host_port.replace("localhost", "127.0.0.1");
    host_port.parse().unwrap()
}

/// The same URL with its host:port replaced (to route it through a proxy).
pub fn url_with_addr(url: &str, addr: std::net::SocketAddr) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (authority, tail) = rest
        .find(['/', '?'])
        .map_or((rest, ""), |i| rest.split_at(i));
    let userinfo = authority
        .rsplit_once('@')
        .map(|(u, _)| format!("{u}@"))
        .unwrap_or_default();
    format!("{scheme}://{userinfo}{addr}{tail}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            super::with_database("postgres://u:p@h:1/catalog?sslmode=disable", "t1"),
            "postgres://u:p@h:1/t1?sslmode=disable"
        );
    }
}
