//! The vector index: where emu writes product vectors and the frontend
//! searches them.
//!
//! [`VectorStore`] is what services program against; two implementations,
//! both of which refuse a write older than what they hold (guarantee 3: an
//! older change can never overwrite a newer one):
//! * [`PgVectorStore`] — a table in the same Postgres (pgvector, HNSW). The
//!   default: nothing else to run; writes are conditional on the version in
//!   the statement itself, and deletes leave tombstones.
//! * [`PineconeStore`] — a Pinecone index over its REST data plane (prod, and
//!   Pinecone Local in compose); writes are made conditional by a write
//!   ledger in Postgres.
//!
//! Layout of the crate, one job per file:
//! * `pgvector` — [`PgVectorStore`].
//! * `pinecone` — [`PineconeStore`]; its submodules hold the wire format,
//!   request splitting, metadata rules, what an error status means, the
//!   write ledger, and the control plane (creating the index).
//! * `settings` — the `VECTOR_STORE` / `PINECONE_*` settings and [`connect`].
//! * `search_documents` — [`SearchDocuments`], the full-text side of the
//!   index: a table in Postgres whatever the vector store, written with the
//!   vectors and under the same version guard.
//!
//! The vector id is the product id written as a decimal string; every vector
//! carries the row version it was computed from.

mod pgvector;
mod pinecone;
mod search_documents;
pub mod settings;

use std::collections::HashMap;
use std::time::Duration;

use rust_decimal::Decimal;

pub use self::pgvector::PgVectorStore;
/// Creating the Pinecone index (`catalogctl setup-pinecone`).
pub use self::pinecone::control as pinecone_control;
pub use self::pinecone::{PineconeSettings, PineconeStore};
pub use self::search_documents::{SearchDocument, SearchDocuments};
pub use self::settings::{VectorStoreKind, VectorStoreSettings, connect};
pub use sync_core::DIMENSION;

/// The largest `top_k` a query accepts, whatever the store (Pinecone's limit;
/// pgvector follows it so that the two behave alike).
pub const MAX_TOP_K: usize = 10_000;

/// One product's vector and the fields search results are filtered and
/// shown by.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorRecord {
    pub product_id: i64,
    /// The row version the vector was computed from.
    pub version: i64,
    /// [`DIMENSION`] finite values, not all zero (cosine needs a direction).
    pub values: Vec<f32>,
    pub metadata: ProductMetadata,
}

/// Product fields stored beside the vector: enough to filter a search and to
/// show a result without a database round trip.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProductMetadata {
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    pub price: Option<Decimal>,
}

/// "This product is deleted as of `version`" (the deleted row's version + 1,
/// as carried by the delete event).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tombstone {
    pub product_id: i64,
    pub version: i64,
}

/// Restrictions on a search; `None` means "any". A product without a price
/// never matches a price bound.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct QueryFilter {
    /// Exact, case-sensitive match.
    pub category: Option<String>,
    /// Inclusive.
    pub min_price: Option<Decimal>,
    /// Inclusive.
    pub max_price: Option<Decimal>,
}

impl QueryFilter {
    pub fn is_empty(&self) -> bool {
        self.category.is_none() && self.min_price.is_none() && self.max_price.is_none()
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub product_id: i64,
    /// The row version the stored vector was computed from.
    pub version: i64,
    /// Cosine similarity to the query vector: higher is better, 1 = same
    /// direction.
    pub score: f32,
    pub metadata: ProductMetadata,
}

/// A vector index of products, kept equal to the `products` table by emu.
///
/// Every method is safe to retry: writes are idempotent (same record twice =
/// same state), so a caller that got a retryable error, or crashed before
/// acknowledging its message, can simply do the same call again.
#[async_trait::async_trait]
pub trait VectorStore: Send + Sync + std::fmt::Debug {
    /// Insert or replace vectors. A record whose version is not newer than
    /// the one last written for its product (vector or delete) is ignored.
    /// If a batch holds one product twice, the higher version wins.
    async fn upsert(&self, records: &[VectorRecord]) -> Result<(), VectorStoreError>;

