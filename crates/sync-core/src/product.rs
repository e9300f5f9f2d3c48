//! Products as they enter the `products` table (the sample catalog, the CSV
//! import, tests): [`NewProduct`], keyed by SKU, written at COPY speed.
//!
//! Rows are streamed with `COPY` into a temporary staging table, then merged
//! into `products` with two set-based statements. Per-row INSERTs would cost
//! a round trip each (the original architecture's bootstrap did one UPDATE
//! per row); this path loads 10 000 rows in well under a second.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::{PgPool, Postgres, Transaction};

/// A product to insert or update, keyed by `sku`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProduct {
    pub sku: String,
    pub name: String,
    pub description: String,
    pub category: Option<String>,
    pub price: Option<Decimal>,
    /// From the CSV's `last_updated`; `None` lets the database set it.
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error while importing products: {0}")]
    Database(#[from] sqlx::Error),
    #[error("could not encode a row for COPY: {0}")]
    Encode(#[from] csv::Error),
}

/// Upsert `products` by SKU in one transaction. When the same SKU occurs more
/// than once, the last occurrence wins. Returns the number of distinct SKUs.
pub async fn upsert_products(pool: &PgPool, products: &[NewProduct]) -> Result<u64, StoreError> {
    if products.is_empty() {
        return Ok(0);
    }
    let mut tx = pool.begin().await?;
    let distinct = upsert_products_in(&mut tx, products).await?;
    tx.commit().await?;
    Ok(distinct)
}

/// [`upsert_products`] inside the caller's transaction, so that other
/// writes commit or roll back with the products (an import job's
/// checkpoint). At most once per transaction: the staging tables live
/// until commit.
pub async fn upsert_products_in(
    tx: &mut Transaction<'_, Postgres>,
    products: &[NewProduct],
) -> Result<u64, StoreError> {
    if products.is_empty() {
        return Ok(0);
    }
    sqlx::query(
        "CREATE TEMP TABLE IF NOT EXISTS import_products (
             ord bigint, sku text, name text, description text,
             category text, price numeric(12, 2), updated_at timestamptz
         ) ON COMMIT DELETE ROWS",
    )
    .execute(&mut **tx)
    .await?;
    copy_rows(tx, products).await?;

    // Deduplicate (last occurrence wins), then update existing rows. Keeping
    // `updated_at` when the file has none lets the trigger decide: it bumps the
    // timestamp (and version) only when something meaningful changed.
    sqlx::query(
        "CREATE TEMP TABLE IF NOT EXISTS import_latest ON COMMIT DROP AS
             SELECT DISTINCT ON (sku) * FROM import_products ORDER BY sku, ord DESC",
    )
    .execute(&mut **tx)
    .await?;
    // Without statistics of the fresh table, and without the SKU list
    // spelled out, the planner joins the chunk against all of `products`
    // (a scan that grows with the catalog: ~40 ms per chunk at 100 000
    // rows) instead of looking the chunk's SKUs up in the unique index.
    sqlx::query("ANALYZE import_latest")
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE products p
            SET name = s.name, description = s.description, category = s.category,
                price = s.price, updated_at = coalesce(s.updated_at, p.updated_at)
           FROM import_latest s
          WHERE p.sku = s.sku AND p.sku = ANY (ARRAY(SELECT sku FROM import_latest))",
    )
    .execute(&mut **tx)
    .await?;
    let inserted = sqlx::query(
        "INSERT INTO products (sku, name, description, category, price, updated_at)
         SELECT s.sku, s.name, s.description, s.category, s.price, coalesce(s.updated_at, now())
           FROM import_latest s
          WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.sku = s.sku)
          ORDER BY s.ord
         ON CONFLICT (sku) DO UPDATE
            SET name = EXCLUDED.name, description = EXCLUDED.description,
                category = EXCLUDED.category, price = EXCLUDED.price",
    )
    .execute(&mut **tx)
    .await?;
    let distinct: i64 = sqlx::query_scalar("SELECT count(*) FROM import_latest")
        .fetch_one(&mut **tx)
        .await?;
    tracing::debug!(
        distinct,
        inserted = inserted.rows_affected(),
        "products upserted"
    );
    Ok(u64::try_from(distinct).unwrap_or(0))
}

async fn copy_rows(
    tx: &mut Transaction<'_, Postgres>,
    products: &[NewProduct],
) -> Result<(), StoreError> {
    let mut buffer = Vec::with_capacity(products.len() * 256);
    {
        let mut writer = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(&mut buffer);
        for (ord, p) in products.iter().enumerate() {
            writer.write_record([
                ord.to_string().as_str(),
                &p.sku,
                &p.name,
                &p.description,
                // An empty field is NULL for the nullable columns below and
                // an empty string for the texts (FORCE_NOT_NULL).
                p.category.as_deref().unwrap_or(""),
                &p.price.map(|d| d.to_string()).unwrap_or_default(),
                &p.updated_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            ])?;
        }
        writer.flush().map_err(csv::Error::from)?;
    }
    let mut copy = tx
        .copy_in_raw(
            "COPY import_products FROM STDIN \
             (FORMAT csv, FORCE_NOT_NULL (sku, name, description))",
        )
        .await?;
    copy.send(buffer).await?;
    copy.finish().await?;
    Ok(())
}
