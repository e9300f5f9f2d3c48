//! `GET /api/search?q=&k=&category=&min_price=&max_price=&page=`.

use axum::Json;
use axum::extract::{RawQuery, State};
use rust_decimal::Decimal;
use serde::Serialize;

use super::problem::Problem;
use crate::AppState;
use crate::params::RawParams;
use crate::search_failure::SearchFailure;

#[derive(Debug, Serialize)]
pub struct SearchResponse {
    pub query: String,
    pub page: usize,
    pub k: usize,
    /// Whether `page + 1` has results.
    pub has_more: bool,
    /// Best first (browsing: newest first).
    pub results: Vec<SearchResult>,
}

#[derive(Debug, Serialize)]
pub struct SearchResult {
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    /// A decimal string ("14.99"), exact.
    pub price: Option<Decimal>,
    pub description: String,
    /// Cosine similarity to the query; null when browsing.
    pub score: Option<f32>,
}

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
