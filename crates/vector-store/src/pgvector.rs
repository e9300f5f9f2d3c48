//! [`PgVectorStore`]: vectors in the `product_vectors` table (pgvector).
//!
//! Why this store can promise "never stale" on its own (Pinecone needs a
//! ledger beside it): every write is one `INSERT … ON CONFLICT DO UPDATE … WHERE stored.version <
//! new.version`, so Postgres itself refuses an older version atomically,
//! whatever order, duplication or concurrency the queue delivers writes in.
//! Deletes are tombstones for the same reason (see the migration).

use std::collections::HashMap;

use async_trait::async_trait;
use pgvector::Vector;
use rust_decimal::Decimal;
use sqlx::{PgPool, Postgres, QueryBuilder, Row};
use sync_core::coalesce::newest_per_product;

use super::{
    IdPage, Match, ProductMetadata, QueryFilter, Tombstone, VectorRecord, VectorStore,
    VectorStoreError, validate_records,
};

/// Rows per statement. Each chunk is one round trip (arrays + UNNEST, not a
/// statement per row) and stays a few MB, so one huge call does not hold
/// row locks or build a giant message for long. Chunks are not wrapped in
/// one transaction: every write is idempotent and version-guarded, so a
/// failure halfway is repaired by retrying the whole call. The full-text
/// documents are written in the same chunks.
pub(super) const ROWS_PER_STATEMENT: usize = 1_000;

/// pgvector's default `hnsw.ef_search` (the candidate list size) and its
/// maximum. One pass of the graph yields at most ef_search rows, so a larger
/// `top_k` raises it; past the maximum, the iterative scan supplies the rest.
const DEFAULT_EF_SEARCH: usize = 40;
const MAX_EF_SEARCH: usize = 1_000;

/// Most ids per [`VectorStore::list_ids`] page (ids only: ~8 bytes each).
const MAX_LIST_PAGE: usize = 10_000;

#[derive(Debug, Clone)]
pub struct PgVectorStore {
    pool: PgPool,
}

