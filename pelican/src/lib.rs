//! pelican: relays the products outbox to the SQS FIFO job queue.
//!
//! Guarantees (docs/architecture.md has the whole table): every committed
//! change is sent (the outbox row is deleted only after SQS accepted it;
//! `outbox`), in order per product (one active relay, elected by an
//! advisory lock, `leader`; lanes keep a product's events sequential,
//! `sender`), and a resend after a crash is absorbed by FIFO deduplication
//! on the outbox event id.

mod leader;
mod metrics;
mod outbox;
mod relay;
mod sender;
mod settings;
mod tls;

use std::net::SocketAddr;
use std::time::Duration;

pub use settings::Settings;
use sync_core::telemetry::{Readiness, Shutdown, Supervisor, bind_health};

use crate::relay::Relay;
use crate::sender::Sender;

/// How often the SQS probe refreshes readiness (standbys never send, so the
/// probe is what tells their `/readyz` whether SQS is reachable): well
/// inside one interval of ECS's health check (30 s by default), for about
/// 0.5 M GetQueueAttributes a month per instance.
const SQS_PROBE_EVERY: Duration = Duration::from_secs(5);

/// A running service. Its tasks run while this value lives: drive it with
/// [`Application::run_until_stopped`]; dropping it stops them.
pub struct Application {
    health_addr: SocketAddr,
    tasks: Supervisor,
}

impl Application {
    /// Bind the health server and start the relay. Returns once listening,
    /// so tests can bind port 0 and read the address.
    pub async fn build(settings: Settings, shutdown: Shutdown) -> anyhow::Result<Self> {
        metrics::describe();
        let readiness = Readiness::new(&["postgres", "sqs"]);
        let (health_addr, health) =
            bind_health(settings.http_addr, readiness.clone(), shutdown.clone()).await?;

        let aws = sync_core::queue::sdk_config(&settings.aws).await;
        let sender = Sender::new(
            sync_core::queue::sqs_client(&aws),
            settings.queue_url.clone(),
            settings.send_concurrency as usize,
            readiness.clone(),
        );
        let mut tasks = Supervisor::new(readiness.clone(), shutdown.clone());
        tasks.spawn("health", health);
        tasks.spawn(
            "sqs-probe",
            probe_sqs(sender.clone(), readiness.clone(), shutdown.clone()),
        );
        tasks.spawn(
            "relay",
            Relay {
                settings,
                sender,
                readiness,
                shutdown,
            }
            .run(),
        );
        Ok(Self { health_addr, tasks })
    }

    pub fn health_addr(&self) -> SocketAddr {
        self.health_addr
    }

    /// Run until shutdown and every task has drained. An error means a task
    /// stopped on its own (the process should exit non-zero and be
    /// replaced).
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        Ok(self.tasks.run().await?)
    }
}

async fn probe_sqs(sender: Sender, readiness: Readiness, shutdown: Shutdown) {
    loop {
        let every = match sender.probe().await {
            Ok(()) => {
                readiness.set_ok("sqs");
                SQS_PROBE_EVERY
            }
            Err(e) => {
                readiness.set("sqs", Err(e));
                Duration::from_secs(1)
            }
        };
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            () = shutdown.triggered() => return,
        }
    }
}
