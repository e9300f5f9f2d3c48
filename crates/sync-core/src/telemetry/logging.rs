use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::settings::{LogFormat, TelemetrySettings};

/// Install the global tracing subscriber. JSON lines in containers (fields and
/// the current span's fields flattened so `batch_id`, `message_id`,
/// `request_id` are searchable), pretty output on a terminal.
pub fn init_logging(settings: &TelemetrySettings) -> anyhow::Result<()> {
    let filter = EnvFilter::try_new(&settings.log_filter)
        .map_err(|e| anyhow::anyhow!("RUST_LOG: invalid filter: {e}"))?;
    let registry = tracing_subscriber::registry().with(filter);
    let result = match settings.log_format {
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false),
            )
            .try_init(),
        LogFormat::Pretty => registry.with(fmt::layer().compact()).try_init(),
    };
    result.map_err(|e| anyhow::anyhow!("could not install the log subscriber: {e}"))
}