impl PgVectorStore {
    /// Uses the `product_vectors` table of the migrations in `migrations/`.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Delete tombstones written before `older_than` ago. Safe once no
    /// message older than that can still be delivered (SQS keeps messages
    /// at most 14 days), since only such a message could resurrect the
    /// product. Returns how many were removed.
    pub async fn purge_tombstones(
        &self,
        older_than: std::time::Duration,
    ) -> Result<u64, VectorStoreError> {
        let seconds = older_than.as_secs_f64();
        let done = sqlx::query(
            "DELETE FROM product_vectors
             WHERE deleted AND updated_at < now() - make_interval(secs => $1)",
        )
        .bind(seconds)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}

#[async_trait]
impl VectorStore for PgVectorStore {
    async fn upsert(&self, records: &[VectorRecord]) -> Result<(), VectorStoreError> {
        validate_records(records)?;
        let records = newest_per_product(records, |r| (r.product_id, r.version));
        for chunk in records.chunks(ROWS_PER_STATEMENT) {
            let ids: Vec<i64> = chunk.iter().map(|r| r.product_id).collect();
            let versions: Vec<i64> = chunk.iter().map(|r| r.version).collect();
            let embeddings: Vec<Vector> = chunk
                .iter()
                .map(|r| Vector::from(r.values.clone()))
                .collect();
            let skus: Vec<&str> = chunk.iter().map(|r| r.metadata.sku.as_str()).collect();
            let names: Vec<&str> = chunk.iter().map(|r| r.metadata.name.as_str()).collect();
            let categories: Vec<Option<&str>> = chunk
                .iter()
                .map(|r| r.metadata.category.as_deref())
                .collect();
            let prices: Vec<Option<Decimal>> = chunk.iter().map(|r| r.metadata.price).collect();
            // The WHERE makes an equal or older version a no-op: replays are
            // idempotent and a late older write never wins. It also keeps a
            // tombstone in place against any upsert that is not newer.
            sqlx::query(
                "INSERT INTO product_vectors AS stored
                     (product_id, version, embedding, sku, name, category, price, deleted, updated_at)
                 SELECT t.product_id, t.version, t.embedding, t.sku, t.name, t.category, t.price,
                        false, now()
                 FROM UNNEST($1::bigint[], $2::bigint[], $3::vector[], $4::text[], $5::text[],
                             $6::text[], $7::numeric[])
                      AS t(product_id, version, embedding, sku, name, category, price)
                 ON CONFLICT (product_id) DO UPDATE SET
                     version = EXCLUDED.version,
                     embedding = EXCLUDED.embedding,
                     sku = EXCLUDED.sku,
                     name = EXCLUDED.name,
                     category = EXCLUDED.category,
                     price = EXCLUDED.price,
                     deleted = false,
                     updated_at = now()
                 WHERE stored.version < EXCLUDED.version",
            )
            .bind(&ids)
            .bind(&versions)
            .bind(&embeddings)
            .bind(&skus)
            .bind(&names)
            .bind(&categories)
            .bind(&prices)
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    async fn delete(&self, tombstones: &[Tombstone]) -> Result<(), VectorStoreError> {
        // A never-indexed id gets a tombstone row too: the upsert it may
        // still be racing with (older, by version) then stays out.
        write_tombstones(
            &self.pool,
            "INSERT INTO product_vectors AS stored (product_id, version, embedding, deleted, updated_at)
             SELECT t.product_id, t.version, NULL, true, now()
             FROM UNNEST($1::bigint[], $2::bigint[]) AS t(product_id, version)
             ON CONFLICT (product_id) DO UPDATE SET
                 version = EXCLUDED.version,
                 embedding = NULL,
                 sku = NULL,
                 name = NULL,
                 category = NULL,
                 price = NULL,
                 deleted = true,
                 updated_at = now()
             WHERE stored.version < EXCLUDED.version",
            tombstones,
        )
        .await
    }

    async fn nearest(
        &self,
        vector: &[f32],
        top_k: usize,
        filter: &QueryFilter,
    ) -> Result<Vec<Match>, VectorStoreError> {
        let mut sql = search_sql(Vector::from(vector.to_vec()), top_k, filter);
        let rows = if filter.is_empty() && top_k <= DEFAULT_EF_SEARCH {
            // The common case needs no settings: one round trip.
            sql.build().fetch_all(&self.pool).await?
        } else {
            // A filter is applied after the HNSW walk, so without an
            // iterative scan a selective filter would leave fewer than
            // top_k of the ef_search candidates. relaxed_order keeps
            // walking until top_k rows pass (bounded by
            // hnsw.max_scan_tuples) but may return them slightly out of
            // order: `search_sql` re-sorts. SET LOCAL = this transaction
            // only, so pooled connections keep the defaults.
            let ef_search = top_k.clamp(DEFAULT_EF_SEARCH, MAX_EF_SEARCH);
            let mut tx = self.pool.begin().await?;
            sqlx::query(
                "SELECT set_config('hnsw.ef_search', $1, true),
                        set_config('hnsw.iterative_scan', 'relaxed_order', true)",
            )
            .bind(ef_search.to_string())
            .execute(&mut *tx)
            .await?;
            let rows = sql.build().fetch_all(&mut *tx).await?;
            tx.commit().await?;
            rows
        };
        rows.iter().map(match_from_row).collect()
    }

    async fn versions(&self, product_ids: &[i64]) -> Result<HashMap<i64, i64>, VectorStoreError> {
        if product_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT product_id, version FROM product_vectors
             WHERE product_id = ANY($1) AND NOT deleted",
        )
        .bind(product_ids)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().collect())
    }

