//! Ranked windows, cached for a short time: the same search asked again
//! (the next page, a shopper going back, a popular query from many
//! shoppers) reuses the ranking instead of re-running the nearest-neighbour
//! and full-text queries and the fusion.
//!
//! Only the *order* is cached: the rows shown are always current (read
//! from Postgres, or from `row_cache`, which follows every change), so an
//! edited name or price, a deleted product or a product that no longer
//! passes the filter is never shown stale. What may be up to one TTL old is
//! the position of a product whose text changed; a TTL of zero disables
//! the cache.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use lru::LruCache;

use vector_store::QueryFilter;

/// One product of a cached ranking and its cosine similarity to the query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct RankedId {
    pub product_id: i64,
    pub score: Option<f32>,
}

/// A search's ranked window and when it was computed.
#[derive(Debug)]
pub(super) struct RankedWindow {
    pub ranked: Vec<RankedId>,
    computed_at: Instant,
}

impl RankedWindow {
    pub(super) fn new(ranked: Vec<RankedId>) -> Self {
        Self {
            ranked,
            computed_at: Instant::now(),
        }
    }
}

type Key = (String, QueryFilter);

/// A bounded LRU map from (normalised query, filter) to its ranked window,
/// each entry valid for `ttl`.
#[derive(Debug)]
pub(super) struct ResultCache {
    ttl: Duration,
    entries: Option<Mutex<LruCache<Key, Arc<RankedWindow>>>>,
}

impl ResultCache {
    pub(super) fn new(capacity: usize, ttl: Duration) -> Self {
        let enabled = !ttl.is_zero();
        Self {
            ttl,
            entries: NonZeroUsize::new(capacity)
                .filter(|_| enabled)
                .map(|c| Mutex::new(LruCache::new(c))),
        }
    }

    /// The window of `query` + `filter` if it was computed less than one
    /// TTL ago.
    pub(super) fn get(&self, query: &str, filter: &QueryFilter) -> Option<Arc<RankedWindow>> {
        let entries = self.entries.as_ref()?;
        let mut entries = entries.lock().unwrap_or_else(PoisonError::into_inner);
        // The key is built only when the cache is on; a lookup costs one
        // short string copy next to a network round trip it saves.
        let key = (query.to_owned(), filter.clone());
        let fresh = match entries.get(&key) {
            Some(window) if window.computed_at.elapsed() < self.ttl => Some(Arc::clone(window)),
            Some(_) => {
                entries.pop(&key);
                None
            }
            None => None,
        };
        let result = if fresh.is_some() { "hit" } else { "miss" };
        metrics::counter!("search_result_cache_total", "result" => result).increment(1);
        fresh
    }

    pub(super) fn put(&self, query: &str, filter: &QueryFilter, window: Arc<RankedWindow>) {
        if let Some(entries) = &self.entries {
            entries
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .put((query.to_owned(), filter.clone()), window);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(ids: &[i64]) -> Arc<RankedWindow> {
        Arc::new(RankedWindow::new(
            ids.iter()
                .map(|&product_id| RankedId {
                    product_id,
                    score: Some(0.5),
                })
                .collect(),
        ))
    }

    #[test]
    fn a_fresh_window_is_returned_for_the_same_query_and_filter_only() {
        let cache = ResultCache::new(8, Duration::from_secs(60));
        let any = QueryFilter::default();
        let shoes = QueryFilter {
            category: Some("Shoes".into()),
            ..QueryFilter::default()
        };
        cache.put("running", &any, window(&[1, 2]));
        let hit = cache.get("running", &any).expect("cached");
        assert_eq!(hit.ranked.len(), 2);
        assert!(cache.get("running", &shoes).is_none());
        assert!(cache.get("walking", &any).is_none());
    }

    #[test]
    fn an_expired_window_is_dropped() {
        let cache = ResultCache::new(8, Duration::from_millis(1));
        let any = QueryFilter::default();
        cache.put("running", &any, window(&[1]));
        std::thread::sleep(Duration::from_millis(5));
        assert!(cache.get("running", &any).is_none());
    }

    #[test]
    fn a_zero_ttl_or_capacity_disables_the_cache() {
        let any = QueryFilter::default();
        for cache in [
            ResultCache::new(8, Duration::ZERO),
            ResultCache::new(0, Duration::from_secs(60)),
        ] {
            cache.put("running", &any, window(&[1]));
            assert!(cache.get("running", &any).is_none());
        }
    }
}
