//! Bulk catalog upload (docs/bulk-upload.md): an editor uploads a CSV file
//! straight from the browser to S3 with a presigned `PUT`, then an import
//! job reads it from there into `products`, and its page follows the job
//! until the search index has caught up.
//!
//! The import itself is `catalog_import`'s; this module is the web side
//! and the wiring. One job per file:
//! * `api` — `POST /api/uploads` (an upload URL), `POST /api/imports`
//!   (a job for an uploaded file), `GET /api/imports[/{id}]`.
//! * `pages` — `/imports` (upload, with progress) and `/imports/{id}`
//!   (the job, live), their script and styles.
//! * `recent` — the recent jobs on `/status`.
//! * `view` — a job as the pages and the API show it.
//!
//! Without `UPLOAD_BUCKET` all of it is off: the pages say so and the API
//! answers 503.

mod api;
mod pages;
mod recent;
mod view;

use std::sync::Arc;
use std::time::Duration;

use aws_config::SdkConfig;
use axum::Router;
use axum::extract::FromRef;
use catalog_import::{Importer, JobStore, Objects, UploadSettings, WorkerOptions};
use sqlx::PgPool;
use sync_core::telemetry::{Shutdown, Supervisor};
use tokio::sync::Notify;
use vector_store::VectorStore;

pub use self::api::ImportsApi;
pub use self::recent::RecentImports;
use crate::AppState;

/// How often the indexing of imported products is compared with the store.
const INDEX_PROGRESS_INTERVAL: Duration = Duration::from_secs(1);

/// The bulk upload of this replica; cheap to clone. Off without a bucket.
#[derive(Clone, Debug, Default)]
pub struct Imports(Option<Arc<Service>>);

/// What the handlers use when uploads are on.
#[derive(Debug)]
pub struct Service {
    pub jobs: JobStore,
    pub objects: Objects,
    pub max_bytes: u64,
    pub url_ttl: Duration,
    /// Wakes this replica's workers when a job is created here.
    pub wake: Arc<Notify>,
}

impl Imports {
    /// `None` when bulk upload is off (`UPLOAD_BUCKET` unset).
    pub fn service(&self) -> Option<&Service> {
        self.0.as_deref()
    }
}

impl FromRef<AppState> for Imports {
    fn from_ref(state: &AppState) -> Self {
        state.imports.clone()
    }
}

/// Turn bulk upload on if `settings` name a bucket: the S3 client, and
/// under `tasks` the import workers (`IMPORT_WORKERS`) and the task that
/// follows the indexing of imported products.
pub fn start(
    settings: &UploadSettings,
    aws: &SdkConfig,
    pool: PgPool,
    store: Arc<dyn VectorStore>,
    tasks: &mut Supervisor,
    shutdown: &Shutdown,
) -> Imports {
    let Some(bucket) = &settings.upload_bucket else {
        return Imports::default();
    };
    describe_metrics();
    let jobs = JobStore::new(pool.clone());
    let objects = Objects::new(
        aws,
        bucket.as_str(),
        settings.upload_public_endpoint_url.as_ref(),
    );
    let wake = Arc::new(Notify::new());
    if settings.import_workers > 0 {
        let importer = Importer {
            jobs: jobs.clone(),
            objects: objects.clone(),
            max_bytes: settings.upload_max_bytes,
            chunk_rows: settings.import_chunk_rows as usize,
            write_lanes: settings.import_write_lanes as usize,
        };
        let options = WorkerOptions {
            lease: settings.lease(),
            poll_interval: settings.poll_interval(),
        };
        tasks.spawn(
            "import-worker",
            catalog_import::run_workers(
                importer,
                options,
                settings.import_workers,
                Arc::clone(&wake),
                shutdown.clone(),
            ),
        );
    }
    tasks.spawn(
        "import-index-progress",
        catalog_import::index_progress::follow_indexing(
            pool,
            store,
            INDEX_PROGRESS_INTERVAL,
            shutdown.clone(),
        ),
    );
    tracing::info!(bucket = %bucket, workers = settings.import_workers, "bulk upload is on");
    Imports(Some(Arc::new(Service {
        jobs,
        objects,
        max_bytes: settings.upload_max_bytes,
        url_ttl: settings.url_ttl(),
        wake,
    })))
}

/// The pages of bulk upload and their assets (they need the browser id of
/// `auth::issue_browser_id`, like every page).
pub fn pages_router() -> Router<AppState> {
    pages::router()
}

/// The JSON API of bulk upload.
pub fn api_router() -> Router<AppState> {
    api::router()
}

fn describe_metrics() {
    metrics::describe_counter!(
        "import_rows_total",
        "CSV rows of bulk imports, by outcome (imported, skipped)"
    );
    metrics::describe_counter!(
        "import_jobs_total",
        "Import job runs that ended, by outcome (done, failed, retry, lease_lost, stopped)"
    );
    metrics::describe_histogram!(
        "import_chunk_seconds",
        metrics::Unit::Seconds,
        "Time to commit one chunk of an import (products, skipped lines, checkpoint)"
    );
    metrics::describe_counter!("upload_urls_total", "Presigned upload URLs handed out");
}
