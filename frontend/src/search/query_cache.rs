//! Query embeddings, cached: the same query typed again (search-as-you-type
//! re-sends it, pagination re-asks it) costs a map lookup instead of a
//! forward pass of the model.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};

use lru::LruCache;

use embedding::{EmbedError, Embedder};

/// The key a query is cached and compared under: trimmed, lowercased,
/// whitespace runs collapsed to one space. all-MiniLM-L6-v2's tokenizer
/// lowercases and splits on whitespace itself, so two queries with the
/// same key get the same vector.
pub fn normalise(query: &str) -> String {
    query
        .split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A bounded LRU map from normalised query to its embedding. A capacity of
/// 0 disables caching.
#[derive(Debug)]
pub(super) struct QueryCache {
    entries: Option<Mutex<LruCache<String, Arc<[f32]>>>>,
}

impl QueryCache {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            entries: NonZeroUsize::new(capacity).map(|c| Mutex::new(LruCache::new(c))),
        }
    }

    /// The embedding of `key` (a [`normalise`]d query): from the cache, or
    /// computed and remembered. Two concurrent misses of one key both
    /// embed; the lock is never held across the model call.
    pub(super) async fn embedding(
        &self,
        embedder: &dyn Embedder,
        key: &str,
    ) -> Result<Arc<[f32]>, EmbedError> {
        if let Some(hit) = self.get(key) {
            metrics::counter!("search_query_cache_total", "result" => "hit").increment(1);
            return Ok(hit);
        }
        metrics::counter!("search_query_cache_total", "result" => "miss").increment(1);
        let mut vectors = embedder.embed(&[key.to_owned()]).await?;
        let vector: Arc<[f32]> = vectors
            .pop()
            .ok_or_else(|| EmbedError::Inference("the embedder returned no vector".into()))?
            .into();
        if let Some(entries) = &self.entries {
            entries
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .put(key.to_owned(), Arc::clone(&vector));
        }
        Ok(vector)
    }

    fn get(&self, key: &str) -> Option<Arc<[f32]>> {
        let entries = self.entries.as_ref()?;
        entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn normalising_trims_lowercases_and_collapses_whitespace() {
        assert_eq!(
            normalise("  Warm\tSOCKS \n for  winter "),
            "warm socks for winter"
        );
        assert_eq!(normalise(" \t "), "");
        assert_eq!(normalise("Crème Brûlée"), "crème brûlée");
    }
}
