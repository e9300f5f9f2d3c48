//! The bulk-upload API: an upload URL, a job for an uploaded file, the
//! caller's jobs. Editors only (the API key, or a session with the page's
//! CSRF token for `POST`), and each sees only their own uploads and jobs:
//! an upload id names an object under the caller's own prefix, so a job
//! can never be made from someone else's file, and someone else's job is
//! answered 404 like one that does not exist.

use std::collections::BTreeMap;

use axum::Json;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use catalog_import::{Job, MAX_REJECTS, NewJob, ObjectError, Objects};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::Service;
use super::view::{self, IndexPhase, Phase};
use crate::AppState;
use crate::api::{Editor, PROBLEM_JSON, Problem};
use crate::edit::FieldError;

/// The longest file name kept (it is only shown).
pub const MAX_FILE_NAME_CHARS: usize = 255;

/// The caller's jobs listed at most.
const LIST_LIMIT: i64 = 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/uploads", post(create_upload))
        .route("/api/imports", post(create_job).get(list_jobs))
        .route("/api/imports/{id}", get(get_job))
}

/// The OpenAPI description of these routes, merged into the API's document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(create_upload, create_job, list_jobs, get_job),
    tags((name = "imports", description = "Bulk catalog upload: a CSV file straight to S3, \
        then an import job with progress (editors only)."))
)]
pub struct ImportsApi;

/// What the caller is about to upload.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadRequest {
    /// The file's name, shown on its job's page (1–255 characters).
    #[schema(min_length = 1, max_length = 255, examples("catalog.csv"))]
    file_name: String,
    /// The file's exact size in bytes: the URL accepts this many, no other.
    #[schema(minimum = 1)]
    size_bytes: u64,
}

/// Where and how to upload the file: `PUT` its bytes to `url` with these
/// headers, before `expires_at`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadTicket {
    /// Names the upload when creating its import job.
    upload_id: Uuid,
    #[schema(examples("PUT"))]
    method: &'static str,
    /// A presigned S3 URL (the browser sends the file there directly).
    url: String,
    /// Headers the `PUT` must carry, exactly (its `Content-Length` is the
    /// file's size).
    headers: BTreeMap<String, String>,
    expires_at: DateTime<Utc>,
    /// The largest file this server accepts.
    max_bytes: u64,
}

/// An uploaded file to import.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    /// From `POST /api/uploads`.
    upload_id: Uuid,
    /// The file's name, shown on the job's page (default `upload.csv`).
    #[schema(min_length = 1, max_length = 255)]
    file_name: Option<String>,
}

/// A skipped line of the file.
#[derive(Debug, Serialize, ToSchema)]
pub struct SkippedLine {
    /// 1-based line number in the file (the header is line 1).
    line: i64,
    reason: String,
}

/// How far the search index is with the products the job wrote.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndexProgress {
    /// Distinct products the job wrote.
    total: i64,
    /// Of those, how many the vector index holds at their current version.
    indexed: i64,
    #[schema(schema_with = index_state_schema)]
    state: &'static str,
}

/// An import job.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportJob {
    id: Uuid,
    file_name: String,
    /// `queued`, `running`, `done` or `failed`.
    #[schema(schema_with = state_schema)]
    state: &'static str,
    /// Where it is: `queued`, `checking` (the whole file, before anything
    /// is written), `importing`, `imported`, `failed`.
    #[schema(schema_with = phase_schema)]
    phase: &'static str,
    /// Why it failed, or why it is being retried.
    error: Option<String>,
    size_bytes: i64,
    /// Bytes of the file imported so far.
    bytes_imported: i64,
    /// Data rows in the file (known once it was checked).
    rows_total: Option<i64>,
    rows_read: i64,
    rows_imported: i64,
    rows_skipped: i64,
    /// Rows read as a percentage of all rows.
    #[schema(minimum = 0, maximum = 100)]
    percent: u8,
    /// The first skipped lines (at most 100; `rows_skipped` counts all).
    /// Only in `GET /api/imports/{id}`; null in lists.
    skipped_lines: Option<Vec<SkippedLine>>,
    index: IndexProgress,
    /// Times a worker took the job up (more than 1: it was resumed).
    attempts: i32,
    /// The line a resumed run continued at.
    resumed_at_line: Option<i64>,
    created_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    /// From start to end, with the check of the file.
    import_seconds: Option<f64>,
    rows_per_second: Option<f64>,
    /// The job's page.
    #[schema(examples("/imports/5b0e6d2e-8f3c-4f57-a0a4-1b1ad4fd3e0c"))]
    page: String,
}

