//! Product search: what the frontend's search page and JSON API call.
//!
//! A request with an empty query browses the newest products. Any other
//! query is embedded (through a bounded LRU cache of query vectors) and
//! ranked over a fixed candidate window of at most [`MAX_RESULT_WINDOW`]
//! products; a page is a slice of that window, so page 2 continues page 1
//! with no duplicate and no gap. The filters of the request apply to every
//! path. Results are the current rows of `products` in ranked order; a
//! product deleted since it was indexed is dropped.
//!
//! Layout of the module, one job per file:
//! * `query_cache` — query normalisation and the embedding cache.
//! * `result_cache` — ranked windows reused for a short TTL.
//! * `row_cache` — result rows kept while a LISTEN follows `products`.
//! * `products` — reading result rows (browse, rows by id).
//! * `lexical` — exact SKU/name and full-text matches from Postgres.
//! * `ranking` — ordering the window: exact matches, category vote, fusion,
//!   pins.
//! * `crowding` — how crowded each candidate's neighbourhood in the window
//!   is (for the ranking's distinct best match).

mod crowding;
mod lexical;
mod products;
mod query_cache;
mod ranking;
mod result_cache;
mod row_cache;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::PgPool;

use self::products::ProductRow;
use self::query_cache::QueryCache;
pub use self::query_cache::normalise;
use self::ranking::Candidate;
pub use self::ranking::RankingWeights;
use self::result_cache::{RankedId, RankedWindow, ResultCache};
pub use self::row_cache::{RowCache, follow_product_changes};
use embedding::{EmbedError, Embedder};
use vector_store::{MAX_TOP_K, Match, QueryFilter, VectorStore, VectorStoreError};

/// The longest query accepted, in characters (the model reads at most 256
/// tokens anyway; anything longer is not a search).
pub const MAX_QUERY_CHARS: usize = 512;

/// `offset + limit` of a request may not exceed this: it is the size of the
/// ranked candidate window pages are cut from (deeper pages of a semantic
/// ranking are noise, and a fixed window keeps pages consistent).
pub const MAX_RESULT_WINDOW: usize = 200;

/// Tuning of a [`Searcher`].
#[derive(Debug, Clone)]
pub struct SearchOptions {
    /// Query embeddings kept (LRU); 0 disables the cache.
    pub cache_capacity: usize,
    /// How long a ranked window is reused for the same query and filter
    /// (rows are always current; see `result_cache` and `row_cache`).
    /// Zero disables it.
    pub result_ttl: Duration,
    /// Ranked windows kept (LRU).
    pub result_capacity: usize,
    /// Result rows kept (LRU) while [`follow_product_changes`] runs for
    /// [`Searcher::row_cache`]; 0 disables it.
    pub row_cache_capacity: usize,
    /// How the window is ordered (see `ranking`). The defaults were chosen
    /// with `make eval` (docs/search-quality.md).
    pub ranking: RankingWeights,
}

impl Default for SearchOptions {
    fn default() -> Self {
        Self {
            cache_capacity: 10_000,
            result_ttl: Duration::ZERO,
            result_capacity: 1_000,
            row_cache_capacity: 10_000,
            ranking: RankingWeights::default(),
        }
    }
}

/// One page of a search.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// Free text, a SKU or a product name; empty (or blank) = browse.
    pub query: String,
    pub filter: QueryFilter,
    /// Results to skip; `offset + limit ≤ MAX_RESULT_WINDOW`.
    pub offset: usize,
    /// Results wanted, at least 1.
    pub limit: usize,
}

#[derive(Debug, Clone)]
pub struct SearchPage {
    /// In ranked order (browsing: newest first).
    pub hits: Vec<SearchHit>,
    /// Whether a next page has at least one result.
    pub has_more: bool,
}

