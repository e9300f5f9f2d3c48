//! What every service of catalog sync shares. Each module holds one part of
//! the system's contract:
//!
//! * [`change_event`] — the versioned message pelican sends and emu consumes
//!   (and the text caps that keep it within SQS limits).
//! * [`coalesce`] — "the newest version of a product wins": the one rule
//!   emu's batches and both vector stores apply.
//! * [`document`] — the text embedded for a product.
//! * [`product`] — products as they enter the table: upsert by SKU at COPY
//!   speed.
//! * [`db`] — Postgres pools, the embedded migrations, retryable errors.
//! * [`queue`] — SQS/SNS clients, readiness probe, provisioning the queues.
//! * [`retry`] — the one backoff schedule and the one HTTP retry policy.
//! * [`settings`] — secrets and the settings groups services flatten.
//! * [`telemetry`] — logging, metrics, `/healthz` `/readyz` `/metrics`,
//!   shutdown, and the task supervisor every service runs under.

pub mod change_event;
pub mod coalesce;
pub mod db;
pub mod document;
pub mod product;
pub mod queue;
pub mod retry;
pub mod settings;
pub mod telemetry;

/// Length of every vector in the system: all-MiniLM-L6-v2's output, the
/// pgvector column and the Pinecone index dimension.
pub const DIMENSION: usize = 384;
