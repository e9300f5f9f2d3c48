use sync_core::telemetry::{Shutdown, init_logging};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A tool, not the server: needs none of the server's settings.
    if std::env::args().nth(1).as_deref() == Some("hash-password") {
        return frontend::hash_password::run();
    }
    let settings: frontend::Settings = sync_core::settings::load();
    init_logging(&settings.telemetry)?;
    let shutdown = Shutdown::new();
    shutdown.trigger_on_signal();
    let app = frontend::Application::build(settings, shutdown).await?;
    tracing::info!(addr = %app.addr(), "frontend started");
    app.run_until_stopped().await
}
