//! The import worker: claims queued jobs and runs them, one at a time per
//! worker, until shutdown. Runs as one supervised task of the frontend
//! (`IMPORT_WORKERS` loops; docs/bulk-upload.md says why there).
//!
//! While a job runs, its lease is renewed every third of its length; a
//! renewal that finds the lease gone (another worker took the job over
//! after this one stalled) stops the run. On shutdown the run is dropped
//! mid-chunk (that transaction rolls back) and the job goes back to the
//! queue at once, so another replica continues it from its checkpoint
//! without waiting for the lease to run out.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sync_core::telemetry::Shutdown;
use tokio::sync::Notify;
use tracing::Instrument;
use uuid::Uuid;

use crate::jobs::{Claimed, JobStore, MAX_ATTEMPTS};
use crate::run::{Importer, RunError};

/// The longest an idle worker waits after a failure worth retrying.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// How the worker finds and holds jobs.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    pub lease: Duration,
    pub poll_interval: Duration,
}

/// `workers` loops claiming and running jobs, until `shutdown`. `wake` is
/// notified when this process creates a job (no poll delay then).
pub async fn run_workers(
    importer: Importer,
    options: WorkerOptions,
    workers: u32,
    wake: Arc<Notify>,
    shutdown: Shutdown,
) {
    let loops = (0..workers).map(|_| {
        let worker = Worker {
            id: Uuid::new_v4(),
            importer: importer.clone(),
            options: options.clone(),
            wake: Arc::clone(&wake),
        };
        worker.work(shutdown.clone())
    });
    futures::future::join_all(loops).await;
}

struct Worker {
    id: Uuid,
    importer: Importer,
    options: WorkerOptions,
    wake: Arc<Notify>,
}

/// How a run ended, for logs and `import_jobs_total{outcome}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    Done,
    Failed,
    Retry,
    LeaseLost,
    Stopped,
}

impl Ended {
    fn as_str(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Retry => "retry",
            Self::LeaseLost => "lease_lost",
            Self::Stopped => "stopped",
        }
    }
}

impl Worker {
    fn jobs(&self) -> &JobStore {
        &self.importer.jobs
    }

    async fn work(self, shutdown: Shutdown) {
        let mut failures = 0_u32;
        while !shutdown.is_triggered() {
            let claimed = match self.jobs().claim(self.id, self.options.lease).await {
                Ok(claimed) => claimed,
                Err(e) => {
                    tracing::warn!(error = %e, "could not look for import jobs");
                    failures += 1;
                    self.pause(self.backoff(failures), &shutdown).await;
                    continue;
                }
            };
            let Some(claimed) = claimed else {
                failures = 0;
                self.pause(self.options.poll_interval, &shutdown).await;
                continue;
            };
            let span = tracing::info_span!(
                "import_job",
                job_id = %claimed.job.id,
                attempt = claimed.job.attempts,
            );
            let ended = self.run(claimed, &shutdown).instrument(span).await;
            metrics::counter!("import_jobs_total", "outcome" => ended.as_str()).increment(1);
            if ended == Ended::Retry {
                failures += 1;
                self.pause(self.backoff(failures), &shutdown).await;
            } else {
                failures = 0;
            }
        }
    }

    /// Sleep until `duration` passed, a job was created here, or shutdown.
    async fn pause(&self, duration: Duration, shutdown: &Shutdown) {
        tokio::select! {
            () = shutdown.triggered() => {}
            () = tokio::time::sleep(duration) => {}
            () = self.wake.notified() => {}
        }
    }

    fn backoff(&self, failures: u32) -> Duration {
        let factor = 2_u32.saturating_pow(failures.min(10));
        (self.options.poll_interval * factor).min(MAX_BACKOFF)
    }

    async fn run(&self, claimed: Claimed, shutdown: &Shutdown) -> Ended {
        let lease = claimed.lease.clone();
        if claimed.job.attempts > MAX_ATTEMPTS {
            let reason = format!(
                "gave up after {MAX_ATTEMPTS} attempts{}",
                claimed
                    .job
                    .error
                    .as_deref()
                    .map(|e| format!("; the last one: {e}"))
                    .unwrap_or_default()
            );
            return self.end(self.jobs().fail(&lease, &reason).await, Ended::Failed);
        }
        tracing::info!(
            file = %claimed.job.file_name,
            bytes = claimed.job.size_bytes,
            resume_at_byte = claimed.job.next_byte,
            "import job claimed"
        );
        let started = Instant::now();
        let stop = Arc::new(AtomicBool::new(false));
        let work = self.importer.run(&claimed, &stop);
        // Polled side by side with the work, never instead of it: a renewal
        // waits for the job row while a chunk's transaction holds it, and
        // that transaction must be able to finish meanwhile.
        let heartbeat = async {
            let mut renew = tokio::time::interval(lease.duration / 3);
            renew.tick().await;
            loop {
                renew.tick().await;
                match self.jobs().renew(&lease).await {
                    Ok(true) => {}
                    Ok(false) => return,
                    // Every chunk checks the lease itself: keep going.
                    Err(e) => tracing::warn!(error = %e, "could not renew the lease"),
                }
            }
        };
        let result = tokio::select! {
            result = work => Some(result),
            () = heartbeat => Some(Err(RunError::LeaseLost)),
            () = shutdown.triggered() => None,
        };
        stop.store(true, Ordering::Relaxed);
        match result {
            None => {
                tracing::info!("shutting down: the job goes back to the queue");
                self.end(self.jobs().release(&lease, None).await, Ended::Stopped)
            }
            Some(Ok(())) => {
                tracing::info!(seconds = started.elapsed().as_secs_f64(), "import job done");
                self.end(self.jobs().finish(&lease).await, Ended::Done)
            }
            Some(Err(RunError::Invalid(reason))) => {
                tracing::info!(reason = %reason, "import job failed");
                self.end(self.jobs().fail(&lease, &reason).await, Ended::Failed)
            }
            Some(Err(RunError::Transient(reason))) => {
                tracing::warn!(reason = %reason, "import job interrupted; it will be retried");
                let note = format!("interrupted, will be retried: {reason}");
                self.end(self.jobs().release(&lease, Some(&note)).await, Ended::Retry)
            }
            Some(Err(RunError::LeaseLost)) => {
                tracing::warn!("another worker took the job over");
                Ended::LeaseLost
            }
        }
    }

    /// The job's final write: `false` (or an error) means the lease was
    /// lost first, and another worker owns the outcome now.
    fn end(&self, written: Result<bool, sqlx::Error>, ended: Ended) -> Ended {
        match written {
            Ok(true) => ended,
            Ok(false) => Ended::LeaseLost,
            Err(e) => {
                // The lease runs out and the job is claimed again.
                tracing::warn!(error = %e, outcome = ended.as_str(), "could not record the job's outcome");
                Ended::Retry
            }
        }
    }
}