/// The caller's newest jobs.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportJobList {
    jobs: Vec<ImportJob>,
}

fn enum_schema(values: &[&'static str], description: &str) -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values.to_vec()))
        .description(Some(description))
        .build()
}

fn state_schema() -> utoipa::openapi::schema::Object {
    enum_schema(
        &["queued", "running", "done", "failed"],
        "`queued`, `running`, `done` or `failed`.",
    )
}

fn phase_schema() -> utoipa::openapi::schema::Object {
    enum_schema(
        &Phase::ALL.map(Phase::as_str),
        "Where the job is: `queued`, `checking` (the whole file, before anything is written), \
         `importing`, `imported`, `failed`.",
    )
}

fn index_state_schema() -> utoipa::openapi::schema::Object {
    enum_schema(
        &IndexPhase::ALL.map(IndexPhase::as_str),
        "`pending` (nothing imported yet), `indexing`, `indexed` (the job is done and the index \
         holds every product it wrote), `nothing` (the job wrote no product).",
    )
}

impl ImportJob {
    pub fn of(job: &Job, skipped: Option<Vec<catalog_import::Reject>>) -> Self {
        let timing = view::timing(job);
        Self {
            id: job.id,
            file_name: job.file_name.clone(),
            state: job.state.as_str(),
            phase: Phase::of(job).as_str(),
            error: job.error.clone(),
            size_bytes: job.size_bytes,
            bytes_imported: job.next_byte,
            rows_total: job.rows_total,
            rows_read: job.rows_read,
            rows_imported: job.rows_imported,
            rows_skipped: job.rows_skipped,
            percent: view::percent(job),
            skipped_lines: skipped.map(|lines| {
                lines
                    .into_iter()
                    .map(|r| SkippedLine {
                        line: r.line,
                        reason: r.reason,
                    })
                    .collect()
            }),
            index: IndexProgress {
                total: job.index_total,
                indexed: job.index_done,
                state: IndexPhase::of(job).as_str(),
            },
            attempts: job.attempts,
            resumed_at_line: job.resumed_at_line,
            created_at: job.created_at,
            started_at: job.started_at,
            finished_at: job.finished_at,
            import_seconds: timing.map(|(s, _)| s),
            rows_per_second: timing.map(|(_, r)| r),
            page: format!("/imports/{}", job.id),
        }
    }
}

/// 503: bulk upload is off here.
fn off() -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "bulk upload is not configured on this server (UPLOAD_BUCKET)",
    )
}

fn error(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

/// 422 for one refused field.
fn invalid(error: FieldError) -> Problem {
    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "the request is not valid")
        .with_errors(vec![error])
}

