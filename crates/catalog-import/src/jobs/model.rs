//! The types of import jobs: a job as read, what a worker holds while it
//! runs one, a chunk with its checkpoint, and the table's columns.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sync_core::product::{NewProduct, StoreError};
use uuid::Uuid;

use crate::csv::RejectedRow;

/// How many skipped lines a job keeps, with their reasons (it counts all).
pub const MAX_REJECTS: usize = 100;

/// A reason longer than this is cut (it may quote a huge field).
pub(super) const MAX_REASON_CHARS: usize = 300;

/// After this many claims a job fails instead of being tried again.
pub const MAX_ATTEMPTS: i32 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Queued,
    Running,
    Done,
    Failed,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    pub(super) fn parse(s: &str) -> Self {
        match s {
            "running" => Self::Running,
            "done" => Self::Done,
            "failed" => Self::Failed,
            // The table's CHECK allows nothing else.
            _ => Self::Queued,
        }
    }

    pub fn is_finished(self) -> bool {
        matches!(self, Self::Done | Self::Failed)
    }
}

/// One import job, as its owner sees it.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: Uuid,
    pub owner: String,
    pub object_key: String,
    pub file_name: String,
    pub size_bytes: i64,
    pub state: JobState,
    pub error: Option<String>,
    /// Data rows in the file, once it was checked.
    pub rows_total: Option<i64>,
    /// Bytes of the file imported so far (the checkpoint).
    pub next_byte: i64,
    pub rows_read: i64,
    pub rows_imported: i64,
    pub rows_skipped: i64,
    pub resumed_at_line: Option<i64>,
    /// Distinct products written, and how many the vector index holds at
    /// their current version.
    pub index_total: i64,
    pub index_done: i64,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
pub(super) struct JobRow {
    id: Uuid,
    owner: String,
    object_key: String,
    file_name: String,
    size_bytes: i64,
    state: String,
    error: Option<String>,
    rows_total: Option<i64>,
    next_byte: i64,
    rows_read: i64,
    rows_imported: i64,
    rows_skipped: i64,
    resumed_at_line: Option<i64>,
    index_total: i64,
    index_done: i64,
    attempts: i32,
    created_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
}

impl From<JobRow> for Job {
    fn from(r: JobRow) -> Self {
        Self {
            id: r.id,
            owner: r.owner,
            object_key: r.object_key,
            file_name: r.file_name,
            size_bytes: r.size_bytes,
            state: JobState::parse(&r.state),
            error: r.error,
            rows_total: r.rows_total,
            next_byte: r.next_byte,
            rows_read: r.rows_read,
            rows_imported: r.rows_imported,
            rows_skipped: r.rows_skipped,
            resumed_at_line: r.resumed_at_line,
            index_total: r.index_total,
            index_done: r.index_done,
            attempts: r.attempts,
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
            updated_at: r.updated_at,
        }
    }
}

pub(super) const JOB_COLUMNS: &str = "id, owner, object_key, file_name, size_bytes, state, error, rows_total, \
     next_byte, rows_read, rows_imported, rows_skipped, resumed_at_line, index_total, index_done, \
     attempts, created_at, started_at, finished_at, updated_at";

/// A job to create.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub owner: String,
    pub object_key: String,
    pub file_name: String,
    pub size_bytes: u64,
}

/// A skipped line.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Reject {
    pub line: i64,
    pub reason: String,
}

/// A worker's hold on a job: every write it makes checks it still has it.
#[derive(Debug, Clone)]
pub struct Lease {
    pub job_id: Uuid,
    pub worker: Uuid,
    pub duration: Duration,
}

/// What the check of the whole file established (kept, so that a resumed
/// job neither checks again nor reads a changed object).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedFile {
    pub etag: String,
    pub header: Vec<String>,
    pub rows_total: i64,
}

/// A claimed job and where to continue it.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub job: Job,
    pub lease: Lease,
    /// `None` until the file has been checked.
    pub checked: Option<CheckedFile>,
    /// Line number of the record at `job.next_byte`.
    pub next_line: i64,
}

/// One checkpoint's worth of rows: the products to upsert, split into
/// write lanes by SKU; the lines skipped; and the checkpoint after them.
#[derive(Debug, Clone, Default)]
pub struct Chunk {
    /// Products per lane, in file order. A SKU is always in the same lane,
    /// so lanes never touch the same product and "the last occurrence
    /// wins" holds within each.
    pub lanes: Vec<Vec<NewProduct>>,
    pub rejects: Vec<RejectedRow>,
    /// Data records read in this chunk (products + rejects).
    pub rows: u64,
    /// Where this chunk starts and where the next one does.
    pub start_byte: u64,
    pub next_byte: u64,
    pub next_line: u64,
}

impl Chunk {
    /// An empty chunk starting at `start_byte`, with `lanes` write lanes.
    pub fn new(lanes: usize, start_byte: u64) -> Self {
        Self {
            lanes: vec![Vec::new(); lanes.max(1)],
            start_byte,
            ..Self::default()
        }
    }

    /// Add a product to its SKU's lane.
    pub fn push(&mut self, product: NewProduct) {
        if self.lanes.is_empty() {
            self.lanes.push(Vec::new());
        }
        let mut hasher = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(&product.sku, &mut hasher);
        let lane = std::hash::Hasher::finish(&hasher) % self.lanes.len() as u64;
        self.lanes[usize::try_from(lane).unwrap_or(0)].push(product);
    }

    pub fn products(&self) -> impl Iterator<Item = &NewProduct> {
        self.lanes.iter().flatten()
    }

    pub fn product_count(&self) -> usize {
        self.lanes.iter().map(Vec::len).sum()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ChunkError {
    /// Another worker holds the job now: nothing was written.
    #[error("the job's lease was lost")]
    LeaseLost,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ChunkError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(StoreError::Database(e))
    }
}