    async fn count(&self) -> Result<u64, VectorStoreError> {
        let count: i64 =
            sqlx::query_scalar("SELECT count(*) FROM product_vectors WHERE NOT deleted")
                .fetch_one(&self.pool)
                .await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn list_ids(
        &self,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<IdPage, VectorStoreError> {
        // Keyset pagination on the primary key: each page is an index range
        // scan, however deep into the table it starts.
        let after = match cursor {
            None => i64::MIN,
            Some(c) => c
                .parse::<i64>()
                .map_err(|_| VectorStoreError::InvalidInput(format!("bad cursor {c:?}")))?,
        };
        let limit = i64::try_from(limit.clamp(1, MAX_LIST_PAGE)).unwrap_or(1);
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT product_id FROM product_vectors
             WHERE product_id > $1 AND NOT deleted
             ORDER BY product_id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let full = i64::try_from(ids.len()).unwrap_or(i64::MAX) == limit;
        let next = ids.last().filter(|_| full).map(i64::to_string);
        Ok(IdPage { ids, next })
    }

    async fn fetch(&self, product_ids: &[i64]) -> Result<Vec<VectorRecord>, VectorStoreError> {
        if product_ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "SELECT product_id, version, embedding, sku, name, category, price
             FROM product_vectors
             WHERE product_id = ANY($1) AND NOT deleted ORDER BY product_id",
        )
        .bind(product_ids)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let embedding: Vector = row.try_get("embedding")?;
                Ok(VectorRecord {
                    product_id: row.try_get("product_id")?,
                    version: row.try_get("version")?,
                    values: embedding.to_vec(),
                    metadata: ProductMetadata {
                        sku: row.try_get("sku")?,
                        name: row.try_get("name")?,
                        category: row.try_get("category")?,
                        price: row.try_get("price")?,
                    },
                })
            })
            .collect()
    }

    async fn ping(&self) -> Result<(), VectorStoreError> {
        // Fails (permanently) when the migration has not created the table,
        // which a bare `SELECT 1` would not notice.
        sqlx::query("SELECT 1 FROM product_vectors LIMIT 0")
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// The search: nearest live vectors in an inner query (which the HNSW index
/// answers), then sorted again by exact distance, as pgvector's docs advise
/// for iterative scans in relaxed order (`+ 0` stops Postgres < 17 from
/// trusting the inner order and skipping the sort). Only the filters in use
/// appear in the SQL, so each combination gets a plan fitted to it instead
/// of one generic plan with `$n IS NULL OR …` branches.
fn search_sql(
    vector: Vector,
    top_k: usize,
    filter: &QueryFilter,
) -> QueryBuilder<'static, Postgres> {
    let mut sql = QueryBuilder::new(
        "WITH nearest AS MATERIALIZED (
             SELECT product_id, version, sku, name, category, price, embedding <=> ",
    );
    sql.push_bind(vector);
    sql.push(" AS distance FROM product_vectors WHERE NOT deleted");
    if let Some(category) = &filter.category {
        sql.push(" AND category = ").push_bind(category.clone());
    }
    if let Some(min) = filter.min_price {
        sql.push(" AND price >= ").push_bind(min);
    }
    if let Some(max) = filter.max_price {
        sql.push(" AND price <= ").push_bind(max);
    }
    // top_k ≤ MAX_TOP_K, so the cast cannot fail in practice.
    let limit = i64::try_from(top_k).unwrap_or(i64::MAX);
    sql.push(" ORDER BY distance LIMIT ").push_bind(limit);
    sql.push(
        ")
         SELECT product_id, version, sku, name, category, price, distance
         FROM nearest ORDER BY distance + 0, product_id",
    );
    sql
}

fn match_from_row(row: &sqlx::postgres::PgRow) -> Result<Match, VectorStoreError> {
    let distance: f64 = row.try_get("distance")?;
    Ok(Match {
        product_id: row.try_get("product_id")?,
        version: row.try_get("version")?,
        // Cosine distance is 1 − cosine similarity.
        score: (1.0 - distance) as f32,
        metadata: ProductMetadata {
            sku: row.try_get("sku")?,
            name: row.try_get("name")?,
            category: row.try_get("category")?,
            price: row.try_get("price")?,
        },
    })
}

/// Write the newest of `tombstones` per product with `statement`, whose
/// `$1` and `$2` are the ids and versions (`UNNEST` of two arrays), a chunk
/// per round trip. Shared by the vectors and the full-text documents, whose
/// deletes differ only in the columns they clear.
pub(super) async fn write_tombstones(
    pool: &PgPool,
    statement: &'static str,
    tombstones: &[Tombstone],
) -> Result<(), VectorStoreError> {
    let tombstones = newest_per_product(tombstones.iter().copied(), |t| (t.product_id, t.version));
    for chunk in tombstones.chunks(ROWS_PER_STATEMENT) {
        let ids: Vec<i64> = chunk.iter().map(|t| t.product_id).collect();
        let versions: Vec<i64> = chunk.iter().map(|t| t.version).collect();
        sqlx::query(statement)
            .bind(&ids)
            .bind(&versions)
            .execute(pool)
            .await?;
    }
    Ok(())
}
