//! Observability and lifecycle shared by every service: logs, Prometheus
//! metrics, the `/healthz` `/readyz` `/metrics` endpoints, and the one
//! shutdown signal every loop selects on.

mod health;
mod logging;
mod shutdown;

pub use health::{Readiness, health_router, metrics_handle, serve_health};
pub use logging::init_logging;
pub use shutdown::{Shutdown, shutdown_signal};
