//! Repair through the outbox: the SQL functions of migration
//! `20261123000005_reconcile.sql`. Nothing here touches a vector; the
//! events written go through pelican and emu like any other change.

use sqlx::PgPool;

/// Give each product a new version, which makes the outbox trigger write an
/// upsert event of the current row. Returns the rows found.
pub(super) async fn reembed(pool: &PgPool, product_ids: &[i64]) -> Result<u64, sqlx::Error> {
    let touched: i64 = sqlx::query_scalar("SELECT reconcile_reembed($1)")
        .bind(product_ids)
        .fetch_one(pool)
        .await?;
    Ok(u64::try_from(touched).unwrap_or(0))
}

/// Write a delete event (version = the stored vector's + 1) for each id that
/// has no row. Returns the events written.
pub(super) async fn delete(
    pool: &PgPool,
    product_ids: &[i64],
    vector_versions: &[i64],
) -> Result<u64, sqlx::Error> {
    let written: i64 = sqlx::query_scalar("SELECT reconcile_delete($1, $2)")
        .bind(product_ids)
        .bind(vector_versions)
        .fetch_one(pool)
        .await?;
    Ok(u64::try_from(written).unwrap_or(0))
}
