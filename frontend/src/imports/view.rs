//! A job as people and programs see it: its phase, progress and the state
//! of the search index for what it imported. Pure: the pages and the API
//! format the same numbers the same way.

use catalog_import::{Job, JobState};

/// Where a job is, in the order a job goes through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for a worker.
    Queued,
    /// The whole file is being checked (nothing written yet).
    Checking,
    /// Rows are being written.
    Importing,
    Imported,
    Failed,
}

impl Phase {
    pub fn of(job: &Job) -> Self {
        match job.state {
            JobState::Queued => Self::Queued,
            JobState::Running if job.rows_total.is_none() => Self::Checking,
            JobState::Running => Self::Importing,
            JobState::Done => Self::Imported,
            JobState::Failed => Self::Failed,
        }
    }

    pub const ALL: [Self; 5] = [
        Self::Queued,
        Self::Checking,
        Self::Importing,
        Self::Imported,
        Self::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Checking => "checking",
            Self::Importing => "importing",
            Self::Imported => "imported",
            Self::Failed => "failed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Queued => "waiting to start",
            Self::Checking => "checking the file",
            Self::Importing => "importing",
            Self::Imported => "imported",
            Self::Failed => "failed",
        }
    }
}

/// How far the search index is with the job's products.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexPhase {
    /// Nothing imported yet.
    Pending,
    /// Some of the imported products are not in the index yet.
    Indexing,
    /// The job is done and the index holds every product it wrote.
    Indexed,
    /// The job ended without writing a product.
    Nothing,
}

impl IndexPhase {
    pub fn of(job: &Job) -> Self {
        let finished = job.state.is_finished();
        if job.index_total == 0 {
            return if finished {
                Self::Nothing
            } else {
                Self::Pending
            };
        }
        if finished && job.index_done >= job.index_total {
            Self::Indexed
        } else {
            Self::Indexing
        }
    }

    pub const ALL: [Self; 4] = [Self::Pending, Self::Indexing, Self::Indexed, Self::Nothing];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Indexing => "indexing",
            Self::Indexed => "indexed",
            Self::Nothing => "nothing",
        }
    }
}

/// Rows done as a percentage of all rows (0 while the count is unknown).
pub fn percent(job: &Job) -> u8 {
    match job.rows_total {
        Some(total) if total > 0 => {
            let done = job.rows_read.clamp(0, total);
            u8::try_from(done * 100 / total).unwrap_or(100)
        }
        _ if job.state == JobState::Done => 100,
        _ => 0,
    }
}

/// Seconds from the first claim to the end, and rows per second over them.
pub fn timing(job: &Job) -> Option<(f64, f64)> {
    let (started, finished) = (job.started_at?, job.finished_at?);
    let seconds = (finished - started).num_milliseconds() as f64 / 1000.0;
    let rate = if seconds > 0.0 {
        job.rows_read as f64 / seconds
    } else {
        0.0
    };
    Some((seconds, rate))
}

/// "12,345".
pub fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// "12,000 of 100,000 rows imported, 3 skipped".
pub fn rows_line(job: &Job) -> String {
    let skipped = match job.rows_skipped {
        0 => String::new(),
        1 => ", 1 line skipped".to_owned(),
        n => format!(", {} lines skipped", count(n)),
    };
    match (Phase::of(job), job.rows_total) {
        (Phase::Queued, _) if job.rows_read == 0 => "waiting to start".to_owned(),
        (Phase::Checking, _) => "checking the file (nothing is written until it passed)".to_owned(),
        (_, Some(total)) => format!(
            "{} of {} rows read, {} imported{skipped}",
            count(job.rows_read),
            count(total),
            count(job.rows_imported)
        ),
        (_, None) => format!("{} rows imported{skipped}", count(job.rows_imported)),
    }
}

/// "indexed 500 of 100,000" and the like.
pub fn index_line(job: &Job) -> String {
    match IndexPhase::of(job) {
        IndexPhase::Pending => "search index: waiting for the import".to_owned(),
        IndexPhase::Nothing => "search index: nothing to index".to_owned(),
        IndexPhase::Indexing | IndexPhase::Indexed => format!(
            "indexed {} of {}",
            count(job.index_done),
            count(job.index_total)
        ),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use uuid::Uuid;

    use super::*;

    fn job(state: JobState) -> Job {
        let now = Utc::now();
        Job {
            id: Uuid::nil(),
            owner: "a".into(),
            object_key: "k".into(),
            file_name: "f.csv".into(),
            size_bytes: 10,
            state,
            error: None,
            rows_total: None,
            next_byte: 0,
            rows_read: 0,
            rows_imported: 0,
            rows_skipped: 0,
            resumed_at_line: None,
            index_total: 0,
            index_done: 0,
            attempts: 0,
            created_at: now,
            started_at: None,
            finished_at: None,
            updated_at: now,
        }
    }

    #[test]
    fn phases_and_lines() {
        let mut j = job(JobState::Running);
        assert_eq!(Phase::of(&j), Phase::Checking);
        j.rows_total = Some(100_000);
        j.rows_read = 25_000;
        j.rows_imported = 24_998;
        j.rows_skipped = 2;
        j.index_total = 24_998;
        j.index_done = 1_000;
        assert_eq!(Phase::of(&j), Phase::Importing);
        assert_eq!(percent(&j), 25);
        assert_eq!(
            rows_line(&j),
            "25,000 of 100,000 rows read, 24,998 imported, 2 lines skipped"
        );
        assert_eq!(index_line(&j), "indexed 1,000 of 24,998");
        assert_eq!(IndexPhase::of(&j), IndexPhase::Indexing);
        j.state = JobState::Done;
        j.index_done = j.index_total;
        assert_eq!(IndexPhase::of(&j), IndexPhase::Indexed);
        let failed = job(JobState::Failed);
        assert_eq!(IndexPhase::of(&failed), IndexPhase::Nothing);
    }

    #[test]
    fn counts_are_grouped() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(-1_000), "-1,000");
    }
}
