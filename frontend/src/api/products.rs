//! `GET /api/products/{sku}` and `PATCH /api/products/{sku}`.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use super::editor::Editor;
use super::problem::Problem;
use crate::AppState;
use crate::catalog::{EditOutcome, Product};
use crate::edit::ProductPatch;

#[derive(Debug, Serialize)]
pub struct ProductResponse {
    pub sku: String,
    pub name: String,
    pub description: String,
    pub category: Option<String>,
    pub price: Option<Decimal>,
    /// The row's version: +1 on every change that matters to search.
    pub version: i64,
    /// The version the search index holds (null: none yet, or unknown).
    pub indexed_version: Option<i64>,
    /// `indexed` (the index holds `version`), `indexing` (not yet), or
    /// `unknown` (the vector store did not answer).
    pub index_state: &'static str,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

async fn respond(state: &AppState, product: Product) -> ProductResponse {
    let index = state.catalog.index_status(&product).await;
    ProductResponse {
        sku: product.sku,
        name: product.name,
        description: product.description,
        category: product.category,
        price: product.price,
        version: product.version,
        indexed_version: index.indexed_version,
        index_state: index.state.as_str(),
        created_at: product.created_at,
        updated_at: product.updated_at,
    }
}

fn unknown(sku: &str) -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        format!("there is no product with SKU {sku:?}"),
    )
}

pub async fn get_product(
    State(state): State<AppState>,
    Path(sku): Path<String>,
) -> Result<Json<ProductResponse>, Problem> {
    let product = state
        .catalog
        .product(&sku)
        .await
        .map_err(|e| Problem::unavailable("the product database", &e))?
        .ok_or_else(|| unknown(&sku))?;
    Ok(Json(respond(&state, product).await))
}

/// Change any of name, description, category, price. With `"version"` in
/// the body the change applies only to that version (else 409).
pub async fn patch_product(
    State(state): State<AppState>,
    Editor(editor): Editor,
    Path(sku): Path<String>,
    body: Result<Json<ProductPatch>, JsonRejection>,
) -> Result<Json<ProductResponse>, Problem> {
    let Json(patch) = body.map_err(|e| Problem::new(e.status(), e.body_text()))?;
    let edit = patch.validate().map_err(|errors| {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "the edit is not valid").with_errors(errors)
    })?;
    let outcome = state
        .catalog
        .edit(&sku, &edit, patch.version)
        .await
        .map_err(|e| Problem::unavailable("the product database", &e))?;
    match outcome {
        EditOutcome::Saved(product) => {
            tracing::info!(sku = %product.sku, version = product.version, editor = %editor, "product edited");
            Ok(Json(respond(&state, product).await))
        }
        EditOutcome::NotFound => Err(unknown(&sku)),
        EditOutcome::Conflict { current_version } => Err(Problem::new(
            StatusCode::CONFLICT,
            format!(
                "the product is at version {current_version}, not {}; fetch it again and re-apply the change",
                patch.version.unwrap_or_default()
            ),
        )),
    }
}