/// A file name to keep: trimmed, 1–255 characters, no control characters.
fn file_name(name: &str) -> Result<String, FieldError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_FILE_NAME_CHARS {
        return Err(error(
            "file_name",
            format!("must be 1 to {MAX_FILE_NAME_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(error("file_name", "must not contain control characters"));
    }
    Ok(name.to_owned())
}

/// An upload URL for a CSV file of `size_bytes` bytes.
///
/// The file goes straight from the client to S3: `PUT` it to `url` with
/// `headers` before `expires_at`. Then create its import job with
/// `POST /api/imports`.
#[utoipa::path(
    post,
    path = "/api/uploads",
    tag = "imports",
    request_body(content = UploadRequest, content_type = "application/json"),
    security(("api_key" = []), ("session" = [], "csrf_token" = [])),
    responses(
        (status = 201, description = "Upload here.", body = UploadTicket),
        (status = 400, description = "The body is not valid JSON.", body = Problem,
            content_type = PROBLEM_JSON),
        (status = 401, description = "No valid API key and no session.", body = Problem,
            content_type = PROBLEM_JSON),
        (status = 403, description = "A session without a valid CSRF token.", body = Problem,
            content_type = PROBLEM_JSON),
        (status = 413, description = "The body is over 96 KiB.", body = Problem,
            content_type = PROBLEM_JSON),
        (status = 415, description = "The body is not sent as `application/json`.",
            body = Problem, content_type = PROBLEM_JSON),
        (status = 422, description = "An empty file, a file over the size limit, or a bad file \
            name (`errors` says which); or a body of the wrong shape.", body = Problem,
            content_type = PROBLEM_JSON),
        (status = 503, description = "Bulk upload is off here, or S3 cannot be used right now.",
            body = Problem, content_type = PROBLEM_JSON),
    )
)]
async fn create_upload(
    State(state): State<AppState>,
    Editor(owner): Editor,
    body: Result<Json<UploadRequest>, JsonRejection>,
) -> Result<Response, Problem> {
    let service = state.imports.service().ok_or_else(off)?;
    let Json(request) = body.map_err(|e| Problem::new(e.status(), e.body_text()))?;
    file_name(&request.file_name).map_err(invalid)?;
    if request.size_bytes == 0 {
        return Err(invalid(error("size_bytes", "the file is empty")));
    }
    if request.size_bytes > service.max_bytes {
        return Err(invalid(error(
            "size_bytes",
            format!(
                "the file is {} bytes; at most {} are accepted",
                request.size_bytes, service.max_bytes
            ),
        )));
    }
    let upload_id = Uuid::new_v4();
    let key = Objects::key(&owner, upload_id);
    let upload = service
        .objects
        .presign_put(&key, request.size_bytes, service.url_ttl)
        .await
        .map_err(|e| Problem::unavailable("S3", &e))?;
    metrics::counter!("upload_urls_total").increment(1);
    tracing::info!(owner = %owner, %upload_id, bytes = request.size_bytes, "upload URL issued");
    let ticket = UploadTicket {
        upload_id,
        method: "PUT",
        url: upload.url,
        headers: upload.headers.into_iter().collect(),
        expires_at: upload.expires_at,
        max_bytes: service.max_bytes,
    };
    Ok((StatusCode::CREATED, Json(ticket)).into_response())
}

/// Import an uploaded file: creates its job (or answers the one that
/// exists for this upload, 200). The job checks the whole file before it
/// writes anything, then upserts its rows by SKU; follow it with
/// `GET /api/imports/{id}`.
#[utoipa::path(
    post,
    path = "/api/imports",
    tag = "imports",
    request_body(content = ImportRequest, content_type = "application/json"),
    security(("api_key" = []), ("session" = [], "csrf_token" = [])),
    responses(
        (status = 201, description = "The job was created.", body = ImportJob),
        (status = 200, description = "This upload's job already exists.", body = ImportJob),
        (status = 400, description = "The body is not valid JSON.", body = Problem,
            content_type = PROBLEM_JSON),
        (status = 401, description = "No valid API key and no session.", body = Problem,
            content_type = PROBLEM_JSON),
        (status = 403, description = "A session without a valid CSRF token.", body = Problem,
            content_type = PROBLEM_JSON),
        (status = 404, description = "The caller has no uploaded file with this id (never \
            uploaded, expired, or someone else's).", body = Problem, content_type = PROBLEM_JSON),
        (status = 413, description = "The body is over 96 KiB.", body = Problem,
            content_type = PROBLEM_JSON),
        (status = 415, description = "The body is not sent as `application/json`.",
            body = Problem, content_type = PROBLEM_JSON),
        (status = 422, description = "A bad file name, or a body of the wrong shape.",
            body = Problem, content_type = PROBLEM_JSON),
        (status = 503, description = "Bulk upload is off here, or S3 or the database cannot be \
            used right now.", body = Problem, content_type = PROBLEM_JSON),
    )
)]
async fn create_job(
    State(state): State<AppState>,
    Editor(owner): Editor,
    body: Result<Json<ImportRequest>, JsonRejection>,
) -> Result<Response, Problem> {
    let service = state.imports.service().ok_or_else(off)?;
    let Json(request) = body.map_err(|e| Problem::new(e.status(), e.body_text()))?;
    let name = file_name(request.file_name.as_deref().unwrap_or("upload.csv")).map_err(invalid)?;
    // The key is the caller's own: another user's upload id names an
    // object that is not there.
    let key = Objects::key(&owner, request.upload_id);
    let info = match service.objects.head(&key).await {
        Ok(info) => info,
        Err(ObjectError::Missing) => {
            return Err(Problem::new(
                StatusCode::NOT_FOUND,
                "no file was uploaded with this upload id (or it expired)",
            ));
        }
        Err(e) => return Err(Problem::unavailable("S3", &e)),
    };
    let (job, created) = service
        .jobs
        .create(&NewJob {
            owner: owner.clone(),
            object_key: key,
            file_name: name,
            size_bytes: info.size,
        })
        .await
        .map_err(|e| Problem::unavailable("the job database", &e))?;
    if created {
        tracing::info!(owner = %owner, job_id = %job.id, bytes = info.size, "import job created");
        service.wake.notify_one();
    }
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(ImportJob::of(&job, None))).into_response())
}

