//! Phase 3, bulk sync: insert the catalog with the pipeline running and
//! time until every row has its vector in pgvector (committed = queryable).
//! Also how long pelican took to drain the outbox, and where the CPU went.

use std::time::{Duration, Instant};

use anyhow::Context;
use sync_core::product::NewProduct;

use crate::machine::{self, MachineCpu};
use crate::stack::Pipeline;

#[derive(Debug)]
pub struct Synced {
    pub rows_per_s: f64,
    /// From the start of the insert until the outbox was empty.
    pub relay_s: Option<f64>,
    pub insert_s: f64,
    pub busy_pct: Option<f64>,
    /// CPU seconds each service used during the sync.
    pub cpu_s: Vec<(String, f64)>,
}

pub async fn run(pipeline: &Pipeline, products: &[NewProduct]) -> anyhow::Result<Synced> {
    let rows = products.len() as i64;
    let pool = &pipeline.db.pool;
    let cpu_before: Vec<(String, Option<f64>)> = pipeline
        .services
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                machine::process_cpu_seconds(s.process.pid()),
            )
        })
        .collect();
    let machine_before = MachineCpu::now();
    // Generous: the slowest configuration seen does > 20 rows/s.
    let timeout = Duration::from_secs(120).max(Duration::from_secs_f64(rows as f64 / 20.0));

    let started = Instant::now();
    sync_core::product::upsert_products(pool, products)
        .await
        .context("inserting the catalog")?;
    let insert_s = started.elapsed().as_secs_f64();
    tracing::info!("sync: {rows} rows committed in {insert_s:.2} s");

    let mut relay_s = None;
    let mut last_log = Instant::now();
    loop {
        let (outbox, indexed): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM outbox),
                    (SELECT count(*) FROM product_vectors WHERE NOT deleted)",
        )
        .fetch_one(pool)
        .await?;
        if relay_s.is_none() && outbox == 0 {
            relay_s = Some(started.elapsed().as_secs_f64());
        }
        if indexed >= rows {
            break;
        }
        anyhow::ensure!(
            started.elapsed() < timeout,
            "only {indexed} of {rows} rows indexed after {timeout:?}"
        );
        if last_log.elapsed() > Duration::from_secs(10) {
            tracing::info!("sync: {indexed}/{rows} indexed, outbox {outbox}");
            last_log = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    let busy_pct = machine_before
        .zip(MachineCpu::now())
        .map(|(before, after)| after.busy_pct_since(before));
    let cpu_s = pipeline
        .services
        .iter()
        .zip(cpu_before)
        .filter_map(|(s, (_, before))| {
            Some((
                s.name.clone(),
                machine::process_cpu_seconds(s.process.pid())? - before?,
            ))
        })
        .collect();
    let synced = Synced {
        rows_per_s: rows as f64 / seconds,
        relay_s,
        insert_s,
        busy_pct,
        cpu_s,
    };
    tracing::info!("sync: {rows} rows in {seconds:.1} s: {synced:?}");
    Ok(synced)
}

/// Wait until every product's vector carries the product's version (the
/// pipeline has no backlog), so the next phase measures an idle pipeline.
pub async fn wait_caught_up(pool: &sqlx::PgPool, timeout: Duration) -> anyhow::Result<Duration> {
    let started = Instant::now();
    loop {
        let behind: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM products p
               LEFT JOIN product_vectors v ON v.product_id = p.id
              WHERE v.version IS DISTINCT FROM p.version",
        )
        .fetch_one(pool)
        .await?;
        if behind == 0 {
            return Ok(started.elapsed());
        }
        anyhow::ensure!(
            started.elapsed() < timeout,
            "{behind} products still not indexed at their version after {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
