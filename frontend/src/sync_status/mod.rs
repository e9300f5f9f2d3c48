//! Sync status: how far the search index is behind the products table, for
//! people (`/status`, a badge on every page) and programs (`/api/status`,
//! Prometheus gauges).
//!
//! One background task ([`SyncMonitor::new`]) samples every source each
//! interval — the outbox and parked events (Postgres), the job queue and its
//! DLQ (SQS `GetQueueAttributes`), rows vs vectors, and the age of the
//! oldest change not yet indexed — and keeps a bounded history for the
//! chart. Handlers only read those samples.
//!
//! One job per file:
//! * `settings` — [`SyncStatusSettings`].
//! * `sources` — asking Postgres, SQS and the store, each on its own.
//! * `snapshot` — [`SyncSnapshot`] and the verdict ([`SyncState`]).
//! * `history` — the ring buffer of lag and backlog.
//! * `monitor` — [`SyncMonitor`]: the sampler task and its metrics.
//! * `chart` — the SVG chart (pure).
//! * `view` — the strings the page and the badge show.
//! * `routes` — the HTTP endpoints.

mod chart;
mod history;
mod monitor;
mod routes;
mod settings;
mod snapshot;
mod sources;
mod view;

pub use history::HistoryPoint;
pub use monitor::SyncMonitor;
pub use routes::{StatusApi, router};
pub use settings::SyncStatusSettings;
pub use snapshot::{Lag, QueueDepth, Reading, SyncSnapshot, SyncState};
