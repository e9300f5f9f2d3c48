//! The `import_jobs` table (migration `…08_import_jobs`): creating, reading
//! and listing jobs (the frontend), claiming one and holding it (the
//! worker), and the checkpoint every chunk commits with its products.
//!
//! **One worker per job.** A claim takes the oldest job that is queued or
//! whose lease ran out, with `FOR UPDATE SKIP LOCKED` so that two workers
//! claiming at once never get the same job, and gives it a lease that the
//! worker renews while it works. Every write a worker makes for a job is
//! conditional on still holding that lease, in the same transaction as the
//! write: a worker that stalled past its lease (and was replaced) can no
//! longer change anything, not even the products of the chunk in hand.

mod model;

use std::time::Duration;

use sqlx::{PgPool, Postgres, Transaction};
use sync_core::product::{NewProduct, upsert_products_in};
use uuid::Uuid;

use crate::csv::RejectedRow;

pub use self::model::{
    CheckedFile, Chunk, ChunkError, Claimed, Job, JobState, Lease, MAX_ATTEMPTS, MAX_REJECTS,
    NewJob, Reject,
};
use self::model::{JOB_COLUMNS, JobRow, MAX_REASON_CHARS};

/// The table, through a pool.
#[derive(Debug, Clone)]
pub struct JobStore {
    pool: PgPool,
}

impl JobStore {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Create the job of an uploaded object, or return the one that exists
    /// (a retried request): `(job, created)`.
    pub async fn create(&self, new: &NewJob) -> Result<(Job, bool), sqlx::Error> {
        let size = i64::try_from(new.size_bytes).unwrap_or(i64::MAX);
        let inserted: Option<JobRow> = sqlx::query_as(&format!(
            "INSERT INTO import_jobs (owner, object_key, file_name, size_bytes)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (object_key) DO NOTHING
             RETURNING {JOB_COLUMNS}"
        ))
        .bind(&new.owner)
        .bind(&new.object_key)
        .bind(&new.file_name)
        .bind(size)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(row) = inserted {
            return Ok((row.into(), true));
        }
        let existing: JobRow = sqlx::query_as(&format!(
            "SELECT {JOB_COLUMNS} FROM import_jobs WHERE object_key = $1"
        ))
        .bind(&new.object_key)
        .fetch_one(&self.pool)
        .await?;
        Ok((existing.into(), false))
    }

