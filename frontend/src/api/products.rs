//! `GET /api/products/{sku}` and `PATCH /api/products/{sku}`.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use super::editor::Editor;
use super::problem::{PROBLEM_JSON, Problem};
use crate::AppState;
use crate::catalog::{EditOutcome, IndexState, Product};
use crate::edit::ProductPatch;

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductResponse {
    pub sku: String,
    pub name: String,
    pub description: String,
    pub category: Option<String>,
    /// A decimal string ("14.99"), exact.
    #[schema(examples("14.99"))]
    pub price: Option<Decimal>,
    /// The row's version: +1 on every change that matters to search.
    pub version: i64,
    /// The version the search index holds (null: none yet, or unknown).
    pub indexed_version: Option<i64>,
    /// `indexed` (the index holds `version`), `indexing` (not yet), or
    /// `unknown` (the vector store did not answer).
    #[schema(schema_with = index_state_schema)]
    pub index_state: &'static str,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The values of `index_state`: every [`IndexState`]'s `as_str`.
fn index_state_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(
            [
                IndexState::Indexed,
                IndexState::Indexing,
                IndexState::Unknown,
            ]
            .map(IndexState::as_str),
        ))
        .description(Some(
            "`indexed` (the index holds `version`), `indexing` (not yet), or `unknown` \
             (the vector store did not answer).",
        ))
        .build()
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

/// One product, with the state of its search index entry.
#[utoipa::path(
    get,
    path = "/api/products/{sku}",
    tag = "products",
    params(("sku" = String, Path, description = "The product's SKU.")),
    responses(
        (status = 200, description = "The product.", body = ProductResponse),
        (status = 404, description = "No product has this SKU.", body = Problem,
            content_type = PROBLEM_JSON),
        (status = 503, description = "The product database is not available right now.",
            body = Problem, content_type = PROBLEM_JSON),
    )
)]
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
///
/// Needs the API key (`Authorization: Bearer …`), or a logged-in session
/// (the `session` cookie) together with the page's CSRF token in
/// `X-CSRF-Token` (bound to the `browser` cookie). The new version reaches
/// search once it is indexed: `index_state` says `indexing` until then.
#[utoipa::path(
    patch,
    path = "/api/products/{sku}",
    tag = "products",
    params(("sku" = String, Path, description = "The product's SKU.")),
    request_body(content = ProductPatch, content_type = "application/json",
        description = "Any subset of the fields; at least one of name, description, category, \
            price. Unknown fields are refused (422)."),
    security(("api_key" = []), ("session" = [], "csrf_token" = [])),
    responses(
        (status = 200, description = "Saved: the product as it is now.", body = ProductResponse),
        (status = 400, description = "The body is not valid JSON.", body = Problem,
            content_type = PROBLEM_JSON),
        (status = 401, description = "No valid API key and no session (`WWW-Authenticate` \
            says which scheme to use).", body = Problem, content_type = PROBLEM_JSON,
            headers(("WWW-Authenticate" = String, description = "`Bearer`, or \
                `Bearer error=\"invalid_token\"` for a wrong key."))),
        (status = 403, description = "A session without a valid CSRF token.", body = Problem,
            content_type = PROBLEM_JSON),
        (status = 404, description = "No product has this SKU.", body = Problem,
            content_type = PROBLEM_JSON),
        (status = 409, description = "`version` was given and the product has moved on: \
            fetch it again and re-apply the change.", body = Problem, content_type = PROBLEM_JSON),
        (status = 413, description = "The body is over 96 KiB.", body = Problem,
            content_type = PROBLEM_JSON),
        (status = 415, description = "The body is not sent as `application/json`.",
            body = Problem, content_type = PROBLEM_JSON),
        (status = 422, description = "The edit is not valid: `errors` lists each refused \
            field; or the JSON does not fit the body's shape (wrong type, unknown field).",
            body = Problem, content_type = PROBLEM_JSON),
        (status = 503, description = "The product database or the session store is not \
            available right now.", body = Problem, content_type = PROBLEM_JSON),
    )
)]
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
