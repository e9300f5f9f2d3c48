//! frontend: semantic product search (server-rendered pages and a JSON
//! API), authenticated editing, and the sync status of the pipeline.
//!
//! Layout of the crate, one job per module:
//! * `settings` — environment variables.
//! * `web` — the HTML pages; `api` — the JSON API.
//! * `params` — search parameters from a query string (shared by both).
//! * `catalog` — reading and editing products, their index state.
//! * `edit` — validating an edit (form or PATCH body).
//! * `auth` — users, sessions, CSRF tokens, the API key.
//! * `middleware` — request ids, metrics, security headers, limits.
//! * `readiness` — the `/readyz` probes.
//! * `search` — search itself: query embedding and its cache, candidate
//!   window, ranking, result and row caches.
//! * `sync_status` — `/status`, the header badge, `/api/status`.
//! * `imports` — bulk catalog upload: upload URLs, import jobs and their
//!   pages (the import worker itself is `catalog_import`'s).
//! * `hash_password` — the `frontend hash-password` tool.
//!
//! Every background task (HTTP server, probes, sync sampler, row-cache
//! listener, import worker) runs under one supervisor: if any stops, the
//! frontend stops.

pub mod api;
pub mod auth;
pub mod catalog;
pub mod edit;
pub mod hash_password;
pub mod imports;
pub mod middleware;
pub mod params;
mod readiness;
pub mod search;
mod search_failure;
mod settings;
pub mod sync_status;
pub mod web;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::FromRef;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use embedding::Embedder;
use sync_core::telemetry::{Readiness, Shutdown, Supervisor, health_router};
use tokio::net::TcpListener;

use crate::auth::{Auth, LoginThrottle, Sessions};
use crate::catalog::Catalog;
use crate::imports::Imports;
use crate::search::{SearchOptions, Searcher};
pub use crate::settings::Settings;
use crate::sync_status::SyncMonitor;

/// What handlers share. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub searcher: Searcher,
    pub catalog: Catalog,
    pub auth: Auth,
    pub monitor: SyncMonitor,
    pub imports: Imports,
}

impl FromRef<AppState> for Auth {
    fn from_ref(state: &AppState) -> Self {
        state.auth.clone()
    }
}

impl FromRef<AppState> for SyncMonitor {
    fn from_ref(state: &AppState) -> Self {
        state.monitor.clone()
    }
}

/// A running service. Its tasks run while this value lives: drive it with
/// [`Application::run_until_stopped`]; dropping it stops them.
pub struct Application {
    addr: SocketAddr,
    tasks: Supervisor,
}

impl Application {
    /// Load the embedding model, then [`Application::with_embedder`].
    pub async fn build(settings: Settings, shutdown: Shutdown) -> anyhow::Result<Self> {
        let embedder = embedding::connect(&settings.embedder)
            .await
            .context("the embedding model (MODEL_DIR / EMBEDDER)")?;
        Self::with_embedder(settings, embedder, shutdown).await
    }

    /// Connect, bind `FRONTEND_ADDR` and serve until `shutdown`. Returns
    /// once listening (tests bind port 0 and read [`Application::addr`]).
    /// Tests pass one embedder to many applications (the model loads once).
    pub async fn with_embedder(
        settings: Settings,
        embedder: Arc<dyn Embedder>,
        shutdown: Shutdown,
    ) -> anyhow::Result<Self> {
        middleware::describe_metrics();
        let readiness = Readiness::new(readiness::CHECKS);
        let pool = sync_core::db::connect(&settings.database.database_url, settings.db_connections)
            .await?;
        let store = vector_store::connect(&settings.vector_store, pool.clone())?;
        let mut tasks = Supervisor::new(readiness.clone(), shutdown.clone());
        let users = settings.users.clone().unwrap_or_default();
        if users.is_empty() {
            tracing::warn!("FRONTEND_USERS is empty: nobody can log in to edit products");
        }
        let aws = sync_core::queue::sdk_config(&settings.aws).await;
        let (monitor, sampler) = SyncMonitor::new(
            pool.clone(),
            sync_core::queue::sqs_client(&aws),
            Arc::clone(&store),
            settings.sync_status.clone(),
            shutdown.clone(),
        );
        tasks.spawn("sync-status", sampler);
        let searcher = Searcher::new(
            pool.clone(),
            Arc::clone(&store),
            Arc::clone(&embedder),
            SearchOptions {
                cache_capacity: settings.query_cache_size,
                result_ttl: Duration::from_millis(settings.result_cache_ttl_ms),
                row_cache_capacity: usize::try_from(settings.row_cache_size).unwrap_or(usize::MAX),
                ..SearchOptions::default()
            },
        );
        // Result rows are served from memory only while this follows
        // every change to `products` (see `search::row_cache`).
        tasks.spawn(
            "row-cache-listener",
            search::follow_product_changes(pool.clone(), searcher.row_cache(), shutdown.clone()),
        );
        let imports = imports::start(
            &settings.uploads,
            &aws,
            pool.clone(),
            Arc::clone(&store),
            &mut tasks,
            &shutdown,
        );
        let state = AppState {
            catalog: Catalog::new(pool.clone(), Arc::clone(&store), searcher.row_cache()),
            searcher,
            auth: Auth::new(
                users,
                settings.session_key.clone(),
                settings.api_key.clone(),
                Sessions::new(pool.clone(), settings.session_ttl()),
                LoginThrottle::new(settings.login_attempts_per_minute),
            ),
            monitor,
            imports,
        };
        let app = middleware::wrap(
            router(state, readiness.clone()),
            settings.request_timeout(),
            settings.hsts,
        );

        let listener = TcpListener::bind(settings.http_addr).await?;
        let addr = listener.local_addr()?;
        let server_shutdown = shutdown.clone();
        tasks.spawn("http", async move {
            let result = axum::serve(listener, app)
                .with_graceful_shutdown(async move { server_shutdown.triggered().await })
                .await;
            if let Err(e) = result {
                tracing::error!(error = %e, "the HTTP server failed");
            }
        });
        tasks.spawn(
            "probes",
            readiness::probe_loop(pool, store, embedder, readiness, shutdown),
        );
        Ok(Self { addr, tasks })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serve until shutdown and every task has drained. An error means a
    /// task stopped on its own (the process should exit non-zero and be
    /// replaced).
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        Ok(self.tasks.run().await?)
    }
}

/// Every route, with its state: pages (with the browser-id cookie their
/// CSRF tokens need), the sync status, static assets, the API, and the
/// health endpoints.
pub fn router(state: AppState, readiness: Readiness) -> Router {
    let pages = web::pages()
        .merge(sync_status::router())
        .merge(imports::pages_router())
        .layer(axum::middleware::from_fn(auth::issue_browser_id));
    Router::new()
        .merge(pages)
        .merge(web::assets())
        .merge(api::router())
        .merge(imports::api_router())
        .fallback(fallback)
        .with_state(state)
        .merge(health_router(readiness))
}

async fn fallback(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        api::not_found().await.into_response()
    } else {
        web::not_found().await.into_response()
    }
}
