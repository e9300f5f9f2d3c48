//! Phase 4, freshness: single-row UPDATEs at a fixed rate; for each, the
//! time from its COMMIT (acknowledged to the client) until the vector store
//! reports the new version. One poller asks the store for all pending
//! products every 5 ms, so that is the resolution, and the load it adds is
//! fixed whatever the update rate.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use tokio::time::MissedTickBehavior;
use vector_store::{PgVectorStore, VectorStore};

use crate::latency::Latencies;

const POLL: Duration = Duration::from_millis(5);
/// How long updates may take to show up after the last one was sent. One
/// still missing then counts as lost, with its wait so far recorded (so a
/// percentile is then a lower bound, never flattered by dropping it).
const DRAIN: Duration = Duration::from_secs(180);

#[derive(Debug)]
pub struct Freshness {
    pub latencies: Latencies,
    pub committed: u64,
    pub failed: u64,
    pub lost: u64,
    pub achieved_rate: f64,
}

#[derive(Debug, Clone, Copy)]
struct Pending {
    product_id: i64,
    version: i64,
    committed: Instant,
}

type PendingList = Arc<Mutex<Vec<Pending>>>;

/// Update `rate` products per second for `duration`, cycling through `ids`
/// from `offset` (so that each rate works on different rows).
pub async fn run(
    pool: &PgPool,
    ids: &[i64],
    offset: usize,
    rate: u32,
    duration: Duration,
) -> anyhow::Result<Freshness> {
    anyhow::ensure!(!ids.is_empty(), "no products to update");
    let pending: PendingList = Arc::default();
    let total = (f64::from(rate) * duration.as_secs_f64()).round() as usize;
    let writer = tokio::spawn(write_updates(
        pool.clone(),
        (0..total).map(|n| ids[(offset + n) % ids.len()]).collect(),
        rate,
        Arc::clone(&pending),
    ));
    let store = PgVectorStore::new(pool.clone());
    let mut latencies = Latencies::new();
    let mut drain_deadline: Option<Instant> = None;
    let started = Instant::now();
    let mut sent_for = None;
    loop {
        tokio::time::sleep(POLL).await;
        let snapshot: Vec<Pending> = pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let writer_done = writer.is_finished();
        if writer_done && sent_for.is_none() {
            sent_for = Some(started.elapsed());
            drain_deadline = Some(Instant::now() + DRAIN);
        }
        if snapshot.is_empty() {
            if writer_done {
                break;
            }
            continue;
        }
        let ids: Vec<i64> = snapshot
            .iter()
            .map(|p| p.product_id)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        // Taken after the snapshot, so every pending entry committed before it.
        let observed = Instant::now();
        let versions = store.versions(&ids).await?;
        let mut list = pending.lock().unwrap_or_else(PoisonError::into_inner);
        list.retain(|p| {
            let visible = versions.get(&p.product_id).is_some_and(|&v| v >= p.version);
            if visible {
                latencies.record(observed.saturating_duration_since(p.committed));
            }
            !visible
        });
        if drain_deadline.is_some_and(|d| Instant::now() > d) {
            break;
        }
    }
    let (committed, failed) = writer.await??;
    let lost = {
        let list = pending.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        for p in list.iter() {
            latencies.record(now.saturating_duration_since(p.committed));
        }
        list.len() as u64
    };
    let achieved_rate = committed as f64 / sent_for.unwrap_or(duration).as_secs_f64();
    let result = Freshness {
        latencies,
        committed,
        failed,
        lost,
        achieved_rate,
    };
    tracing::info!(
        "freshness at {rate}/s: {committed} committed ({achieved_rate:.1}/s), {failed} failed, {lost} not visible; p50 {:?} ms, p99 {:?} ms",
        result.latencies.quantile_ms(0.5),
        result.latencies.quantile_ms(0.99)
    );
    Ok(result)
}

/// Send one UPDATE per tick, each on its own task so that a slow commit
/// never delays the next (the rate is what was asked for).
async fn write_updates(
    pool: PgPool,
    ids: Vec<i64>,
    rate: u32,
    pending: PendingList,
) -> anyhow::Result<(u64, u64)> {
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(rate.max(1))));
    ticks.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let mut tasks = tokio::task::JoinSet::new();
    for product_id in ids {
        ticks.tick().await;
        let pool = pool.clone();
        let pending = Arc::clone(&pending);
        tasks.spawn(async move {
            // A meaningful change (price), so the trigger bumps the version
            // and writes an event; RETURNING gives the new version.
            let version: i64 = sqlx::query_scalar(
                "UPDATE products SET price = price + 0.01 WHERE id = $1 RETURNING version",
            )
            .bind(product_id)
            .fetch_one(&pool)
            .await?;
            let committed = Instant::now();
            pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(Pending {
                    product_id,
                    version,
                    committed,
                });
            Ok::<_, sqlx::Error>(())
        });
    }
    let (mut ok, mut failed) = (0, 0);
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Ok(())) => ok += 1,
            Ok(Err(e)) => {
                tracing::warn!("freshness update failed: {e}");
                failed += 1;
            }
            Err(e) => anyhow::bail!("an update task panicked: {e}"),
        }
    }
    Ok((ok, failed))
}
