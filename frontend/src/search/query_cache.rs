//! Query embeddings, cached: the same query typed again (search-as-you-type
//! re-sends it, pagination re-asks it) costs a map lookup instead of a
//! forward pass of the model. A query has two vectors (framed and as
//! typed, see `ranking`), embedded in one model call.

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

/// The two embeddings of one query.
#[derive(Debug)]
pub(super) struct QueryVectors {
    /// The query in the ranking's template: finds the window.
    pub framed: Vec<f32>,
    /// The query as typed: scores the distinct best match.
    pub typed: Vec<f32>,
}

/// A bounded LRU map from normalised query to its embeddings. A capacity
/// of 0 disables caching.
#[derive(Debug)]
pub(super) struct QueryCache {
    entries: Option<Mutex<LruCache<String, Arc<QueryVectors>>>>,
}

impl QueryCache {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            entries: NonZeroUsize::new(capacity).map(|c| Mutex::new(LruCache::new(c))),
        }
    }

    /// The embeddings of `key` (a [`normalise`]d query) framed as
    /// `framed_text` and as typed: from the cache, or computed and
    /// remembered. Two concurrent misses of one key both embed; the lock is
    /// never held across the model call.
    pub(super) async fn vectors(
        &self,
        embedder: &dyn Embedder,
        key: &str,
        framed_text: String,
    ) -> Result<Arc<QueryVectors>, EmbedError> {
        if let Some(hit) = self.get(key) {
            metrics::counter!("search_query_cache_total", "result" => "hit").increment(1);
            return Ok(hit);
        }
        metrics::counter!("search_query_cache_total", "result" => "miss").increment(1);
        let same = framed_text == key;
        let texts = if same {
            vec![framed_text]
        } else {
            vec![framed_text, key.to_owned()]
        };
        let mut vectors = embedder.embed(&texts).await?.into_iter();
        let missing = || EmbedError::Inference("the embedder returned too few vectors".into());
        let framed = vectors.next().ok_or_else(missing)?;
        let typed = if same {
            framed.clone()
        } else {
            vectors.next().ok_or_else(missing)?
        };
        let entry = Arc::new(QueryVectors { framed, typed });
        if let Some(entries) = &self.entries {
            entries
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .put(key.to_owned(), Arc::clone(&entry));
        }
        Ok(entry)
    }

    fn get(&self, key: &str) -> Option<Arc<QueryVectors>> {
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
