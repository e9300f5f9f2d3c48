//! `/readyz` of the frontend: `postgres`, `vector_store` and `model`,
//! re-checked every few seconds so a lost dependency takes the replica out
//! of the load balancer until it is back.

use std::sync::Arc;
use std::time::Duration;

use embedding::Embedder;
use sqlx::PgPool;
use sync_core::telemetry::{Readiness, Shutdown};
use vector_store::VectorStore;

pub const CHECKS: &[&str] = &["postgres", "vector_store", "model"];

const PROBE_INTERVAL: Duration = Duration::from_secs(5);

/// Probe until shutdown. The model is probed until its first embedding
/// succeeds (which also takes the first-query latency off the first user);
/// after that it runs in process and cannot go away.
pub async fn probe_loop(
    pool: PgPool,
    store: Arc<dyn VectorStore>,
    embedder: Arc<dyn Embedder>,
    readiness: Readiness,
    shutdown: Shutdown,
) {
    let mut model_ready = false;
    loop {
        let postgres = sqlx::query("SELECT 1").execute(&pool).await;
        readiness.set("postgres", postgres.map(|_| ()).map_err(|e| e.to_string()));
        readiness.set(
            "vector_store",
            store.ping().await.map_err(|e| e.to_string()),
        );
        if !model_ready {
            let warm_up = embedder.embed(&["warm up".to_owned()]).await;
            model_ready = warm_up.is_ok();
            readiness.set("model", warm_up.map(|_| ()).map_err(|e| e.to_string()));
        }
        tokio::select! {
            () = tokio::time::sleep(PROBE_INTERVAL) => {}
            () = shutdown.triggered() => return,
        }
    }
}
