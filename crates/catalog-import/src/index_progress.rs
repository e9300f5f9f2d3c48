//! "Indexed n of m": how far the vector index has caught up with the
//! products an import wrote.
//!
//! Each job remembers the products it wrote (`import_job_products`). This
//! task asks the vector store for their versions (`VectorStore::versions`,
//! a window of ids at a time) and compares them with the rows' current
//! versions: a product whose vector is at least the row's version (or whose
//! row was deleted since) is caught up; it leaves the table and the job's
//! `index_done` grows. A window that is not caught up yet moves a cursor
//! on, so products stuck behind others are still counted when they land.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use sync_core::telemetry::Shutdown;
use uuid::Uuid;
use vector_store::VectorStore;

/// Ids asked of the store per call (Pinecone's fetch takes at most 1 000).
const WINDOW: i64 = 1_000;
/// Windows per job and round: 4 000 products every interval is far more
/// than emu indexes in that time, and bounds the cost of a stalled index.
const WINDOWS_PER_ROUND: usize = 4;
/// Jobs looked at per round (the newest).
const JOBS_PER_ROUND: i64 = 20;

/// Follow every job whose products are not all indexed, every `interval`,
/// until `shutdown`.
pub async fn follow_indexing(
    pool: PgPool,
    store: Arc<dyn VectorStore>,
    interval: Duration,
    shutdown: Shutdown,
) {
    let mut tracker = Tracker {
        pool,
        store,
        cursors: HashMap::new(),
    };
    loop {
        tokio::select! {
            () = shutdown.triggered() => return,
            () = tokio::time::sleep(interval) => {}
        }
        if let Err(e) = tracker.round().await {
            tracing::warn!(error = %e, "could not follow the indexing of imports");
        }
    }
}

#[derive(Debug, thiserror::Error)]
enum TrackError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("vector store: {0}")]
    Store(#[from] vector_store::VectorStoreError),
}

struct Tracker {
    pool: PgPool,
    store: Arc<dyn VectorStore>,
    /// Per job, the product id after which the next window starts.
    cursors: HashMap<Uuid, i64>,
}

impl Tracker {
    async fn round(&mut self) -> Result<(), TrackError> {
        let jobs: Vec<Uuid> = sqlx::query_scalar(
            "SELECT id FROM import_jobs WHERE index_done < index_total
             ORDER BY created_at DESC LIMIT $1",
        )
        .bind(JOBS_PER_ROUND)
        .fetch_all(&self.pool)
        .await?;
        self.cursors.retain(|job, _| jobs.contains(job));
        for job in jobs {
            for _ in 0..WINDOWS_PER_ROUND {
                if !self.window(job).await? {
                    break;
                }
            }
        }
        Ok(())
    }

    /// One window of job's pending products; `false` when there is no
    /// point looking further this round.
    async fn window(&mut self, job: Uuid) -> Result<bool, TrackError> {
        let after = self.cursors.get(&job).copied().unwrap_or(0);
        let pending: Vec<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT j.product_id, p.version
               FROM import_job_products j LEFT JOIN products p ON p.id = j.product_id
              WHERE j.job_id = $1 AND j.product_id > $2
              ORDER BY j.product_id LIMIT $3",
        )
        .bind(job)
        .bind(after)
        .bind(WINDOW)
        .fetch_all(&self.pool)
        .await?;
        let Some(&(last, _)) = pending.last() else {
            // Past the end: start over next time.
            self.cursors.insert(job, 0);
            return Ok(after > 0);
        };
        let live: Vec<i64> = pending
            .iter()
            .filter(|(_, v)| v.is_some())
            .map(|(id, _)| *id)
            .collect();
        let stored = if live.is_empty() {
            HashMap::new()
        } else {
            self.store.versions(&live).await?
        };
        let caught_up: Vec<i64> = pending
            .iter()
            .filter(|(id, version)| match version {
                // Deleted since: nothing left to index.
                None => true,
                Some(v) => stored.get(id).is_some_and(|s| s >= v),
            })
            .map(|(id, _)| *id)
            .collect();
        if !caught_up.is_empty() {
            sqlx::query(
                "WITH gone AS (
                     DELETE FROM import_job_products
                      WHERE job_id = $1 AND product_id = ANY($2)
                     RETURNING 1)
                 UPDATE import_jobs SET index_done = index_done + (SELECT count(*) FROM gone)
                  WHERE id = $1",
            )
            .bind(job)
            .bind(&caught_up)
            .execute(&self.pool)
            .await?;
        }
        let all_caught_up = caught_up.len() == pending.len();
        let full = i64::try_from(pending.len()).unwrap_or(0) == WINDOW;
        // A window still waiting on the index moves the cursor past it, so
        // later products are seen too; a fully indexed one does not (its
        // rows are gone: the next window starts where it started).
        let next = match (all_caught_up, full) {
            (true, true) => after,
            (false, true) => last,
            (_, false) => 0,
        };
        self.cursors.insert(job, next);
        Ok(full)
    }
}
