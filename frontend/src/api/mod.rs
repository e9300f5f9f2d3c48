//! The JSON API (documented in docs/frontend.md, "JSON API", and by its
//! OpenAPI document, see [`openapi`]). Every error is a problem document:
//! handlers answer [`Problem`]s, and [`problem_bodies`] rewrites any other
//! error response under `/api/` (axum's extractor rejections, 404, 405,
//! 413, timeouts) into one.

mod docs;
mod editor;
mod problem;
mod products;
mod search;

use axum::Router;
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use self::docs::{openapi, openapi_json};
pub use self::editor::{CSRF_HEADER, Editor};
pub use self::problem::{PROBLEM_JSON, Problem};
use crate::AppState;

pub fn router() -> Router<AppState> {
    routes().split_for_parts().0
}

/// Every `/api/` route of this module with its documentation: a handler
/// registered here is routed and documented at once (its path is its
/// `#[utoipa::path]`).
fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(docs::ApiDoc::openapi())
        .routes(routes!(search::search))
        .routes(routes!(products::get_product, products::patch_product))
        .routes(routes!(docs::serve_openapi))
}

/// Longest error text taken over as a problem's `detail`.
const MAX_DETAIL_BYTES: usize = 2048;

/// Middleware: an error response to an `/api/` request that is not a
/// problem document yet becomes one, keeping its status and using its text
/// (an axum rejection says what was wrong with the input) as the detail.
pub async fn problem_bodies(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !is_api || !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, MAX_DETAIL_BYTES)
        .await
        .map(|bytes| String::from_utf8_lossy(&bytes).trim().to_owned())
        .unwrap_or_default();
    let detail = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_lowercase()
    } else {
        text
    };
    let mut problem = Problem::new(status, detail).into_response();
    // Keep headers such as Allow (405) and Retry-After.
    for (name, value) in &parts.headers {
        if name != CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            problem.headers_mut().append(name.clone(), value.clone());
        }
    }
    problem
}

/// An unknown `/api/` path.
pub async fn not_found() -> Problem {
    Problem::new(
        axum::http::StatusCode::NOT_FOUND,
        "there is no such API endpoint",
    )
}
