//! The API's OpenAPI 3.1 document, generated from the handlers and types
//! (`#[utoipa::path]`, `ToSchema`, `IntoParams`), served at
//! `GET /api/openapi.json` and committed as `docs/openapi.json` (a test
//! fails when the two differ; `make openapi` rewrites the file).
//!
//! What is not an `/api/` handler of this crate is added here: the sync
//! status (`crate::sync_status::StatusApi`), bulk upload
//! (`crate::imports::ImportsApi`), the health endpoints of
//! `sync_core::telemetry::health_router`, and the security schemes.

use std::sync::OnceLock;

use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::OpenApi as Document;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::problem::Problem;
use crate::auth::{BROWSER_COOKIE, SESSION_COOKIE};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Product search frontend API",
        description = "Semantic product search, product reads and edits, and the sync status \
            of the catalog pipeline. Every error is an RFC 9457 problem document \
            (`application/problem+json`); bad input is a 4xx, never a 500.",
    ),
    paths(healthz, readyz, metrics),
    components(schemas(Problem)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "search", description = "Semantic search and browsing."),
        (name = "products", description = "One product: read it, or edit it (authenticated)."),
        (name = "status", description = "How far the search index is behind the catalog."),
        (name = "meta", description = "This document."),
        (name = "health", description = "Probes and metrics for the orchestrator (not under `/api/`)."),
    )
)]
pub(super) struct ApiDoc;

/// The whole document: the routes of [`super::routes`], `/api/status` and
/// the health endpoints.
pub fn openapi() -> Document {
    let mut doc = super::routes().into_openapi();
    doc.merge(crate::sync_status::StatusApi::openapi());
    doc.merge(crate::imports::ImportsApi::openapi());
    doc
}

/// [`openapi`] as the pretty-printed JSON that is served and committed
/// (with a final newline). Built once.
pub fn openapi_json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        let mut json = openapi()
            .to_pretty_json()
            .expect("an OpenAPI document serializes to JSON");
        json.push('\n');
        json
    })
}

/// This document (OpenAPI 3.1).
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI document of this API.",
        body = Object, content_type = "application/json"))
)]
pub(super) async fn serve_openapi() -> Response {
    ([(CONTENT_TYPE, "application/json")], openapi_json()).into_response()
}

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The frontend's API key (`FRONTEND_API_KEY`) as a bearer token: \
                         `Authorization: Bearer <key>`. For programs.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE.to_owned(),
                "The session cookie a browser gets by logging in at `/login`. Only \
                 together with `csrf_token` (a cookie alone proves nothing: browsers \
                 attach it to cross-site requests too)."
                    .to_owned(),
            ))),
        );
        components.add_security_scheme(
            "csrf_token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-CSRF-Token".to_owned(),
                format!(
                    "The CSRF token of the browser's pages (`<meta name=\"csrf-token\">`), \
                     bound to its `{BROWSER_COOKIE}` cookie. Needed with `session`."
                ),
            ))),
        );
    }
}

// The health endpoints are `sync_core::telemetry::health_router`'s handlers,
// merged into the frontend's router; these stubs only describe them.

/// Liveness: the process is up.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    responses((status = 200, description = "Always `ok`.", body = String,
        content_type = "text/plain"))
)]
#[allow(
    dead_code,
    reason = "documentation only: served by sync_core::telemetry"
)]
fn healthz() {}

/// Readiness: every dependency (Postgres, the vector store, the model)
/// answers. Each check says `ok` or why it fails.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "health",
    responses(
        (status = 200, description = "Ready: every check is `ok`.",
            body = BTreeMap<String, String>,
            example = json!({"model": "ok", "postgres": "ok", "vector_store": "ok"})),
        (status = 503, description = "Not ready: the failing checks say why.",
            body = BTreeMap<String, String>,
            example = json!({"model": "ok", "postgres": "connection refused", "vector_store": "ok"})),
    )
)]
#[allow(
    dead_code,
    reason = "documentation only: served by sync_core::telemetry"
)]
fn readyz() {}

/// Prometheus metrics (text exposition format 0.0.4).
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "health",
    responses((status = 200, description = "The metrics.", body = String,
        content_type = "text/plain; version=0.0.4"))
)]
#[allow(
    dead_code,
    reason = "documentation only: served by sync_core::telemetry"
)]
fn metrics() {}
