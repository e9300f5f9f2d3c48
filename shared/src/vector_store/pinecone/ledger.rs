//! Conditional Pinecone writes: the `vector_ledger` table (migration
//! `20261202000006_vector_ledger.sql` says why) holds the version last
//! written per product, and a write goes through only for products whose
//! change is newer, with their ledger rows locked until it is recorded.

use sqlx::{PgPool, Postgres, Transaction};

use crate::vector_store::VectorStoreError;

#[derive(Debug, Clone)]
pub struct Ledger {
    pool: PgPool,
    /// Index host and namespace: one ledger per index and namespace.
    target: String,
}

/// A write in progress: the ledger rows of its products are locked until
/// [`Locked::record`] commits, or the value is dropped (rolled back).
pub struct Locked {
    tx: Transaction<'static, Postgres>,
    target: String,
    /// (product id, version last written; 0 = never).
    written: Vec<(i64, i64)>,
}

impl Ledger {
    pub fn new(pool: PgPool, target: String) -> Self {
        Self { pool, target }
    }

    /// Lock the ledger rows of `product_ids` (creating missing ones) and
    /// read what was last written. Rows are taken in product order, so two
    /// writers with overlapping products queue up instead of deadlocking.
    pub async fn lock(&self, product_ids: &[i64]) -> Result<Locked, VectorStoreError> {
        let mut tx = self.pool.begin().await?;
        // `DO UPDATE` with no change still takes the row lock, and returns
        // the row as it is: one statement for both new and known products.
        let written: Vec<(i64, i64)> = sqlx::query_as(
            "INSERT INTO vector_ledger (target, product_id, version) \
             SELECT $1, id, 0 FROM unnest($2::bigint[]) AS id ORDER BY id \
             ON CONFLICT (target, product_id) DO UPDATE SET version = vector_ledger.version \
             RETURNING product_id, version",
        )
        .bind(&self.target)
        .bind(product_ids)
        .fetch_all(&mut *tx)
        .await
        .map_err(missing_table)?;
        Ok(Locked {
            tx,
            target: self.target.clone(),
            written,
        })
    }
}

impl Locked {
    /// Whether `version` of `product_id` is newer than what was written.
    pub fn is_newer(&self, product_id: i64, version: i64) -> bool {
        self.written
            .iter()
            .find(|(id, _)| *id == product_id)
            .is_none_or(|(_, written)| version > *written)
    }

    /// Record `(product id, version)` as written (a delete when `deleted`)
    /// and release the locks.
    pub async fn record(
        mut self,
        writes: &[(i64, i64)],
        deleted: bool,
    ) -> Result<(), VectorStoreError> {
        let (ids, versions): (Vec<i64>, Vec<i64>) = writes.iter().copied().unzip();
        sqlx::query(
            "UPDATE vector_ledger AS l \
             SET version = w.version, deleted = $4, written_at = now() \
             FROM unnest($2::bigint[], $3::bigint[]) AS w(product_id, version) \
             WHERE l.target = $1 AND l.product_id = w.product_id",
        )
        .bind(&self.target)
        .bind(&ids)
        .bind(&versions)
        .bind(deleted)
        .execute(&mut *self.tx)
        .await?;
        self.tx.commit().await?;
        Ok(())
    }
}

/// Without its table the ledger is a deployment fault (migrations not
/// applied), not bad data: say so, so emu waits instead of dead-lettering.
fn missing_table(error: sqlx::Error) -> VectorStoreError {
    let undefined_table = error
        .as_database_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "42P01");
    if undefined_table {
        VectorStoreError::Config(
            "the vector_ledger table is missing: apply the migrations (catalogctl migrate)".into(),
        )
    } else {
        VectorStoreError::Database(error)
    }
}
