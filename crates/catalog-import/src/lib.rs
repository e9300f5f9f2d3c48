//! Products into the `products` table from CSV: today's CSV rules
//! ([`csv`], also `catalogctl import`), and bulk import jobs — a CSV file a
//! browser uploaded to S3, imported by a worker with progress, resumable
//! (docs/bulk-upload.md).
//!
//! One job per file:
//! * [`csv`] — the CSV rules: header → columns, row → product or a reason.
//! * [`settings`] — `UPLOAD_*` and `IMPORT_*`.
//! * [`objects`] — the uploads bucket: keys per user, presigned `PUT`s,
//!   streaming reads, creating the bucket locally.
//! * [`jobs`] — the `import_jobs` table: create, read, claim, lease,
//!   checkpoint.
//! * `check` — the whole-file check before anything is written.
//! * `parse` — records from a checkpoint on, in chunks.
//! * [`run`] — one job from start (or checkpoint) to end.
//! * [`worker`] — the supervised loop that claims and runs jobs.
//! * [`index_progress`] — "indexed n of m" against the vector store.

mod check;
pub mod csv;
pub mod index_progress;
pub mod jobs;
pub mod objects;
mod parse;
pub mod run;
pub mod settings;
pub mod worker;

pub use check::FileProblem;
pub use jobs::{Job, JobState, JobStore, MAX_REJECTS, NewJob, Reject};
pub use objects::{CSV_CONTENT_TYPE, ObjectError, Objects, PresignedUpload};
pub use run::Importer;
pub use settings::UploadSettings;
pub use worker::{WorkerOptions, run_workers};