    /// Remove vectors. Deleting a product that was never indexed is not an
    /// error. The tombstone's version is remembered, so that a late, older
    /// upsert cannot bring the product back.
    async fn delete(&self, tombstones: &[Tombstone]) -> Result<(), VectorStoreError>;

    /// The `top_k` (≤ [`MAX_TOP_K`]) live vectors most similar to `vector`
    /// that pass `filter`, best first. `top_k` = 0 gives an empty list.
    /// The checks are the same for every store; the search is
    /// [`Self::nearest`].
    async fn query(
        &self,
        vector: &[f32],
        top_k: usize,
        filter: &QueryFilter,
    ) -> Result<Vec<Match>, VectorStoreError> {
        validate_top_k(top_k)?;
        validate_vector("query vector", vector)?;
        if top_k == 0 {
            return Ok(Vec::new());
        }
        self.nearest(vector, top_k, filter).await
    }

    /// [`Self::query`] once its arguments are checked: `vector` has
    /// [`DIMENSION`] finite values, not all zero, and `1 ≤ top_k ≤`
    /// [`MAX_TOP_K`].
    async fn nearest(
        &self,
        vector: &[f32],
        top_k: usize,
        filter: &QueryFilter,
    ) -> Result<Vec<Match>, VectorStoreError>;

    /// The stored version of each of `product_ids` that has a live vector;
    /// ids without one (never indexed, or deleted) are absent. The UI shows
    /// "indexed" when this equals the row's version.
    async fn versions(&self, product_ids: &[i64]) -> Result<HashMap<i64, i64>, VectorStoreError>;

    /// The number of live vectors (Pinecone: eventually consistent).
    async fn count(&self) -> Result<u64, VectorStoreError>;

    /// One page of the ids of live vectors, to walk the whole index in
    /// constant memory (`catalogctl verify`). `cursor` is `None` for the
    /// first page, then the previous page's [`IdPage::next`]; at most
    /// `limit` ids per page (a store may return fewer, and caps `limit` at
    /// what its API allows), in the store's own order.
    async fn list_ids(
        &self,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<IdPage, VectorStoreError>;

    /// The live vectors of `product_ids`, values and metadata included;
    /// ids without one (never indexed, or deleted) are absent.
    async fn fetch(&self, product_ids: &[i64]) -> Result<Vec<VectorRecord>, VectorStoreError>;

    /// Readiness: Ok when the store answers and is set up (table migrated,
    /// index reachable with a valid key). One attempt, no retries, so that a
    /// readiness probe reports the state of now.
    async fn ping(&self) -> Result<(), VectorStoreError>;
}

/// A page of [`VectorStore::list_ids`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IdPage {
    pub ids: Vec<i64>,
    /// Where the next page starts; `None` after the last page. Opaque.
    pub next: Option<String>,
}

/// Why a vector store call failed, and whether trying again may help.
#[derive(Debug, thiserror::Error)]
pub enum VectorStoreError {
    /// The caller passed something no store accepts (wrong dimension, a
    /// non-finite value, `top_k` too large). Permanent.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// Missing or inconsistent settings. Permanent: fix the deployment.
    #[error("vector store configuration: {0}")]
    Config(String),
    /// The service refused the request for good (HTTP 4xx other than 408 and
    /// 429: bad request, bad API key, unknown index). Permanent.
    #[error("vector store rejected the request (HTTP {status}): {message}")]
    Rejected { status: u16, message: String },
    /// Throttled (HTTP 429). Retryable, after `retry_after` when given.
    #[error("vector store is throttling requests (HTTP 429): {message}")]
    Throttled {
        retry_after: Option<Duration>,
        message: String,
    },
    /// The service is down, overloaded or unreachable: HTTP 5xx or 408, a
    /// timeout, a refused or broken connection. Retryable.
    #[error("vector store unavailable: {message}")]
    Unavailable {
        status: Option<u16>,
        retry_after: Option<Duration>,
        message: String,
    },
    /// A success status with a body we cannot read (a proxy's error page, a
    /// truncated response). Retryable: nothing says the next answer is bad.
    #[error("unexpected response from the vector store: {0}")]
    Protocol(String),
    /// Postgres failed (pgvector store); retryability depends on the cause.
    #[error("vector store database: {0}")]
    Database(#[from] sqlx::Error),
}

impl VectorStoreError {
    /// Whether the same call may succeed if made again later. Callers (emu)
    /// keep the message for redelivery on a retryable error and dead-letter
    /// it on a permanent one.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::InvalidInput(_) | Self::Config(_) | Self::Rejected { .. } => false,
            Self::Throttled { .. } | Self::Unavailable { .. } | Self::Protocol(_) => true,
            Self::Database(e) => sync_core::db::is_retryable(e),
        }
    }

