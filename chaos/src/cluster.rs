//! The system under test: a fresh database and fresh queues, 2 pelican and
//! 3 emu processes (the release binaries), each service reaching Postgres
//! and the SQS emulator through its own [`TcpProxy`], so an outage can be
//! injected for this run's services alone.
//!
//! The vector store is pgvector (the `product_vectors` table, reached
//! through emu's Postgres proxy) or Pinecone: the spec-checking double of
//! `testkit::pinecone_double` as a real HTTP server, which emu
//! reaches through an [`HttpFaultProxy`] (429, 503, hang on command) and
//! the checker reads directly.
//!
//! Why proxies and not a real Postgres restart: `make test` runs test
//! binaries one after another, but other suites share the one local
//! Postgres, and `make chaos` may run beside a `make up` stack. Cutting
//! every connection of our services (open ones reset, new ones refused) is
//! what a restart looks like from the services' side, without disturbing
//! anyone else.

use std::time::Duration;

use anyhow::{Context, anyhow};
use testkit::http_fault_proxy::HttpFaultProxy;
use testkit::pinecone_double::Double;
use testkit::process::{Service, ServiceProcess};
use testkit::{TcpProxy, TestDatabase, TestQueues, url_socket_addr, url_with_addr};
use vector_store::VectorStoreKind;

pub const PELICANS: usize = 2;
pub const EMUS: usize = 3;
/// Short, so a message held by a SIGKILLed emu comes back quickly.
pub const VISIBILITY_TIMEOUT_S: u32 = 10;
/// Receives before SQS dead-letters a message. Valid messages must never
/// get there, however many crashes they live through.
pub const MAX_RECEIVE_COUNT: u32 = 5;
/// What emu and the checker present to the Pinecone double.
pub const PINECONE_API_KEY: &str = "pcsk_chaos_0123456789";

/// The Pinecone index of a Pinecone run.
pub struct PineconeIndex {
    /// The index itself (vectors in memory, every request spec-checked).
    pub double: Double,
    /// emu → the index.
    pub proxy: HttpFaultProxy,
    /// emu's `PINECONE_TIMEOUT_MS`.
    pub timeout: Duration,
}

pub struct Cluster {
    pub db: TestDatabase,
    pub queues: TestQueues,
    /// pelican → Postgres.
    pub pelican_pg: TcpProxy,
    /// emu → Postgres: the pgvector store.
    pub emu_pg: TcpProxy,
    /// every service → the SQS/SNS emulator.
    pub aws: TcpProxy,
    pub pelicans: Vec<ServiceProcess>,
    pub emus: Vec<ServiceProcess>,
    /// `Some` when the vector store is Pinecone.
    pub pinecone: Option<PineconeIndex>,
}

impl Cluster {
    /// `pinecone_timeout`: emu's per-request timeout when `store` is
    /// Pinecone.
    pub async fn start(store: VectorStoreKind, pinecone_timeout: Duration) -> anyhow::Result<Self> {
        testkit::load_env();
        let pinecone = match store {
            VectorStoreKind::Pgvector => None,
            VectorStoreKind::Pinecone => {
                let double = Double::start(PINECONE_API_KEY).await;
                // Long runs: keep the vectors, not every request.
                double.set_recording(false);
                let proxy = HttpFaultProxy::start(&double.url()).await;
                Some(PineconeIndex {
                    double,
                    proxy,
                    timeout: pinecone_timeout,
                })
            }
        };
        let db = TestDatabase::create().await;
        let queues = TestQueues::create(MAX_RECEIVE_COUNT, VISIBILITY_TIMEOUT_S).await;
        let pg_addr = url_socket_addr(db.url.expose());
        let aws_addr = url_socket_addr(&env("AWS_ENDPOINT_URL")?);
        let mut cluster = Self {
            pelican_pg: TcpProxy::start(pg_addr).await,
            emu_pg: TcpProxy::start(pg_addr).await,
            aws: TcpProxy::start(aws_addr).await,
            db,
            queues,
            pelicans: Vec::new(),
            emus: Vec::new(),
            pinecone,
        };
        for _ in 0..PELICANS {
            let p = cluster.spawn(Service::Pelican).await?;
            cluster.pelicans.push(p);
        }
        for _ in 0..EMUS {
            let e = cluster.spawn(Service::Emu).await?;
            cluster.emus.push(e);
        }
        Ok(cluster)
    }

    fn env(&self, service: Service) -> anyhow::Result<Vec<(String, String)>> {
        let pg = match service {
            Service::Emu => &self.emu_pg,
            _ => &self.pelican_pg,
        };
        let p = &self.queues.provisioned;
        let mut vars = vec![
            ("DATABASE_URL", url_with_addr(self.db.url.expose(), pg.addr)),
            ("AWS_ENDPOINT_URL", format!("http://{}", self.aws.addr)),
            ("AWS_REGION", env("AWS_REGION")?),
            ("AWS_ACCESS_KEY_ID", env("AWS_ACCESS_KEY_ID")?),
            ("AWS_SECRET_ACCESS_KEY", env("AWS_SECRET_ACCESS_KEY")?),
            ("SQS_QUEUE_URL", p.queue_url.clone()),
            ("SQS_DLQ_URL", p.dlq_url.clone()),
            ("SNS_TOPIC_ARN", p.topic_arn.clone()),
            ("RUST_LOG", "info".into()),
        ];
        match service {
            Service::Pelican => vars.extend([
                ("PELICAN_POLL_INTERVAL_MS", "200".into()),
                ("PELICAN_STANDBY_RETRY_MS", "200".into()),
            ]),
            _ => vars.extend([
                ("MODEL_DIR", testkit::model_dir().display().to_string()),
                // Three emus share two cores: one inference thread each.
                ("EMBED_THREADS", "1".into()),
                ("EMU_WAIT_TIME_S", "2".into()),
                ("EMU_VISIBILITY_TIMEOUT_S", VISIBILITY_TIMEOUT_S.to_string()),
            ]),
        }
        if let (Service::Emu, Some(index)) = (service, &self.pinecone) {
            vars.extend([
                ("VECTOR_STORE", "pinecone".into()),
                ("PINECONE_INDEX_HOST", index.proxy.url()),
                ("PINECONE_API_KEY", PINECONE_API_KEY.into()),
                ("PINECONE_TIMEOUT_MS", index.timeout.as_millis().to_string()),
            ]);
        }
        Ok(vars.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    /// Start one more process of `service` and wait until it is ready.
    pub async fn spawn(&self, service: Service) -> anyhow::Result<ServiceProcess> {
        let mut process = ServiceProcess::spawn(service, self.env(service)?)
            .await
            .with_context(|| format!("starting {}", service.binary_name()))?;
        process
            .wait_ready(Duration::from_secs(60))
            .await
            .map_err(|e| anyhow!(e))?;
        Ok(process)
    }

    /// Index of the pelican that holds the leader lock, if any does.
    pub async fn leader(&self) -> Option<usize> {
        for (i, p) in self.pelicans.iter().enumerate() {
            if p.metric("pelican_is_leader").await == Some(1.0) {
                return Some(i);
            }
        }
        None
    }

    /// Stop every process (SIGTERM, bounded).
    pub async fn stop(&mut self) {
        for p in self.pelicans.iter_mut().chain(self.emus.iter_mut()) {
            let _ = p.terminate(Duration::from_secs(15)).await;
        }
    }
}

fn env(name: &str) -> anyhow::Result<String> {
    std::env::var(name).with_context(|| format!("{name} is not set (.env of the local stack)"))
}
