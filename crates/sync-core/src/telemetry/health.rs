use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

use super::Shutdown;

/// Named readiness checks a service updates as its dependencies come and go
/// (e.g. `postgres`, `sqs`, `model`). `/readyz` is 200 only when every check
/// is currently passing, so a load balancer or ECS stops routing to a task
/// that has lost a dependency, and `/readyz` says which one.
#[derive(Clone, Debug, Default)]
pub struct Readiness {
    checks: Arc<Mutex<BTreeMap<&'static str, Result<(), String>>>>,
}

impl Readiness {
    /// Create with every named check failing ("starting") until set.
    pub fn new(names: &[&'static str]) -> Self {
        let this = Self::default();
        for name in names {
            this.set(name, Err("starting".into()));
        }
        this
    }

    pub fn set(&self, name: &'static str, state: Result<(), String>) {
        if let Ok(mut checks) = self.checks.lock() {
            checks.insert(name, state);
        }
    }

    pub fn set_ok(&self, name: &'static str) {
        self.set(name, Ok(()));
    }

    pub fn is_ready(&self) -> bool {
        self.checks
            .lock()
            .map(|c| c.values().all(Result::is_ok))
            .unwrap_or(false)
    }

    fn report(&self) -> BTreeMap<&'static str, String> {
        self.checks
            .lock()
            .map(|c| {
                c.iter()
                    .map(|(k, v)| (*k, v.as_ref().err().cloned().unwrap_or_else(|| "ok".into())))
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[derive(Clone)]
struct HealthState {
    readiness: Readiness,
    metrics: PrometheusHandle,
}

/// Bucket bounds of every `*_seconds` histogram.
const LATENCY_BUCKETS_S: &[f64] = &[
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0,
];

/// Install the process-wide Prometheus recorder once and return its handle.
/// Later calls (several services in one test process) reuse it.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: std::sync::OnceLock<PrometheusHandle> = std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| {
            // Durations as histograms (not summaries), so that latency
            // percentiles can be aggregated across replicas: 1 ms … 60 s.
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS_S)
                .expect("LATENCY_BUCKETS_S is not empty")
                .build_recorder();
            let handle = recorder.handle();
            // Fails only if another recorder is installed; the handle still
            // renders what this recorder saw.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// `/healthz` (the process is alive), `/readyz` (every readiness check
/// passes, else 503 with the failing ones), `/metrics` (Prometheus text).
pub fn health_router(readiness: Readiness) -> Router {
    let state = HealthState {
        readiness,
        metrics: metrics_handle(),
    };
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(render_metrics))
        .with_state(state)
}

async fn readyz(State(state): State<HealthState>) -> impl IntoResponse {
    let status = if state.readiness.is_ready() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(state.readiness.report()))
}

async fn render_metrics(State(state): State<HealthState>) -> impl IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
}

/// Bind the health endpoints for services that serve nothing else (pelican,
/// emu). Returns the bound address (tests bind port 0) and the server, to
/// run under the service's [`Supervisor`](super::Supervisor); it ends when
/// `shutdown` triggers.
pub async fn bind_health(
    addr: SocketAddr,
    readiness: Readiness,
    shutdown: Shutdown,
) -> std::io::Result<(SocketAddr, impl Future<Output = ()> + Send + 'static)> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let app = health_router(readiness);
    let server = async move {
        let result = axum::serve(listener, app)
            .with_graceful_shutdown(async move { shutdown.triggered().await })
            .await;
        if let Err(e) = result {
            tracing::error!(error = %e, "health server failed");
        }
    };
    Ok((bound, server))
}
