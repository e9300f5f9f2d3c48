//! `GET /api/search?q=&k=&category=&min_price=&max_price=&page=`.

use axum::Json;
use axum::extract::{RawQuery, State};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use super::problem::{PROBLEM_JSON, Problem};
use crate::AppState;
use crate::params::RawParams;
use crate::search_failure::SearchFailure;

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    /// The query as searched (trimmed); empty when browsing.
    pub query: String,
    pub page: usize,
    pub k: usize,
    /// Whether `page + 1` has results.
    pub has_more: bool,
    /// Best first (browsing: newest first).
    pub results: Vec<SearchResult>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResult {
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    /// A decimal string ("14.99"), exact.
    #[schema(examples("14.99"))]
    pub price: Option<Decimal>,
    pub description: String,
    /// Cosine similarity to the query; null when browsing.
    pub score: Option<f32>,
}

/// Semantic search over the catalog, or browsing (no `q`).
///
/// Filters (`category`, `min_price`, `max_price`) narrow the results; the
/// ranking is by similarity to `q`. Unknown parameters are ignored; a
/// parameter given twice is a 400.
#[utoipa::path(
    get,
    path = "/api/search",
    tag = "search",
    params(RawParams),
    responses(
        (status = 200, description = "One page of results, best first.", body = SearchResponse),
        (status = 400, description = "A parameter that is not what it should be at all: a \
            non-numeric `k`, `page` or price, a parameter given twice, percent-encoding that \
            is not UTF-8. `param` names it.", body = Problem, content_type = PROBLEM_JSON),
        (status = 422, description = "A well-formed value out of range: `k` outside 1..=100, \
            a query over 512 characters, a negative price, `min_price` above `max_price`, a \
            page beyond the first 200 results; or a query that cannot be searched.",
            body = Problem, content_type = PROBLEM_JSON),
        (status = 500, description = "A fault on the server's side (logged).",
            body = Problem, content_type = PROBLEM_JSON),
        (status = 503, description = "The search model, the index or the database is not \
            available right now; try again in a moment.", body = Problem, content_type = PROBLEM_JSON),
    )
)]
pub async fn search(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<SearchResponse>, Problem> {
    let params = RawParams::from_query(query.as_deref())
        .and_then(|raw| raw.validate())
        .map_err(|e| Problem::new(e.status, e.message).with_param(e.param))?;
    let page = state
        .searcher
        .search(&params.request())
        .await
        .map_err(|e| {
            let failure = SearchFailure::from(&e);
            Problem::new(failure.status, failure.message)
        })?;
    Ok(Json(SearchResponse {
        query: params.q,
        page: params.page,
        k: params.k,
        has_more: page.has_more,
        results: page
            .hits
            .into_iter()
            .map(|hit| SearchResult {
                sku: hit.sku,
                name: hit.name,
                category: hit.category,
                price: hit.price,
                description: hit.description,
                score: hit.score,
            })
            .collect(),
    }))
}
