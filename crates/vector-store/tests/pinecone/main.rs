//! `PineconeStore` against a local double of the Pinecone data plane that
//! checks every request against Pinecone's official OpenAPI spec (2025-10)
//! and the documented limits, and answers with the spec's response shapes
//! (`testkit::pinecone_double`). No network, no Pinecone account.
//!
//! One test binary, its tests by theme: `writes` (batching and limits),
//! `reads` (queries, fetch, stats), `faults` (retries and permanent
//! errors), `spec` (the double's own checks) and `ledger` (conditional
//! writes); `helpers` holds what they share.
#![allow(clippy::unwrap_used)]

mod faults;
mod helpers;
mod ledger;
mod reads;
mod spec;
mod writes;
