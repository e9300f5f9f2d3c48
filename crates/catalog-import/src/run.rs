//! Running one claimed job: check the object, then stream it into
//! `products` chunk by chunk, each chunk committed with its checkpoint.
//!
//! 1. `HEAD` the object: gone, empty or over the limit fails the job.
//! 2. The first time, [`check`] the whole file (UTF-8, not binary, header,
//!    at least one row) and remember its ETag, header and row count. A
//!    resumed job skips this, and from then on reads only that version of
//!    the object (`If-Match`): a file uploaded again fails the job rather
//!    than mixing two files.
//! 3. Stream the object from the checkpoint on (`Range`), parse it on a
//!    blocking thread ([`parse_chunks`]) and commit chunk after chunk
//!    ([`JobStore::commit_chunk`]: its lanes side by side, then the
//!    checkpoint) while the next one is parsed.
//!
//! Nothing is buffered beyond a chunk or two and the parser's buffer: a
//! 1 GB file imports in the memory of a 1 MB one.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use tokio_util::io::SyncIoBridge;

use crate::check::{CheckError, FileProblem, Guarded, check};
use crate::csv::Columns;
use crate::jobs::{CheckedFile, Chunk, ChunkError, Claimed, JobStore};
use crate::objects::{ObjectError, Objects};
use crate::parse::{Cut, ParseError, Start, parse_chunks};

/// Why a run ended without finishing the job.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The file cannot be imported: the job fails with this reason.
    #[error("{0}")]
    Invalid(String),
    /// Something that may work next time (S3 or Postgres unavailable, the
    /// stream broke): the job goes back to the queue.
    #[error("{0}")]
    Transient(String),
    /// Another worker has the job now; this one has written nothing since.
    #[error("the job's lease was lost")]
    LeaseLost,
}

impl From<ObjectError> for RunError {
    fn from(e: ObjectError) -> Self {
        match e {
            ObjectError::Missing | ObjectError::Changed => Self::Invalid(e.to_string()),
            ObjectError::Unavailable(_) | ObjectError::Presign(_) => Self::Transient(e.to_string()),
        }
    }
}

impl From<ChunkError> for RunError {
    fn from(e: ChunkError) -> Self {
        match e {
            ChunkError::LeaseLost => Self::LeaseLost,
            ChunkError::Store(sync_core::product::StoreError::Database(db))
                if !sync_core::db::is_retryable(&db) =>
            {
                Self::Invalid(format!("the database refused a chunk of rows: {db}"))
            }
            ChunkError::Store(e) => Self::Transient(e.to_string()),
        }
    }
}

/// What a run needs; cheap to clone.
#[derive(Debug, Clone)]
pub struct Importer {
    pub jobs: JobStore,
    pub objects: Objects,
    /// Largest file accepted (`UPLOAD_MAX_BYTES`).
    pub max_bytes: u64,
    /// Rows per checkpoint (`IMPORT_CHUNK_ROWS`).
    pub chunk_rows: usize,
    /// Transactions writing a chunk side by side (`IMPORT_WRITE_LANES`).
    pub write_lanes: usize,
}

impl Importer {
    /// Run `claimed` to its end. `stop` tells the blocking parts to give
    /// up (set by the worker on shutdown or a lost lease).
    pub async fn run(&self, claimed: &Claimed, stop: &Arc<AtomicBool>) -> Result<(), RunError> {
        let job = &claimed.job;
        let info = self.objects.head(&job.object_key).await?;
        if info.size == 0 {
            return Err(RunError::Invalid(FileProblem::Empty.to_string()));
        }
        if info.size > self.max_bytes {
            return Err(RunError::Invalid(format!(
                "the file is {} bytes; at most {} are accepted",
                info.size, self.max_bytes
            )));
        }
        let checked = match &claimed.checked {
            Some(checked) if checked.etag == info.etag => checked.clone(),
            Some(_) => return Err(ObjectError::Changed.into()),
            None => self.check(claimed, &info.etag, stop).await?,
        };
        let columns = Columns::from_header(&csv::StringRecord::from(checked.header.clone()))
            .map_err(|e| RunError::Invalid(FileProblem::Header(e).to_string()))?;
        let start = Start {
            byte: u64::try_from(job.next_byte).unwrap_or(0),
            line: u64::try_from(claimed.next_line).unwrap_or(1),
        };
        if start.byte >= info.size {
            return Ok(());
        }
        self.import(claimed, &checked.etag, columns, start, stop)
            .await
    }

