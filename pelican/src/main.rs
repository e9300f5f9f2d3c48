use sync_core::telemetry::{Shutdown, init_logging};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings: pelican::Settings = sync_core::settings::load();
    init_logging(&settings.telemetry)?;
    let shutdown = Shutdown::new();
    shutdown.trigger_on_signal();
    let app = pelican::Application::build(settings, shutdown).await?;
    tracing::info!(addr = %app.health_addr(), "pelican started");
    app.run_until_stopped().await
}