#[derive(Debug, Clone)]
pub struct SearchHit {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    pub price: Option<Decimal>,
    pub description: String,
    /// Cosine similarity of the query to the product's vector; `None` when
    /// browsing.
    pub score: Option<f32>,
    /// The row's current version (compare with the vector's for "indexed").
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

/// Why a search failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("embedding the query: {0}")]
    Embed(#[from] EmbedError),
    #[error("querying the vector store: {0}")]
    Store(#[from] VectorStoreError),
    #[error("reading products: {0}")]
    Database(#[from] sqlx::Error),
    /// The request itself is wrong (HTTP 4xx); the message says how.
    #[error("invalid search request: {0}")]
    InvalidRequest(String),
}

impl SearchError {
    /// Whether the same search may succeed if tried again later (a
    /// dependency was unavailable) rather than being wrong or broken.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Embed(e) => e.is_retryable(),
            Self::Store(e) => e.is_retryable(),
            Self::Database(e) => sync_core::db::is_retryable(e),
            Self::InvalidRequest(_) => false,
        }
    }
}

/// Searches products. Cheap to clone (shared state behind `Arc`s).
#[derive(Clone)]
pub struct Searcher {
    pool: PgPool,
    store: Arc<dyn VectorStore>,
    embedder: Arc<dyn Embedder>,
    cache: Arc<QueryCache>,
    results: Arc<ResultCache>,
    rows: Arc<RowCache>,
    options: Arc<SearchOptions>,
}

impl std::fmt::Debug for Searcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Searcher")
            .field("store", &self.store)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Searcher {
    pub fn new(
        pool: PgPool,
        store: Arc<dyn VectorStore>,
        embedder: Arc<dyn Embedder>,
        options: SearchOptions,
    ) -> Self {
        Self {
            pool,
            store,
            embedder,
            cache: Arc::new(QueryCache::new(options.cache_capacity)),
            results: Arc::new(ResultCache::new(
                options.result_capacity,
                options.result_ttl,
            )),
            rows: Arc::new(RowCache::new(options.row_cache_capacity)),
            options: Arc::new(options),
        }
    }

    /// The cache of result rows: it serves rows only while
    /// [`follow_product_changes`] runs for it, and a writer in this process
    /// calls [`RowCache::forget_all`] after a change.
    pub fn row_cache(&self) -> Arc<RowCache> {
        Arc::clone(&self.rows)
    }

    pub async fn search(&self, request: &SearchRequest) -> Result<SearchPage, SearchError> {
        validate(request)?;
        let query = normalise(&request.query);
        if query.is_empty() {
            return self.browse(request).await;
        }
        let window = match self.results.get(&query, &request.filter) {
            Some(window) => window,
            None => {
                let window = Arc::new(RankedWindow::new(self.rank(&query, &request.filter).await?));
                self.results
                    .put(&query, &request.filter, Arc::clone(&window));
                window
            }
        };
        self.page_of(&window, request).await
    }

    /// A page of a ranking, with the rows as they are now (from `row_cache`
    /// or Postgres): only the page's rows are read, and a product deleted
    /// since it was indexed, or edited out of the filter (the store filters
    /// on the metadata indexed with the vector, which lags an edit), is
    /// left out.
    async fn page_of(
        &self,
        window: &RankedWindow,
        request: &SearchRequest,
    ) -> Result<SearchPage, SearchError> {
        let end = request.offset + request.limit;
        let page = window
            .ranked
            .get(request.offset..end.min(window.ranked.len()))
            .unwrap_or_default();
        let ids: Vec<i64> = page.iter().map(|r| r.product_id).collect();
        let mut rows = match self.rows.get_all(&ids) {
            (Some(rows), _) => rows,
            (None, generation) => {
                let rows = products::by_ids(&self.pool, &ids).await?;
                self.rows.fill(generation, &ids, &rows);
                rows
            }
        };
        let hits = page
            .iter()
            .filter_map(|r| {
                let row = rows.remove(&r.product_id)?;
                row.passes(&request.filter).then(|| hit(row, r.score))
            })
            .collect();
        Ok(SearchPage {
            hits,
            has_more: window.ranked.len() > end,
        })
    }

    /// Newest products first; one row more than asked tells whether there
    /// is a next page.
    async fn browse(&self, request: &SearchRequest) -> Result<SearchPage, SearchError> {
        let mut rows = products::newest(
            &self.pool,
            &request.filter,
            request.offset,
            request.limit + 1,
        )
        .await?;
        let has_more = rows.len() > request.limit;
        rows.truncate(request.limit);
        let hits = rows.into_iter().map(|row| hit(row, None)).collect();
        Ok(SearchPage { hits, has_more })
    }

    /// The whole candidate window of `query`, best first: the nearest
    /// vectors and the lexical matches, ordered by `ranking`. Ids and
    /// scores only; `page_of` reads the rows.
    async fn rank(&self, query: &str, filter: &QueryFilter) -> Result<Vec<RankedId>, SearchError> {
        // The lexical query needs no vector, so it runs while the query is
        // embedded (the longest step of a miss) instead of after it.
        let dense = async {
            let framed_text = self.options.ranking.embedding_text(query);
            let vectors = self
                .cache
                .vectors(self.embedder.as_ref(), query, framed_text)
                .await?;
            let nearest = self.live_nearest(&vectors.framed, filter).await?;
            Ok::<_, SearchError>((vectors, nearest))
        };
        let (dense, lexical) = tokio::join!(
            dense,
            lexical::matches(&self.pool, query, filter, MAX_RESULT_WINDOW),
        );
        let ((vectors, nearest), lexical) = (dense?, lexical?);

        let mut candidates: HashMap<i64, Candidate> = nearest
            .into_iter()
            .map(|m| {
                let candidate = Candidate {
                    product_id: m.product_id,
                    category: m.metadata.category,
                    cosine: Some(m.score),
                    lexical: None,
                    distinct: None,
                };
                (m.product_id, candidate)
            })
            .collect();
        for (rank, m) in lexical.into_iter().enumerate() {
            candidates
                .entry(m.product_id)
                .or_insert_with(|| Candidate {
                    product_id: m.product_id,
                    category: None,
                    cosine: None,
                    lexical: None,
                    distinct: None,
                })
                .lexical = Some((rank, m.exactness));
        }
        // The window's vectors: lexical matches beyond the vector window
        // get their cosine and category from them, and every candidate its
        // distinct score (ranking step 7).
        let ids: Vec<i64> = candidates.keys().copied().collect();
        let records = self.store.fetch(&ids).await?;
        let window_vectors: Vec<&[f32]> = records.iter().map(|r| r.values.as_slice()).collect();
        let crowding =
            crowding::crowding(&window_vectors, self.options.ranking.crowding_neighbours);
        for (record, crowding) in records.iter().zip(crowding) {
            if let Some(c) = candidates.get_mut(&record.product_id) {
                if c.cosine.is_none() {
                    c.cosine = Some(embedding::dot(&vectors.framed, &record.values));
                    c.category = record.metadata.category.clone();
                }
                c.distinct = Some(
                    embedding::dot(&vectors.typed, &record.values)
                        - self.options.ranking.crowding_weight * crowding,
                );
            }
        }

        let ordered = ranking::order(candidates.into_values().collect(), &self.options.ranking);
        Ok(ordered
            .into_iter()
            .take(MAX_RESULT_WINDOW)
            .map(|c| RankedId {
                product_id: c.product_id,
                score: c.cosine,
            })
            .collect())
    }
}

impl Searcher {
    /// The nearest vectors whose product exists and passes `filter` now.
    ///
    /// The store lags the table: a deleted product's vector stays until emu
    /// has removed it (after a bulk delete of many rows, minutes), and a
    /// product edited out of a filter keeps its old metadata until it is
    /// re-indexed. Left in, such matches fill the window and the page read
    /// drops them: search would show nothing although live products match.
    /// So they are dropped here, and while fewer than half the window is
    /// left the store is asked again for four times as many (up to
    /// [`MAX_TOP_K`]), until the window is full enough or the store has no
    /// more.
    async fn live_nearest(
        &self,
        vector: &[f32],
        filter: &QueryFilter,
    ) -> Result<Vec<Match>, SearchError> {
        let mut top_k = MAX_RESULT_WINDOW;
        loop {
            let matches = self.store.query(vector, top_k, filter).await?;
            let exhausted = matches.len() < top_k;
            let ids: Vec<i64> = matches.iter().map(|m| m.product_id).collect();
            let live = products::live_ids(&self.pool, &ids, filter).await?;
            let mut kept: Vec<Match> = matches
                .into_iter()
                .filter(|m| live.contains(&m.product_id))
                .collect();
            if kept.len() * 2 >= MAX_RESULT_WINDOW || exhausted || top_k >= MAX_TOP_K {
                kept.truncate(MAX_RESULT_WINDOW);
                return Ok(kept);
            }
            metrics::counter!("search_window_widened_total").increment(1);
            top_k = (top_k * 4).min(MAX_TOP_K);
        }
    }
}

fn validate(request: &SearchRequest) -> Result<(), SearchError> {
    let chars = request.query.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(SearchError::InvalidRequest(format!(
            "the query has {chars} characters, at most {MAX_QUERY_CHARS} are allowed"
        )));
    }
    if request.limit == 0 {
        return Err(SearchError::InvalidRequest(
            "limit must be at least 1".into(),
        ));
    }
    if request.offset.saturating_add(request.limit) > MAX_RESULT_WINDOW {
        return Err(SearchError::InvalidRequest(format!(
            "offset + limit may not exceed {MAX_RESULT_WINDOW}"
        )));
    }
    Ok(())
}

fn hit(row: ProductRow, score: Option<f32>) -> SearchHit {
    SearchHit {
        product_id: row.id,
        sku: row.sku,
        name: row.name,
        category: row.category,
        price: row.price,
        description: row.description,
        score,
        version: row.version,
        created_at: row.created_at,
    }
}