    /// The job `id` if `owner` owns it (someone else's job is as absent
    /// as one that does not exist).
    pub async fn get(&self, id: Uuid, owner: &str) -> Result<Option<Job>, sqlx::Error> {
        let row: Option<JobRow> = sqlx::query_as(&format!(
            "SELECT {JOB_COLUMNS} FROM import_jobs WHERE id = $1 AND owner = $2"
        ))
        .bind(id)
        .bind(owner)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(Job::from))
    }

    /// The skipped lines kept for job `id`, in line order.
    pub async fn rejects(&self, id: Uuid) -> Result<Vec<Reject>, sqlx::Error> {
        sqlx::query_as(
            "SELECT line, reason FROM import_job_rejects WHERE job_id = $1 ORDER BY line LIMIT $2",
        )
        .bind(id)
        .bind(i64::try_from(MAX_REJECTS).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await
    }

    /// `owner`'s newest jobs.
    pub async fn list_for(&self, owner: &str, limit: i64) -> Result<Vec<Job>, sqlx::Error> {
        let rows: Vec<JobRow> = sqlx::query_as(&format!(
            "SELECT {JOB_COLUMNS} FROM import_jobs WHERE owner = $1
             ORDER BY created_at DESC LIMIT $2"
        ))
        .bind(owner)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Job::from).collect())
    }

    /// Everyone's newest jobs (the status page).
    pub async fn recent(&self, limit: i64) -> Result<Vec<Job>, sqlx::Error> {
        let rows: Vec<JobRow> = sqlx::query_as(&format!(
            "SELECT {JOB_COLUMNS} FROM import_jobs ORDER BY created_at DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Job::from).collect())
    }

    /// Claim the oldest job that is queued or whose worker's lease ran out.
    pub async fn claim(
        &self,
        worker: Uuid,
        lease: Duration,
    ) -> Result<Option<Claimed>, sqlx::Error> {
        #[derive(sqlx::FromRow)]
        struct ClaimRow {
            #[sqlx(flatten)]
            job: JobRow,
            object_etag: Option<String>,
            header: Option<Vec<String>>,
            next_line: i64,
        }
        let row: Option<ClaimRow> = sqlx::query_as(&format!(
            "UPDATE import_jobs j
                SET state = 'running', lease_owner = $1,
                    lease_expires_at = now() + make_interval(secs => $2),
                    attempts = j.attempts + 1, started_at = coalesce(j.started_at, now()),
                    resumed_at_line = CASE WHEN j.next_byte > 0 THEN j.next_line
                                           ELSE j.resumed_at_line END,
                    updated_at = now()
              WHERE j.id = (SELECT id FROM import_jobs
                             WHERE state = 'queued'
                                OR (state = 'running' AND lease_expires_at < now())
                             ORDER BY created_at
                             LIMIT 1
                             FOR UPDATE SKIP LOCKED)
              RETURNING {JOB_COLUMNS}, object_etag, header, next_line"
        ))
        .bind(worker)
        .bind(lease.as_secs_f64())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| {
            let job = Job::from(r.job);
            let checked = match (r.object_etag, r.header, job.rows_total) {
                (Some(etag), Some(header), Some(rows_total)) => Some(CheckedFile {
                    etag,
                    header,
                    rows_total,
                }),
                _ => None,
            };
            Claimed {
                lease: Lease {
                    job_id: job.id,
                    worker,
                    duration: lease,
                },
                checked,
                next_line: r.next_line,
                job,
            }
        }))
    }

    /// Extend the lease; `false` when it is no longer this worker's.
    pub async fn renew(&self, lease: &Lease) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE import_jobs SET lease_expires_at = now() + make_interval(secs => $3)
              WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
        )
        .bind(lease.job_id)
        .bind(lease.worker)
        .bind(lease.duration.as_secs_f64())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Remember that the whole file passed the check.
    pub async fn record_check(
        &self,
        lease: &Lease,
        checked: &CheckedFile,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE import_jobs
                SET object_etag = $3, header = $4, rows_total = $5, updated_at = now()
              WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
        )
        .bind(lease.job_id)
        .bind(lease.worker)
        .bind(&checked.etag)
        .bind(&checked.header)
        .bind(checked.rows_total)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Apply one chunk: each lane's products in a transaction of its own,
    /// the lanes at the same time (on separate connections: Postgres then
    /// uses as many cores), then the checkpoint after the chunk with its
    /// counts and skipped lines.
    ///
    /// Every lane transaction commits only while this worker's lease holds,
    /// holding the job row `FOR SHARE` from that check to its commit: a
    /// worker that lost its lease writes nothing, and nobody can claim the
    /// job in between. If the process dies
    /// between a lane's commit and the checkpoint, the chunk is applied
    /// again on resume: an upsert of the same rows changes nothing (no new
    /// version, no event), and the counts only ever move with the
    /// checkpoint, so they come out exact.
    pub async fn commit_chunk(&self, lease: &Lease, chunk: &Chunk) -> Result<(), ChunkError> {
        self.write_lanes(lease, chunk).await?;
        self.checkpoint(lease, chunk).await
    }

    /// The products of `chunk`, each lane in a transaction of its own, the
    /// lanes side by side. (The importer runs this for one chunk while the
    /// previous chunk's [`JobStore::checkpoint`] commits.)
    pub async fn write_lanes(&self, lease: &Lease, chunk: &Chunk) -> Result<(), ChunkError> {
        let lanes = chunk
            .lanes
            .iter()
            .filter(|lane| !lane.is_empty())
            .map(|lane| self.write_lane(lease, lane));
        futures::future::try_join_all(lanes).await?;
        Ok(())
    }

    async fn write_lane(&self, lease: &Lease, products: &[NewProduct]) -> Result<(), ChunkError> {
        let mut tx = self.pool.begin().await?;
        upsert_products_in(&mut tx, products).await?;
        // Last, so that it does not wait for the previous chunk's
        // checkpoint (which holds the row meanwhile); held until the commit,
        // so that nobody can claim the job in between.
        let held: Option<i32> = sqlx::query_scalar(
            "SELECT 1 FROM import_jobs
              WHERE id = $1 AND lease_owner = $2 AND state = 'running'
              FOR SHARE",
        )
        .bind(lease.job_id)
        .bind(lease.worker)
        .fetch_optional(&mut *tx)
        .await?;
        if held.is_none() {
            return Err(ChunkError::LeaseLost);
        }
        tx.commit().await?;
        Ok(())
    }

    /// Move the checkpoint past `chunk` (whose lanes are written), with its
    /// counts, its skipped lines and the products it wrote (for "indexed n
    /// of m"). Only from where the chunk starts: checkpoints go in order.
    pub async fn checkpoint(&self, lease: &Lease, chunk: &Chunk) -> Result<(), ChunkError> {
        let as_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let mut tx = self.pool.begin().await?;
        let skipped_after: Option<i64> = sqlx::query_scalar(
            "UPDATE import_jobs
                SET next_byte = $4, next_line = $5, rows_read = rows_read + $6,
                    rows_imported = rows_imported + $7, rows_skipped = rows_skipped + $8,
                    lease_expires_at = now() + make_interval(secs => $9), updated_at = now()
              WHERE id = $1 AND lease_owner = $2 AND state = 'running' AND next_byte = $3
              RETURNING rows_skipped",
        )
        .bind(lease.job_id)
        .bind(lease.worker)
        .bind(as_i64(chunk.start_byte))
        .bind(as_i64(chunk.next_byte))
        .bind(as_i64(chunk.next_line))
        .bind(as_i64(chunk.rows))
        .bind(as_i64(chunk.product_count() as u64))
        .bind(as_i64(chunk.rejects.len() as u64))
        .bind(lease.duration.as_secs_f64())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(skipped_after) = skipped_after else {
            return Err(ChunkError::LeaseLost);
        };
        let skipped_before = skipped_after - as_i64(chunk.rejects.len() as u64);
        store_rejects(&mut tx, lease.job_id, skipped_before, &chunk.rejects).await?;
        let tracked = track_products(&mut tx, lease.job_id, chunk).await?;
        if tracked > 0 {
            sqlx::query("UPDATE import_jobs SET index_total = index_total + $2 WHERE id = $1")
                .bind(lease.job_id)
                .bind(as_i64(tracked))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The job is done; `false` if the lease was lost first.
    pub async fn finish(&self, lease: &Lease) -> Result<bool, sqlx::Error> {
        self.end(lease, "done", None).await
    }

    /// The job failed for good, with a reason for its owner.
    pub async fn fail(&self, lease: &Lease, reason: &str) -> Result<bool, sqlx::Error> {
        self.end(lease, "failed", Some(reason)).await
    }

    async fn end(
        &self,
        lease: &Lease,
        state: &str,
        reason: Option<&str>,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE import_jobs
                SET state = $3, error = $4, finished_at = now(), updated_at = now(),
                    lease_owner = NULL, lease_expires_at = NULL
              WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
        )
        .bind(lease.job_id)
        .bind(lease.worker)
        .bind(state)
        .bind(reason.map(cut))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Give the job back to the queue (shutdown, or a failure worth
    /// retrying, whose reason stays visible until the next attempt ends).
    pub async fn release(&self, lease: &Lease, note: Option<&str>) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE import_jobs
                SET state = 'queued', error = $3, updated_at = now(),
                    lease_owner = NULL, lease_expires_at = NULL
              WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
        )
        .bind(lease.job_id)
        .bind(lease.worker)
        .bind(note.map(cut))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

/// Remember which products the chunk wrote, for "indexed n of m"; returns
/// how many were new to this job.
async fn track_products(
    tx: &mut Transaction<'_, Postgres>,
    job: Uuid,
    chunk: &Chunk,
) -> Result<u64, sqlx::Error> {
    let skus: Vec<&str> = chunk.products().map(|p| p.sku.as_str()).collect();
    if skus.is_empty() {
        return Ok(0);
    }
    let done = sqlx::query(
        "INSERT INTO import_job_products (job_id, product_id)
         SELECT $1, id FROM products WHERE sku = ANY($2)
         ON CONFLICT DO NOTHING",
    )
    .bind(job)
    .bind(&skus)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// Keep the first [`MAX_REJECTS`] skipped lines of the job.
async fn store_rejects(
    tx: &mut Transaction<'_, Postgres>,
    job: Uuid,
    kept_before: i64,
    rejects: &[RejectedRow],
) -> Result<(), sqlx::Error> {
    let room = MAX_REJECTS.saturating_sub(usize::try_from(kept_before).unwrap_or(usize::MAX));
    let kept = &rejects[..rejects.len().min(room)];
    if kept.is_empty() {
        return Ok(());
    }
    let lines: Vec<i64> = kept
        .iter()
        .map(|r| i64::try_from(r.line).unwrap_or(i64::MAX))
        .collect();
    let reasons: Vec<String> = kept.iter().map(|r| cut(&r.reason)).collect();
    sqlx::query(
        "INSERT INTO import_job_rejects (job_id, line, reason)
         SELECT $1, line, reason FROM unnest($2::bigint[], $3::text[]) AS r (line, reason)
         ON CONFLICT DO NOTHING",
    )
    .bind(job)
    .bind(&lines)
    .bind(&reasons)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// At most [`MAX_REASON_CHARS`] characters, marked when cut.
fn cut(text: &str) -> String {
    if text.chars().count() <= MAX_REASON_CHARS {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(MAX_REASON_CHARS - 1).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_reasons_are_cut() {
        assert_eq!(cut("short"), "short");
        let long = "x".repeat(1000);
        let short = cut(&long);
        assert_eq!(short.chars().count(), MAX_REASON_CHARS);
        assert!(short.ends_with('…'));
    }

    #[test]
    fn states_round_trip() {
        for state in [
            JobState::Queued,
            JobState::Running,
            JobState::Done,
            JobState::Failed,
        ] {
            assert_eq!(JobState::parse(state.as_str()), state);
        }
    }
}