    /// How long the service asked us to wait (HTTP `Retry-After`), if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Throttled { retry_after, .. } | Self::Unavailable { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }
}

/// The checks every store applies to a vector before sending it anywhere:
/// catching them here gives a clear permanent error instead of a database
/// or HTTP error (and keeps NaN out of JSON, where it would become null).
pub(crate) fn validate_vector(what: &str, values: &[f32]) -> Result<(), VectorStoreError> {
    if values.len() != DIMENSION {
        return Err(VectorStoreError::InvalidInput(format!(
            "{what} has {} values, expected {DIMENSION}",
            values.len()
        )));
    }
    if !values.iter().all(|v| v.is_finite()) {
        return Err(VectorStoreError::InvalidInput(format!(
            "{what} has a non-finite value"
        )));
    }
    if values.iter().all(|v| *v == 0.0) {
        return Err(VectorStoreError::InvalidInput(format!(
            "{what} is all zeros (no cosine similarity)"
        )));
    }
    Ok(())
}

pub(crate) fn validate_top_k(top_k: usize) -> Result<(), VectorStoreError> {
    if top_k > MAX_TOP_K {
        return Err(VectorStoreError::InvalidInput(format!(
            "top_k {top_k} is above the maximum of {MAX_TOP_K}"
        )));
    }
    Ok(())
}

/// Check every record's vector before a write (the whole write is refused
/// if one is bad: emu then isolates the product at fault).
pub(crate) fn validate_records(records: &[VectorRecord]) -> Result<(), VectorStoreError> {
    for record in records {
        validate_vector(
            &format!("vector of product {}", record.product_id),
            &record.values,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn record(product_id: i64, version: i64) -> VectorRecord {
        let mut values = vec![0.0; DIMENSION];
        values[0] = 1.0;
        VectorRecord {
            product_id,
            version,
            values,
            metadata: ProductMetadata::default(),
        }
    }

    #[test]
    fn bad_vectors_are_permanent_errors() {
        let mut short = record(1, 1);
        short.values.pop();
        let mut nan = record(1, 1);
        nan.values[3] = f32::NAN;
        let mut zero = record(1, 1);
        zero.values[0] = 0.0;
        for bad in [short, nan, zero] {
            let err = validate_records(&[bad]).unwrap_err();
            assert!(matches!(err, VectorStoreError::InvalidInput(_)), "{err}");
            assert!(!err.is_retryable());
        }
        assert!(validate_top_k(MAX_TOP_K).is_ok());
        assert!(validate_top_k(MAX_TOP_K + 1).is_err());
    }

    #[test]
    fn retryability_follows_the_cause() {
        let throttled = VectorStoreError::Throttled {
            retry_after: Some(Duration::from_secs(2)),
            message: String::new(),
        };
        assert!(throttled.is_retryable());
        assert_eq!(throttled.retry_after(), Some(Duration::from_secs(2)));
        let rejected = VectorStoreError::Rejected {
            status: 400,
            message: String::new(),
        };
        assert!(!rejected.is_retryable());
        assert!(VectorStoreError::Database(sqlx::Error::PoolTimedOut).is_retryable());
        assert!(!VectorStoreError::Database(sqlx::Error::RowNotFound).is_retryable());
    }
}
