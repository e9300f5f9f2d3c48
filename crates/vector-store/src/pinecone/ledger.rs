//! Conditional Pinecone writes: the `vector_ledger` table (migration
//! `20261202000006_vector_ledger.sql` says why) holds the version last
//! written per product, and a write goes through only for products whose
//! change is newer, with their ledger rows locked until it is recorded.

use std::collections::HashMap;

use sqlx::{PgPool, Postgres, Transaction};

use crate::VectorStoreError;

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
    /// (product id, version) of the changes to record once written.
    newer: Vec<(i64, i64)>,
}

impl Ledger {
    pub fn new(pool: PgPool, target: String) -> Self {
        Self { pool, target }
    }

    /// Lock the ledger rows of the products of `changes` (creating missing
    /// ones) and keep the changes newer than what was last written;
    /// `key` gives a change's (product id, version). Rows are taken in
    /// product order, so two writers with overlapping products queue up
    /// instead of deadlocking.
    pub async fn lock_newer<T>(
        &self,
        changes: Vec<T>,
        key: impl Fn(&T) -> (i64, i64),
    ) -> Result<(Vec<T>, Locked), VectorStoreError> {
        let ids: Vec<i64> = changes.iter().map(|c| key(c).0).collect();
        let mut tx = self.pool.begin().await?;
        // `DO UPDATE` with no change still takes the row lock, and returns
        // the row as it is: one statement for both new and known products.
        let written: HashMap<i64, i64> = sqlx::query_as::<_, (i64, i64)>(
            "INSERT INTO vector_ledger (target, product_id, version) \
             SELECT $1, id, 0 FROM unnest($2::bigint[]) AS id ORDER BY id \
             ON CONFLICT (target, product_id) DO UPDATE SET version = vector_ledger.version \
             RETURNING product_id, version",
        )
        .bind(&self.target)
        .bind(&ids)
        .fetch_all(&mut *tx)
        .await
        .map_err(missing_table)?
        .into_iter()
        .collect();
        let newer: Vec<T> = changes
            .into_iter()
            .filter(|c| {
                let (id, version) = key(c);
                written.get(&id).is_none_or(|last| version > *last)
            })
            .collect();
        let locked = Locked {
            tx,
            target: self.target.clone(),
            newer: newer.iter().map(key).collect(),
        };
        Ok((newer, locked))
    }
}

impl Locked {
    /// The changes are written (deletes when `deleted`): record them and
    /// release the locks.
    pub async fn record(mut self, deleted: bool) -> Result<(), VectorStoreError> {
        let (ids, versions): (Vec<i64>, Vec<i64>) = self.newer.iter().copied().unzip();
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
