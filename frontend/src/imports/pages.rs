//! `/imports` — choose a CSV file, upload it straight to S3 with a
//! progress bar, start its import — and `/imports/{id}`, the job: a
//! progress bar while it runs, then "indexed n of m" as emu catches up,
//! and the skipped lines. Both for logged-in users, each seeing only their
//! own jobs; `imports.js` does the upload and keeps the job page live.
//!
//! Uploading needs JavaScript (a plain form cannot `PUT` to S3); the job
//! page works without it (a snapshot).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use catalog_import::{Job, MAX_REJECTS, Reject};

use super::api::find;
use super::view::{self, IndexPhase, Phase};
use crate::AppState;
use crate::middleware::content_security_policy_with_connect;
use crate::web::{Layout, LoggedIn, Page, PageError};

/// Script and styles change only with a release (as `/static/`).
const ASSET_CACHE: &str = "public, max-age=300";

/// The jobs the upload page lists.
const MY_JOBS: i64 = 10;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/imports", get(upload_page))
        .route("/imports/{id}", get(job_page))
        .route("/imports/imports.js", get(script))
        .route("/imports/imports.css", get(styles))
}

/// One line of a job list.
pub struct JobRow {
    pub href: String,
    pub file_name: String,
    pub phase: &'static str,
    pub phase_label: &'static str,
    pub rows: String,
    pub index: String,
    pub created: String,
}

impl JobRow {
    pub fn of(job: &Job) -> Self {
        let phase = Phase::of(job);
        Self {
            href: format!("/imports/{}", job.id),
            file_name: job.file_name.clone(),
            phase: phase.as_str(),
            phase_label: phase.label(),
            rows: view::rows_line(job),
            index: view::index_line(job),
            created: job.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "imports.html")]
struct UploadPage {
    layout: Layout,
    /// Why uploading is not possible here, if it is not.
    unavailable: Option<&'static str>,
    max_bytes: u64,
    max_label: String,
    jobs: Vec<JobRow>,
}

async fn upload_page(
    State(state): State<AppState>,
    layout: Layout,
    LoggedIn(user): LoggedIn,
) -> Result<Response, PageError> {
    let Some(service) = state.imports.service() else {
        let page = UploadPage {
            layout,
            unavailable: Some("Bulk upload is not configured on this server."),
            max_bytes: 0,
            max_label: String::new(),
            jobs: Vec::new(),
        };
        return Ok(Page(StatusCode::OK, page).into_response());
    };
    let jobs = service
        .jobs
        .list_for(&user, MY_JOBS)
        .await
        .map_err(|e| PageError::unavailable("The job database", &e))?;
    // The browser may connect to where the upload URLs point, and only there.
    let origin = service.objects.browser_origin().await;
    let page = UploadPage {
        layout,
        unavailable: origin
            .is_err()
            .then_some("Uploading is not possible right now (S3 is not available)."),
        max_bytes: service.max_bytes,
        max_label: human_bytes(service.max_bytes),
        jobs: jobs.iter().map(JobRow::of).collect(),
    };
    let mut response = Page(StatusCode::OK, page).into_response();
    match origin {
        Ok(origin) => {
            if let Ok(policy) =
                HeaderValue::from_str(&content_security_policy_with_connect(&origin))
            {
                response
                    .headers_mut()
                    .insert(header::CONTENT_SECURITY_POLICY, policy);
            }
        }
        Err(e) => tracing::error!(error = %e, "no upload URL can be signed"),
    }
    Ok(response)
}

#[derive(Template)]
#[template(path = "import_job.html")]
struct JobPage {
    layout: Layout,
    id: String,
    file_name: String,
    phase: &'static str,
    phase_label: &'static str,
    percent: u8,
    rows: String,
    index: String,
    index_state: &'static str,
    error: Option<String>,
    skipped: Vec<Reject>,
    /// More lines were skipped than are kept.
    more_skipped: bool,
    created: String,
    timing: Option<String>,
    resumed: Option<String>,
}

async fn job_page(
    State(state): State<AppState>,
    layout: Layout,
    LoggedIn(user): LoggedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let not_found = || PageError::new(StatusCode::NOT_FOUND, "There is no such import job.");
    let service = state.imports.service().ok_or_else(not_found)?;
    let (job, skipped) = find(service, &user, &id)
        .await
        .map_err(|_| {
            PageError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "The job database is not available right now. Please try again in a moment.",
            )
        })?
        .ok_or_else(not_found)?;
    let phase = Phase::of(&job);
    let page = JobPage {
        layout,
        id: job.id.to_string(),
        file_name: job.file_name.clone(),
        phase: phase.as_str(),
        phase_label: phase.label(),
        percent: view::percent(&job),
        rows: view::rows_line(&job),
        index: view::index_line(&job),
        index_state: IndexPhase::of(&job).as_str(),
        error: job.error.clone(),
        more_skipped: usize::try_from(job.rows_skipped).unwrap_or(0) > skipped.len()
            && skipped.len() >= MAX_REJECTS,
        skipped,
        created: job.created_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        timing: view::timing(&job).map(|(seconds, rate)| {
            format!(
                "{} rows in {seconds:.1} s ({} rows/s)",
                view::count(job.rows_read),
                view::count(rate.round() as i64)
            )
        }),
        resumed: job.resumed_at_line.map(|line| {
            format!(
                "resumed at line {} after an interruption",
                view::count(line)
            )
        }),
    };
    Ok(Page(StatusCode::OK, page).into_response())
}

/// "1 GiB", "500 MiB", "12 345 bytes".
fn human_bytes(n: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (size, unit) in UNITS {
        if n >= size {
            let value = n as f64 / size as f64;
            return if n.is_multiple_of(size) {
                format!("{} {unit}", n / size)
            } else {
                format!("{value:.1} {unit}")
            };
        }
    }
    format!("{n} bytes")
}

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, ASSET_CACHE),
        ],
        include_str!("imports.js"),
    )
        .into_response()
}

async fn styles() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, ASSET_CACHE),
        ],
        include_str!("imports.css"),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::human_bytes;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_bytes(1 << 30), "1 GiB");
        assert_eq!(human_bytes(100 * (1 << 20)), "100 MiB");
        assert_eq!(human_bytes(1_500_000), "1.4 MiB");
        assert_eq!(human_bytes(512), "512 bytes");
    }
}
