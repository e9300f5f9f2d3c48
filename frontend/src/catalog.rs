//! Products as the product page and the API show and edit them, and
//! whether the vector index has caught up with a product's latest version.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::search::RowCache;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::PgPool;
use vector_store::VectorStore;

use crate::edit::ProductEdit;

/// The longest SKU that can exist (the change event's cap): longer path
/// segments are answered 404 without a query.
pub const MAX_SKU_CHARS: usize = 100;

/// Whether `sku` could name a product at all: no longer than the cap, and
/// without NUL (which Postgres text cannot hold, so asking would fail).
fn possible_sku(sku: &str) -> bool {
    sku.chars().count() <= MAX_SKU_CHARS && !sku.contains('\0')
}

/// How long the category list of the search form is reused: categories
/// change rarely, and a stale list only means a missing option for a while.
const CATEGORIES_TTL: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Product {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub category: Option<String>,
    pub price: Option<Decimal>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "id, sku, name, description, category, price, version, created_at, updated_at";

/// Whether the vector store holds the product's current version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexState {
    /// The stored vector was computed from the current row.
    Indexed,
    /// The row changed (or is new) and emu has not written its vector yet.
    Indexing,
    /// The vector store could not be asked.
    Unknown,
}

impl IndexState {
    /// The `data-state` of the page and `index_state` of the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Indexed => "indexed",
            Self::Indexing => "indexing",
            Self::Unknown => "unknown",
        }
    }

    /// What the page shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::Indexed => "indexed",
            Self::Indexing => "indexing…",
            Self::Unknown => "index status unknown",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexStatus {
    pub state: IndexState,
    /// The version the stored vector was computed from.
    pub indexed_version: Option<i64>,
}

/// What an edit did.
#[derive(Debug)]
pub enum EditOutcome {
    Saved(Product),
    NotFound,
    /// The row is no longer at the version the edit was based on.
    Conflict {
        current_version: i64,
    },
}

/// The category list and when it was read.
type CachedCategories = (Instant, Arc<[String]>);

#[derive(Clone, Debug)]
pub struct Catalog {
    pool: PgPool,
    store: Arc<dyn VectorStore>,
    categories: Arc<Mutex<Option<CachedCategories>>>,
    /// Search's cache of result rows: emptied after an edit here, so the
    /// editor's next search shows the edit without waiting for the
    /// change notification.
    search_rows: Arc<RowCache>,
}

impl Catalog {
    pub fn new(pool: PgPool, store: Arc<dyn VectorStore>, search_rows: Arc<RowCache>) -> Self {
        Self {
            pool,
            store,
            categories: Arc::default(),
            search_rows,
        }
    }

    pub async fn product(&self, sku: &str) -> Result<Option<Product>, sqlx::Error> {
        if !possible_sku(sku) {
            return Ok(None);
        }
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM products WHERE sku = $1"))
            .bind(sku)
            .fetch_optional(&self.pool)
            .await
    }

    /// Compare the row's version with the one stored with its vector.
    pub async fn index_status(&self, product: &Product) -> IndexStatus {
        match self.store.versions(&[product.id]).await {
            Ok(versions) => {
                let indexed_version = versions.get(&product.id).copied();
                let state = if indexed_version.is_some_and(|v| v >= product.version) {
                    IndexState::Indexed
                } else {
                    IndexState::Indexing
                };
                IndexStatus {
                    state,
                    indexed_version,
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, sku = %product.sku, "could not read the indexed version");
                IndexStatus {
                    state: IndexState::Unknown,
                    indexed_version: None,
                }
            }
        }
    }

    /// Apply `edit` to the product `sku`, only if it is still at
    /// `expected_version` when one is given. The row triggers bump the
    /// version and write the outbox event in the same transaction.
    pub async fn edit(
        &self,
        sku: &str,
        edit: &ProductEdit,
        expected_version: Option<i64>,
    ) -> Result<EditOutcome, sqlx::Error> {
        if !possible_sku(sku) {
            return Ok(EditOutcome::NotFound);
        }
        let saved: Option<Product> = sqlx::query_as(&format!(
            "UPDATE products SET
                 name = COALESCE($2, name),
                 description = COALESCE($3, description),
                 category = CASE WHEN $4 THEN $5 ELSE category END,
                 price = CASE WHEN $6 THEN $7 ELSE price END
             WHERE sku = $1 AND ($8::bigint IS NULL OR version = $8)
             RETURNING {COLUMNS}"
        ))
        .bind(sku)
        .bind(edit.name.as_deref())
        .bind(edit.description.as_deref())
        .bind(edit.category.is_some())
        .bind(edit.category.clone().flatten())
        .bind(edit.price.is_some())
        .bind(edit.price.flatten())
        .bind(expected_version)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(product) = saved {
            self.search_rows.forget_all();
            return Ok(EditOutcome::Saved(product));
        }
        let current: Option<i64> =
            sqlx::query_scalar("SELECT version FROM products WHERE sku = $1")
                .bind(sku)
                .fetch_optional(&self.pool)
                .await?;
        Ok(match current {
            Some(current_version) => EditOutcome::Conflict { current_version },
            None => EditOutcome::NotFound,
        })
    }

    /// The categories in use, for the search form's filter.
    pub async fn categories(&self) -> Result<Arc<[String]>, sqlx::Error> {
        if let Some((at, list)) = self
            .categories
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            && at.elapsed() < CATEGORIES_TTL
        {
            return Ok(Arc::clone(list));
        }
        let list: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT category FROM products WHERE category IS NOT NULL ORDER BY category",
        )
        .fetch_all(&self.pool)
        .await?;
        let list: Arc<[String]> = list.into();
        *self
            .categories
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some((Instant::now(), Arc::clone(&list)));
        Ok(list)
    }
}
