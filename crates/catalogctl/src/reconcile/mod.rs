//! Verify that the vector index equals the `products` table, and repair it
//! through the outbox (`catalogctl verify [--repair]`).
//!
//! Guarantee 3 says that once the pipeline is quiet the index holds exactly
//! one vector per product, of the row's current version and text, and
//! nothing else. This module checks that claim on a live deployment:
//!
//! 1. **products → index**: walk `products` by primary key (keyset pages)
//!    and ask the store for the stored version of each page: absent =
//!    `missing`, different = `stale`; the full-text documents likewise
//!    (`product_search_documents`): absent or another version =
//!    `full_text`. A reservoir sample of the products found in sync is
//!    kept for step 3.
//! 2. **index → products**: walk the store's ids page by page
//!    ([`VectorStore::list_ids`]: SQL keyset for pgvector, `/vectors/list`
//!    with its pagination token for Pinecone) and look each page up in
//!    `products`: absent = `orphans`.
//! 3. **drift**: for the sample, compare the stored vector with a fresh
//!    embedding of the row's text; below `min_cosine` = `drifted`.
//!
//! Memory is bounded by the page size and the sample, not the table: on
//! 1 M rows the scan holds one page at a time. Repair happens page by page
//! too: it never writes a vector, it puts the affected products back into
//! the outbox (the SQL functions of migration `…05_reconcile`), so pelican
//! and emu heal them like any other change.
//!
//! Findings on a busy system include changes still in flight (a product
//! updated a second ago is `stale` until emu catches up); re-enqueueing such
//! a product is harmless (one extra version). Run it on a quiet system for
//! an exact answer.
//!
//! Layout: `scan` walks both sides, `drift` checks the sample, `repair`
//! calls the SQL functions.

mod drift;
mod repair;
mod scan;

use std::sync::Arc;

use indicatif::ProgressBar;
use serde::Serialize;
use sqlx::PgPool;

use embedding::{EmbedError, Embedder};
use vector_store::{VectorStore, VectorStoreError};

/// How many ids of each kind a report lists (the counts are always exact).
pub const EXAMPLES_PER_KIND: usize = 20;

#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// Rows (and vector ids) per page.
    pub page_size: usize,
    /// Products whose stored vector is compared with a fresh embedding
    /// (0 = no drift check, no embedder needed).
    pub sample: usize,
    /// A stored vector whose cosine to the fresh embedding is below this is
    /// `drifted`.
    pub min_cosine: f32,
    /// Re-enqueue what is found through the outbox.
    pub repair: bool,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self {
            page_size: 1_000,
            sample: 100,
            min_cosine: 0.99,
            repair: false,
        }
    }
}

/// What a verification found. `missing`, `stale`, `orphans` and `drifted`
/// are exact counts; `examples` lists the first few ids of each.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Report {
    /// Rows in `products` when they were scanned.
    pub products: u64,
    /// Live vectors listed by the store.
    pub vectors: u64,
    /// Products without a vector.
    pub missing: u64,
    /// Products whose vector carries another version than the row.
    pub stale: u64,
    /// Vectors whose product does not exist.
    pub orphans: u64,
    /// Products whose full-text document is missing or of another version
    /// than the row (found by their words late, or by old words).
    pub full_text: u64,
    /// Products whose vector was compared with a fresh embedding.
    pub sampled: u64,
    /// Sampled products whose vector is not the embedding of the row's text.
    pub drifted: u64,
    /// Products given a new version (and so an upsert event) by `--repair`.
    pub reembed_enqueued: u64,
    /// Delete events written for orphans by `--repair`.
    pub deletes_enqueued: u64,
    pub examples: Examples,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Examples {
    pub missing: Vec<i64>,
    /// (product id, row version, vector version).
    pub stale: Vec<(i64, i64, i64)>,
    pub orphans: Vec<i64>,
    pub full_text: Vec<i64>,
    /// (product id, cosine of the stored vector to a fresh embedding).
    pub drifted: Vec<(i64, f32)>,
}

impl Report {
    /// Nothing missing, stale, orphaned or drifted, no full text behind.
    pub fn is_clean(&self) -> bool {
        self.missing == 0
            && self.stale == 0
            && self.orphans == 0
            && self.drifted == 0
            && self.full_text == 0
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "products {}, vectors {}: missing {}, stale {}, orphans {}, drifted {} of {} sampled, full text behind {}",
            self.products,
            self.vectors,
            self.missing,
            self.stale,
            self.orphans,
            self.drifted,
            self.sampled,
            self.full_text
        )?;
        let e = &self.examples;
        if !e.missing.is_empty() {
            writeln!(f, "  missing, e.g. {:?}", e.missing)?;
        }
        if !e.stale.is_empty() {
            writeln!(
                f,
                "  stale (id, row version, vector version), e.g. {:?}",
                e.stale
            )?;
        }
        if !e.orphans.is_empty() {
            writeln!(f, "  orphans, e.g. {:?}", e.orphans)?;
        }
        if !e.full_text.is_empty() {
            writeln!(f, "  full text behind, e.g. {:?}", e.full_text)?;
        }
        if !e.drifted.is_empty() {
            writeln!(f, "  drifted (id, cosine), e.g. {:?}", e.drifted)?;
        }
        if self.reembed_enqueued + self.deletes_enqueued > 0 {
            writeln!(
                f,
                "  re-enqueued through the outbox: {} upserts, {} deletes",
                self.reembed_enqueued, self.deletes_enqueued
            )?;
        }
        Ok(())
    }
}

/// Why a verification could not finish (differences are not errors: they
/// are the [`Report`]).
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error("reading products: {0}")]
    Database(#[from] sqlx::Error),
    #[error("reading the vector store: {0}")]
    Store(#[from] VectorStoreError),
    #[error("embedding the sample: {0}")]
    Embed(#[from] EmbedError),
    #[error("a drift check (--sample > 0) needs an embedder")]
    NoEmbedder,
}

/// Compare `products` (in `pool`) with `store`; with `options.repair`,
/// re-enqueue every difference through the outbox as it is found.
/// `progress` counts rows and vector ids scanned (pass
/// [`ProgressBar::hidden`] for none).
pub async fn verify(
    pool: &PgPool,
    store: &dyn VectorStore,
    embedder: Option<Arc<dyn Embedder>>,
    options: &VerifyOptions,
    progress: &ProgressBar,
) -> Result<Report, ReconcileError> {
    if options.sample > 0 && embedder.is_none() {
        return Err(ReconcileError::NoEmbedder);
    }
    let mut report = Report::default();
    let sample = scan::products_to_index(pool, store, options, &mut report, progress).await?;
    scan::index_to_products(pool, store, options, &mut report, progress).await?;
    if let Some(embedder) = embedder
        && !sample.is_empty()
    {
        drift::check(
            pool,
            store,
            embedder.as_ref(),
            &sample,
            options,
            &mut report,
        )
        .await?;
    }
    Ok(report)
}

/// Keep the first few examples of a kind.
fn note<T>(examples: &mut Vec<T>, item: T) {
    if examples.len() < EXAMPLES_PER_KIND {
        examples.push(item);
    }
}