/// The caller's newest import jobs (at most 20).
#[utoipa::path(
    get,
    path = "/api/imports",
    tag = "imports",
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "Newest first.", body = ImportJobList),
        (status = 401, description = "No valid API key and no session.", body = Problem,
            content_type = PROBLEM_JSON),
        (status = 503, description = "Bulk upload is off here, or the database cannot be \
            used right now.", body = Problem, content_type = PROBLEM_JSON),
    )
)]
async fn list_jobs(
    State(state): State<AppState>,
    Editor(owner): Editor,
) -> Result<Json<ImportJobList>, Problem> {
    let service = state.imports.service().ok_or_else(off)?;
    let jobs = service
        .jobs
        .list_for(&owner, LIST_LIMIT)
        .await
        .map_err(|e| Problem::unavailable("the job database", &e))?;
    Ok(Json(ImportJobList {
        jobs: jobs.iter().map(|j| ImportJob::of(j, None)).collect(),
    }))
}

/// One of the caller's import jobs, with its first skipped lines: poll it
/// to follow the import and then the indexing of what it wrote.
#[utoipa::path(
    get,
    path = "/api/imports/{id}",
    tag = "imports",
    params(("id" = String, Path, description = "The job's id.")),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The job.", body = ImportJob),
        (status = 401, description = "No valid API key and no session.", body = Problem,
            content_type = PROBLEM_JSON),
        (status = 404, description = "The caller has no job with this id.", body = Problem,
            content_type = PROBLEM_JSON),
        (status = 503, description = "Bulk upload is off here, or the database cannot be \
            used right now.", body = Problem, content_type = PROBLEM_JSON),
    )
)]
async fn get_job(
    State(state): State<AppState>,
    Editor(owner): Editor,
    Path(id): Path<String>,
) -> Result<Json<ImportJob>, Problem> {
    let service = state.imports.service().ok_or_else(off)?;
    let (job, skipped) = find(service, &owner, &id)
        .await?
        .ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, "there is no such import job"))?;
    Ok(Json(ImportJob::of(&job, Some(skipped))))
}

/// The job `id` of `owner` with its kept skipped lines; `None` for a
/// malformed id, someone else's job, or none at all.
pub async fn find(
    service: &Service,
    owner: &str,
    id: &str,
) -> Result<Option<(Job, Vec<catalog_import::Reject>)>, Problem> {
    let Ok(id) = Uuid::parse_str(id) else {
        return Ok(None);
    };
    let unavailable = |e: sqlx::Error| Problem::unavailable("the job database", &e);
    let Some(job) = service.jobs.get(id, owner).await.map_err(unavailable)? else {
        return Ok(None);
    };
    let skipped = service.jobs.rejects(id).await.map_err(unavailable)?;
    debug_assert!(skipped.len() <= MAX_REJECTS);
    Ok(Some((job, skipped)))
}
