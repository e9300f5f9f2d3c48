//! Reading result rows from the `products` table: the newest products
//! (browsing), and the current rows of ranked ids.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::{PgPool, Postgres, QueryBuilder};

use vector_store::QueryFilter;

/// A product as a search result shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct ProductRow {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    pub price: Option<Decimal>,
    pub description: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

impl ProductRow {
    /// Whether the row passes `filter` now. The vector store filters on the
    /// metadata stored with the vector, which lags an edit until emu has
    /// re-indexed it; checking the row as well keeps every result inside
    /// the filter the user asked for.
    pub(super) fn passes(&self, filter: &QueryFilter) -> bool {
        let category_ok = filter
            .category
            .as_ref()
            .is_none_or(|c| self.category.as_ref() == Some(c));
        let min_ok = filter
            .min_price
            .is_none_or(|min| self.price.is_some_and(|p| p >= min));
        let max_ok = filter
            .max_price
            .is_none_or(|max| self.price.is_some_and(|p| p <= max));
        category_ok && min_ok && max_ok
    }
}

const COLUMNS: &str = "id, sku, name, category, price, description, version, created_at";

/// Append `AND …` for each filter in use (after a `WHERE`), on the columns
/// of `products` aliased `alias`. Only the filters in use appear, so each
/// combination gets its own plan.
pub(super) fn push_filter(sql: &mut QueryBuilder<'_, Postgres>, alias: &str, filter: &QueryFilter) {
    if let Some(category) = &filter.category {
        sql.push(format_args!(" AND {alias}.category = "))
            .push_bind(category.clone());
    }
    if let Some(min) = filter.min_price {
        sql.push(format_args!(" AND {alias}.price >= "))
            .push_bind(min);
    }
    if let Some(max) = filter.max_price {
        sql.push(format_args!(" AND {alias}.price <= "))
            .push_bind(max);
    }
}

/// Products passing `filter`, newest first (ties by id, so pages never
/// overlap), rows `offset .. offset + count`. Served by
/// `products_created_at_idx`.
pub(super) async fn newest(
    pool: &PgPool,
    filter: &QueryFilter,
    offset: usize,
    count: usize,
) -> Result<Vec<ProductRow>, sqlx::Error> {
    let mut sql = QueryBuilder::new(format!("SELECT {COLUMNS} FROM products p WHERE true"));
    push_filter(&mut sql, "p", filter);
    sql.push(" ORDER BY p.created_at DESC, p.id DESC LIMIT ")
        .push_bind(as_i64(count))
        .push(" OFFSET ")
        .push_bind(as_i64(offset));
    sql.build_query_as().fetch_all(pool).await
}

/// The current rows of `ids`; ids whose product is gone are absent.
pub(super) async fn by_ids(
    pool: &PgPool,
    ids: &[i64],
) -> Result<HashMap<i64, ProductRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<ProductRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM products WHERE id = ANY($1)"
    ))
    .bind(ids)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r)).collect())
}

/// Which of `ids` are products that exist and pass `filter` now.
pub(super) async fn live_ids(
    pool: &PgPool,
    ids: &[i64],
    filter: &QueryFilter,
) -> Result<HashSet<i64>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let mut sql = QueryBuilder::new("SELECT p.id FROM products p WHERE p.id = ANY(");
    sql.push_bind(ids.to_vec()).push(")");
    push_filter(&mut sql, "p", filter);
    let live: Vec<i64> = sql.build_query_scalar().fetch_all(pool).await?;
    Ok(live.into_iter().collect())
}

/// Window sizes are bounded by `MAX_RESULT_WINDOW`, far below `i64::MAX`.
pub(super) fn as_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
