//! catalogctl: the operations tool of catalog sync, as a library (the
//! binary in `main.rs` is its command line; tests and the chaos suite call
//! the same code).
//!
//! * [`deploy`] — what a release needs before its services start: the
//!   services' database logins, the published Pinecone index host.
//! * [`import`] — CSV files into `products` (upsert by SKU, COPY speed).
//! * [`reconcile`] — `verify`: compare the table with the vector index, and
//!   `--repair` what differs through the outbox.
//!
//! Provisioning lives with what it provisions: the queue pair and topic in
//! `sync_core::queue`, the Pinecone index in `vector_store::pinecone_control`;
//! `main.rs` wires them to subcommands.

pub mod deploy;
pub mod import;
pub mod reconcile;
