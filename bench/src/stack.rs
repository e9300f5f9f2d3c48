//! A pipeline of its own for each measurement: a fresh migrated database and
//! fresh queues on the local stack (never the `make up` data), the release
//! binaries started as real processes, and everything removed afterwards.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use testkit::process::{Service, ServiceProcess};
use testkit::{TestDatabase, TestQueues};

/// How long a service may take to answer `/readyz` (emu and the frontend
/// load the model; on a loaded 2-core machine that can take seconds).
const READY_TIMEOUT: Duration = Duration::from_secs(120);

/// One started service, and how long it took to become ready.
pub struct Running {
    pub name: String,
    pub process: ServiceProcess,
    pub ready: Duration,
}

pub struct Pipeline {
    pub db: TestDatabase,
    pub queues: TestQueues,
    pub services: Vec<Running>,
    model_dir: String,
    session_key: String,
}

impl Pipeline {
    /// A fresh database and queues. Needs the local stack
    /// (`scripts/stack.sh infra`, which `make bench` runs).
    pub async fn create(model_dir: &Path) -> anyhow::Result<Self> {
        let db = TestDatabase::create().await;
        // 5 receives before the DLQ (as deployed); visibility as emu asks.
        let queues = TestQueues::create(5, 60).await;
        Ok(Self {
            db,
            queues,
            services: Vec::new(),
            model_dir: model_dir.display().to_string(),
            session_key: format!(
                "{}{}",
                uuid::Uuid::new_v4().simple(),
                uuid::Uuid::new_v4().simple()
            ),
        })
    }

    /// The services' environment: the harness's own (so `EMU_BATCH_SIZE=…
    /// make bench` tunes the run) without the fixed HTTP addresses (each
    /// process gets a free port), pointed at this pipeline's database and
    /// queues.
    fn env(&self) -> Vec<(String, String)> {
        let addr_vars =
            [Service::Pelican, Service::Emu, Service::Frontend].map(Service::http_addr_var);
        let provisioned = &self.queues.provisioned;
        let mut own = vec![
            ("DATABASE_URL", self.db.url.expose().to_owned()),
            ("SQS_QUEUE_URL", provisioned.queue_url.clone()),
            ("SQS_DLQ_URL", provisioned.dlq_url.clone()),
            ("SNS_TOPIC_ARN", provisioned.topic_arn.clone()),
            ("MODEL_DIR", self.model_dir.clone()),
            ("VECTOR_STORE", "pgvector".to_owned()),
        ];
        // The frontend refuses to start without a server key; a run of its
        // own needs no stable one.
        if std::env::var_os("FRONTEND_SESSION_KEY").is_none() {
            own.push(("FRONTEND_SESSION_KEY", self.session_key.clone()));
        }
        let mut env: Vec<(String, String)> = std::env::vars()
            .filter(|(k, _)| !addr_vars.contains(&k.as_str()))
            .filter(|(k, _)| !own.iter().any(|(o, _)| o == k))
            .collect();
        env.extend(own.into_iter().map(|(k, v)| (k.to_owned(), v)));
        env
    }

    /// Start `service` and wait until it is ready.
    pub async fn start(&mut self, service: Service, name: &str) -> anyhow::Result<&Running> {
        let mut process = ServiceProcess::spawn(service, self.env())
            .await
            .with_context(|| format!("starting {name}"))?;
        let ready = process
            .wait_ready(READY_TIMEOUT)
            .await
            .map_err(|log| anyhow::anyhow!("{name} did not become ready: {log}"))?;
        tracing::info!(
            "{name} ready in {:.2} s (pid {})",
            ready.as_secs_f64(),
            process.pid()
        );
        self.services.push(Running {
            name: name.to_owned(),
            process,
            ready,
        });
        self.services.last().context("just pushed")
    }

    pub fn service(&self, name: &str) -> Option<&Running> {
        self.services.iter().find(|s| s.name == name)
    }

    /// Peak RSS of a running service, in MiB.
    pub fn peak_rss_mib(&self, name: &str) -> Option<f64> {
        let bytes = self.service(name)?.process.peak_rss_bytes()?;
        Some(bytes as f64 / 1024.0 / 1024.0)
    }

    /// Stop the services (SIGTERM), drop the database and delete the queues.
    pub async fn tear_down(mut self) {
        for running in &mut self.services {
            if let Err(e) = running.process.terminate(Duration::from_secs(15)).await {
                tracing::warn!("stopping {}: {e}", running.name);
            }
        }
        let name = self.db.name.clone();
        self.db.pool.close().await;
        if let Err(e) = drop_database(&name).await {
            tracing::warn!("dropping database {name}: {e:#}");
        }
        let provisioned = &self.queues.provisioned;
        for url in [&provisioned.queue_url, &provisioned.dlq_url] {
            if let Err(e) = self.queues.sqs.delete_queue().queue_url(url).send().await {
                tracing::warn!("deleting queue {url}: {e}");
            }
        }
        if let Err(e) = self
            .queues
            .sns
            .delete_topic()
            .topic_arn(&provisioned.topic_arn)
            .send()
            .await
        {
            tracing::warn!("deleting topic: {e}");
        }
    }
}

async fn drop_database(name: &str) -> anyhow::Result<()> {
    testkit::load_env();
    let admin_url = std::env::var("DATABASE_URL").context("DATABASE_URL is not set")?;
    let admin = sqlx::PgPool::connect(&admin_url).await?;
    // The name is ours (`test_<uuid>`), never user input.
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&admin)
        .await?;
    admin.close().await;
    Ok(())
}
