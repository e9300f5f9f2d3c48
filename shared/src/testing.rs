//! Test support: a fresh database and fresh queues per test, against the
//! real servers of the local stack (`scripts/stack.sh infra`, run by
//! `make test`); the services as processes ([`process`]); a spec-checking
//! Pinecone data plane ([`pinecone_double`]) and an HTTP proxy that fails
//! on command ([`http_fault_proxy`]). Enabled by the `testing` feature, for
//! dev-dependencies and the chaos suite only.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

pub mod http_fault_proxy;
pub mod pinecone_double;
pub mod pinecone_spec;
pub mod process;

use std::collections::HashMap;
use std::str::FromStr;
use std::time::{Duration, Instant};

use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;

use crate::queue::{self, Provisioned, QueueNames};
use crate::settings::{AwsSettings, DatabaseUrl, HttpUrl};

/// Load the workspace's `.env` once (tests run with the crate as cwd).
pub fn load_env() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let _ = dotenvy::from_path(root.join(".env"));
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
        let options = PgConnectOptions::from_str(&base).unwrap().database(&name);
        let url = with_database(&base, &name);
        let pool = PgPool::connect_with(options)
            .await
            .expect("connect to the test database");
        crate::db::migrate(&pool)
            .await
            .expect("migrate the test database");
        Self {
            name,
            url: url.parse().expect("a valid URL"),
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
        let sns = queue::sns_client(&config);
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
