//! pelican: relays the products outbox to the SQS FIFO job queue.
//!
//! Guarantees (see `ARCHITECTURE.md` in the README): every committed change
//! is sent (the outbox row is deleted only after SQS accepted it), in order
//! per product (one active relay, elected by an advisory lock; lanes keep a
//! product's events sequential), and a resend after a crash is absorbed by
//! FIFO deduplication on the outbox event id.

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
use shared::telemetry::{Readiness, Shutdown, serve_health};
use tokio::task::JoinHandle;

use crate::relay::Relay;
use crate::sender::Sender;

/// How often the SQS probe refreshes readiness (standbys never send, so the
/// probe is what tells their `/readyz` whether SQS is reachable): well
/// inside one interval of ECS's health check (30 s by default), for about
/// 0.5 M GetQueueAttributes a month per instance.
const SQS_PROBE_EVERY: Duration = Duration::from_secs(5);

pub struct Application {
    health_addr: SocketAddr,
    tasks: Vec<JoinHandle<()>>,
}

impl Application {
    /// Bind the health server and start the relay. Returns once listening,
    /// so tests can bind port 0 and read the address.
    pub async fn build(settings: Settings, shutdown: Shutdown) -> anyhow::Result<Self> {
        metrics::describe();
        let readiness = Readiness::new(&["postgres", "sqs"]);
        let (health_addr, health) =
            serve_health(settings.http_addr, readiness.clone(), shutdown.clone()).await?;

        let aws = shared::queue::sdk_config(&settings.aws).await;
        let sender = Sender::new(
            shared::queue::sqs_client(&aws),
            settings.queue_url.clone(),
            settings.send_concurrency as usize,
            readiness.clone(),
        );
        let probe = tokio::spawn(probe_sqs(
            sender.clone(),
            readiness.clone(),
            shutdown.clone(),
        ));
        let relay = tokio::spawn(
            Relay {
                settings,
                sender,
                readiness,
                shutdown,
            }
            .run(),
        );
        Ok(Self {
            health_addr,
            tasks: vec![relay, probe, health],
        })
    }

    pub fn health_addr(&self) -> SocketAddr {
        self.health_addr
    }

    /// Wait until shutdown has been triggered and every task has drained.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        for task in self.tasks {
            task.await?;
        }
        Ok(())
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
