//! [`SearchDocuments`]: the full-text side of the search index, in the
//! `product_search_documents` table (see its migration for why it is
//! derived by emu rather than an index on `products`).
//!
//! Whatever the vector store, these documents live in Postgres, because
//! the frontend's full-text query runs there. emu writes a product's
//! document in the same step as its vector, with the same guard: a write
//! only lands if its version is newer than the one stored.

use sqlx::PgPool;
use sync_core::coalesce::newest_per_product;

use super::pgvector::{ROWS_PER_STATEMENT, write_tombstones};
use super::{Tombstone, VectorStoreError};

/// The text fields one product version is found by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDocument {
    pub product_id: i64,
    /// The row version the fields are from.
    pub version: i64,
    pub name: String,
    pub category: Option<String>,
    pub description: String,
}

#[derive(Debug, Clone)]
pub struct SearchDocuments {
    pool: PgPool,
}

impl SearchDocuments {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Write these documents; an equal or older version than the stored one
    /// (a tombstone included) is a no-op.
    pub async fn upsert(&self, documents: &[SearchDocument]) -> Result<(), VectorStoreError> {
        let documents = newest_per_product(documents, |d| (d.product_id, d.version));
        for chunk in documents.chunks(ROWS_PER_STATEMENT) {
            let ids: Vec<i64> = chunk.iter().map(|d| d.product_id).collect();
            let versions: Vec<i64> = chunk.iter().map(|d| d.version).collect();
            let names: Vec<&str> = chunk.iter().map(|d| d.name.as_str()).collect();
            let categories: Vec<Option<&str>> =
                chunk.iter().map(|d| d.category.as_deref()).collect();
            let descriptions: Vec<&str> = chunk.iter().map(|d| d.description.as_str()).collect();
            sqlx::query(
                "INSERT INTO product_search_documents AS stored (product_id, version, document, updated_at)
                 SELECT t.product_id, t.version,
                        product_search_document(t.name, t.category, t.description), now()
                 FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[])
                      AS t(product_id, version, name, category, description)
                 ON CONFLICT (product_id) DO UPDATE SET
                     version = EXCLUDED.version,
                     document = EXCLUDED.document,
                     updated_at = now()
                 WHERE stored.version < EXCLUDED.version",
            )
            .bind(&ids)
            .bind(&versions)
            .bind(&names)
            .bind(&categories)
            .bind(&descriptions)
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    /// Remove these products from full-text search, leaving tombstones.
    pub async fn delete(&self, tombstones: &[Tombstone]) -> Result<(), VectorStoreError> {
        write_tombstones(
            &self.pool,
            "INSERT INTO product_search_documents AS stored (product_id, version, document, updated_at)
             SELECT t.product_id, t.version, NULL, now()
             FROM UNNEST($1::bigint[], $2::bigint[]) AS t(product_id, version)
             ON CONFLICT (product_id) DO UPDATE SET
                 version = EXCLUDED.version,
                 document = NULL,
                 updated_at = now()
             WHERE stored.version < EXCLUDED.version",
            tombstones,
        )
        .await
    }
}