    /// Step 2: the whole file, before anything is written.
    async fn check(
        &self,
        claimed: &Claimed,
        etag: &str,
        stop: &Arc<AtomicBool>,
    ) -> Result<CheckedFile, RunError> {
        let started = Instant::now();
        let body = self
            .objects
            .read_from(&claimed.job.object_key, etag, 0)
            .await?;
        let input = SyncIoBridge::new(Box::pin(body.into_async_read()));
        let (limit, stop) = (self.max_bytes, Arc::clone(stop));
        let checked = tokio::task::spawn_blocking(move || check(input, limit, &stop))
            .await
            .map_err(|e| RunError::Transient(format!("the file check stopped: {e}")))?
            .map_err(|e| match e {
                CheckError::Problem(p) => RunError::Invalid(p.to_string()),
                CheckError::Io(io) => RunError::Transient(format!("reading the file: {io}")),
            })?;
        let checked = CheckedFile {
            etag: etag.to_owned(),
            header: checked.header,
            rows_total: i64::try_from(checked.rows).unwrap_or(i64::MAX),
        };
        let held = self
            .jobs
            .record_check(&claimed.lease, &checked)
            .await
            .map_err(|e| RunError::Transient(format!("recording the check: {e}")))?;
        if !held {
            return Err(RunError::LeaseLost);
        }
        tracing::info!(
            rows = checked.rows_total,
            seconds = started.elapsed().as_secs_f64(),
            "file checked"
        );
        Ok(checked)
    }

    /// Step 3: stream, parse and commit chunk after chunk.
    async fn import(
        &self,
        claimed: &Claimed,
        etag: &str,
        columns: Columns,
        start: Start,
        stop: &Arc<AtomicBool>,
    ) -> Result<(), RunError> {
        let body = self
            .objects
            .read_from(&claimed.job.object_key, etag, start.byte)
            .await?;
        let input: Box<dyn Read + Send> = Box::new(Guarded::new(
            SyncIoBridge::new(Box::pin(body.into_async_read())),
            self.max_bytes,
            Arc::clone(stop),
        ));
        // Two chunks in flight at most: one being written, one parsed.
        let (chunks_tx, mut chunks) = tokio::sync::mpsc::channel(1);
        let cut = Cut {
            rows: self.chunk_rows,
            lanes: self.write_lanes,
        };
        let parser = tokio::task::spawn_blocking(move || {
            parse_chunks(input, &columns, start, cut, &chunks_tx)
        });
        // Chunk k's lanes are written while chunk k-1's checkpoint commits
        // (checkpoints stay in order; a crash in between replays from the
        // last checkpoint, which changes nothing that was written).
        let lease = &claimed.lease;
        let mut written = Ok(());
        let mut previous: Option<Chunk> = None;
        while let Some(chunk) = chunks.recv().await {
            let started = Instant::now();
            let checkpoint = async {
                match &previous {
                    Some(done) => self.jobs.checkpoint(lease, done).await,
                    None => Ok(()),
                }
            };
            if let Err(e) = tokio::try_join!(self.jobs.write_lanes(lease, &chunk), checkpoint) {
                written = Err(RunError::from(e));
                break;
            }
            if let Some(done) = previous.replace(chunk) {
                count_rows(&done);
            }
            metrics::histogram!("import_chunk_seconds").record(started.elapsed().as_secs_f64());
        }
        if written.is_ok()
            && let Some(last) = previous.take()
        {
            match self.jobs.checkpoint(lease, &last).await {
                Ok(()) => count_rows(&last),
                Err(e) => written = Err(RunError::from(e)),
            }
        }
        if written.is_err() {
            // The parser is told by its closed channel, and by `stop` if it
            // is waiting on the stream.
            stop.store(true, Ordering::Relaxed);
        }
        drop(chunks);
        let parsed = parser
            .await
            .map_err(|e| RunError::Transient(format!("the parser stopped: {e}")))?;
        written?;
        match parsed {
            Ok(()) => Ok(()),
            Err(ParseError::Io(e)) => Err(RunError::Transient(format!("reading the file: {e}"))),
            Err(ParseError::Closed) => Err(RunError::Transient("the import stopped".into())),
        }
    }
}

fn count_rows(chunk: &Chunk) {
    metrics::counter!("import_rows_total", "outcome" => "imported")
        .increment(chunk.product_count() as u64);
    metrics::counter!("import_rows_total", "outcome" => "skipped")
        .increment(chunk.rejects.len() as u64);
}
