//! emu: Embeds change events and writes them to the vector store.
//!
//! For now this binary only serves `/healthz`, `/readyz` and `/metrics`, so
//! the local stack, the images and the deployment can run it; the service
//! itself is the subject of its own issue.

use std::net::SocketAddr;

use clap::Parser;
use shared::settings::TelemetrySettings;
use shared::telemetry::{Readiness, Shutdown, serve_health};
use tokio::task::JoinHandle;

#[derive(Parser, Debug, Clone)]
#[command(
    name = "emu",
    about = "Embeds change events and writes them to the vector store",
    version
)]
pub struct Settings {
    #[command(flatten)]
    pub telemetry: TelemetrySettings,

    /// Where the HTTP endpoints are served.
    #[arg(
        long,
        env = "EMU_HTTP_ADDR",
        value_name = "EMU_HTTP_ADDR",
        default_value = "127.0.0.1:9102"
    )]
    pub http_addr: SocketAddr,
}

pub struct Application {
    addr: SocketAddr,
    server: JoinHandle<()>,
}

impl Application {
    pub async fn build(settings: Settings, shutdown: Shutdown) -> anyhow::Result<Self> {
        let readiness = Readiness::new(&[]);
        let (addr, server) = serve_health(settings.http_addr, readiness, shutdown).await?;
        Ok(Self { addr, server })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.server.await?;
        Ok(())
    }
}
