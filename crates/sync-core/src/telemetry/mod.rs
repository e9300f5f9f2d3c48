//! Observability and lifecycle shared by every service: logs, Prometheus
//! metrics, the `/healthz` `/readyz` `/metrics` endpoints, the one shutdown
//! signal every loop selects on, and the supervisor that runs a service's
//! tasks as one.

mod health;
mod logging;
mod shutdown;
pub mod supervisor;

pub use health::{Readiness, bind_health, health_router, metrics_handle};
pub use logging::init_logging;
pub use shutdown::{Shutdown, shutdown_signal};
pub use supervisor::{Supervisor, TaskFailed};
