//! Handler tests of the frontend: each test starts the real application on
//! port 0 against its own fresh database (Postgres of the local stack), and
//! writes vectors straight into the pgvector store with the real embedder,
//! so no pipeline is needed. One binary, one module per topic.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

mod api_errors;
mod auth;
mod helpers;
mod hostile;
mod imports;
mod pages;
mod search;
