//! The load the faults hit: a bulk load, then concurrent single-row updates
//! and deletes (and fresh inserts, so the table does not shrink) for as long
//! as a scenario lasts.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use rand::Rng;
use sqlx::PgPool;
use sync_core::product;

/// Insert `rows` generated products in chunks (COPY-speed upserts).
pub async fn bulk_load(pool: &PgPool, rows: u64) -> anyhow::Result<()> {
    let products: Vec<_> = sample_catalog::generate(sample_catalog::DEFAULT_SEED, rows).collect();
    for chunk in products.chunks(5_000) {
        product::upsert_products(pool, chunk).await?;
    }
    Ok(())
}

/// Writers running in the background until [`Workload::stop`].
pub struct Workload {
    stop: Arc<AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// Changes committed (update, delete or insert statements that took effect).
    pub committed: Arc<AtomicU64>,
}

impl Workload {
    /// `writers` tasks, each committing about `per_writer_per_s` changes a
    /// second: 80 % updates of the text, 10 % deletes, 10 % inserts. A
    /// statement that fails (the fault cut the client's connection too) is
    /// simply not counted: only committed changes must reach the index.
    pub fn start(pool: PgPool, writers: usize, per_writer_per_s: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let committed = Arc::new(AtomicU64::new(0));
        let pause = Duration::from_millis(1_000 / u64::from(per_writer_per_s.max(1)));
        let tasks = (0..writers)
            .map(|w| {
                let (pool, stop, committed) = (pool.clone(), stop.clone(), committed.clone());
                tokio::spawn(async move {
                    let mut n = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        n += 1;
                        if change(&pool, w, n).await {
                            committed.fetch_add(1, Ordering::Relaxed);
                        }
                        tokio::time::sleep(pause).await;
                    }
                })
            })
            .collect();
        Self {
            stop,
            tasks,
            committed,
        }
    }

    pub async fn stop(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        for task in self.tasks {
            let _ = task.await;
        }
        self.committed.load(Ordering::Relaxed)
    }
}

/// One random change; true if it committed and touched a row.
async fn change(pool: &PgPool, writer: usize, n: u64) -> bool {
    let dice: u32 = rand::rng().random_range(0..10);
    let result = match dice {
        0 => {
            sqlx::query(
                "DELETE FROM products WHERE id = (SELECT id FROM products
                 TABLESAMPLE SYSTEM (1) LIMIT 1)",
            )
            .execute(pool)
            .await
        }
        1 => {
            sqlx::query(
                "INSERT INTO products (sku, name, description, category, price)
                 VALUES ($1, $2, 'Added while faults were injected.', 'Chaos', 9.99)",
            )
            .bind(format!(
                "CHAOS-{writer}-{n}-{}",
                uuid::Uuid::new_v4().simple()
            ))
            .bind(format!("Chaos product {writer}.{n}"))
            .execute(pool)
            .await
        }
        _ => {
            // Random id in the current range: misses (deleted ids) just
            // change nothing.
            sqlx::query(
                "UPDATE products SET description = description || ' Rev ' || $1 || '.'
                 WHERE id = (SELECT floor(random() * (max(id) - min(id) + 1))::bigint + min(id)
                             FROM products)",
            )
            .bind(n.to_string())
            .execute(pool)
            .await
        }
    };
    matches!(result, Ok(done) if done.rows_affected() > 0)
}
