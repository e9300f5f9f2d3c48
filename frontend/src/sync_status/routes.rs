//! `/status`, `/status/badge`, `/status/chart.svg`, `/api/status`, and the
//! page's own script and styles (`/status/status.js`, `/status/status.css`).
//!
//! Handlers only read what the sampler recorded: a page view never waits on
//! Postgres, SQS or the store, and a down source is an "unavailable" cell,
//! never an error status. Live answers are not cached: the frontend's
//! middleware marks every response `no-store` unless it set its own
//! Cache-Control (the script and styles do).

use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::{FromRef, FromRequestParts, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;

use super::chart;
use super::history::HistoryPoint;
use super::monitor::SyncMonitor;
use super::snapshot::{SyncSnapshot, SyncState};
use super::view::{Badge, StatusView};
use crate::imports::RecentImports;
use crate::web::{Layout, Page};

/// Script and styles change only with a release (as `/static/`).
const ASSET_CACHE: &str = "public, max-age=300";

pub fn router<S>() -> Router<S>
where
    SyncMonitor: FromRef<S>,
    Layout: FromRequestParts<S>,
    RecentImports: FromRequestParts<S>,
    S: Clone + Send + Sync + 'static,
{
    Router::new()
        .route("/status", get(status_page))
        .route("/status/badge", get(badge))
        .route("/status/chart.svg", get(chart_svg))
        .route("/status/status.js", get(script))
        .route("/status/status.css", get(styles))
        .route("/api/status", get(api_status))
}

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage {
    layout: Layout,
    view: StatusView,
    /// The recent bulk imports (`None`: bulk upload is off).
    imports: RecentImports,
}

#[derive(Template)]
#[template(path = "status_badge.html")]
struct BadgeFragment {
    text: String,
    state_slug: &'static str,
}

async fn status_page(
    layout: Layout,
    imports: RecentImports,
    State(monitor): State<SyncMonitor>,
) -> Response {
    let latest = monitor.latest();
    let view = StatusView::of(
        latest.as_ref(),
        monitor.sample_interval(),
        monitor.history_window(),
    );
    Page(
        StatusCode::OK,
        StatusPage {
            layout,
            view,
            imports,
        },
    )
    .into_response()
}

async fn badge(State(monitor): State<SyncMonitor>) -> Response {
    let Badge { text, state_slug } = Badge::of(monitor.latest().as_ref());
    Page(StatusCode::OK, BadgeFragment { text, state_slug }).into_response()
}

async fn chart_svg(State(monitor): State<SyncMonitor>) -> Response {
    let svg = chart::render(&monitor.history(), Utc::now(), monitor.history_window());
    ([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response()
}

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, ASSET_CACHE),
        ],
        include_str!("status.js"),
    )
        .into_response()
}

async fn styles() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, ASSET_CACHE),
        ],
        include_str!("status.css"),
    )
        .into_response()
}

/// `GET /api/status`: the latest sample, its verdict and the history.
#[derive(Serialize, ToSchema)]
struct StatusDocument {
    /// `null` until the first sample is in.
    state: Option<SyncState>,
    pending_changes: Option<u64>,
    latest: Option<SyncSnapshot>,
    sample_interval_ms: u128,
    history_window_s: u64,
    history: Vec<HistoryPoint>,
}

/// The OpenAPI description of `/api/status`, merged into the API's document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(api_status))]
pub struct StatusApi;

/// The sync pipeline's latest sample, its verdict and the recent history.
///
/// Read from what the sampler recorded: never waits on a dependency, and a
/// source that is down is `{"unavailable": true}`, not an error.
#[utoipa::path(
    get,
    path = "/api/status",
    tag = "status",
    responses((status = 200, description = "The latest sample (null until the first is in).",
        body = StatusDocument))
)]
async fn api_status(State(monitor): State<SyncMonitor>) -> Response {
    let latest = monitor.latest();
    let document = StatusDocument {
        state: latest.as_ref().map(SyncSnapshot::state),
        pending_changes: latest.as_ref().and_then(SyncSnapshot::pending_changes),
        latest,
        sample_interval_ms: monitor.sample_interval().as_millis(),
        history_window_s: monitor.history_window().as_secs(),
        history: monitor.history(),
    };
    Json(document).into_response()
}
