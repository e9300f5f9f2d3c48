//! Code that more than one service needs, organised by domain.
//!
//! * [`change_event`] — the versioned message pelican sends and emu consumes.
//! * [`catalog`] — products: the generated sample catalog and the CSV import.
//! * [`db`] — connecting to Postgres and applying the migrations.
//! * [`queue`] — building AWS clients (SQS, SNS) from settings.
//! * [`retry`] — the backoff schedule of every retry loop.
//! * [`search`] — product search: query embedding cache, vector + exact/lexical ranking, paging.
//! * [`settings`] — secrets and the settings every service shares.
//! * [`telemetry`] — logging, metrics, `/healthz` `/readyz` `/metrics`, shutdown.

pub mod catalog;
pub mod change_event;
pub mod db;
pub mod embedding;
pub mod queue;
pub mod reconcile;
pub mod retry;
pub mod search;
pub mod settings;
pub mod telemetry;
pub mod vector_store;

#[cfg(feature = "testing")]
pub mod testing;
