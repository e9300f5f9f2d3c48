//! Result rows kept in memory between searches, and dropped the moment
//! `products` changes.
//!
//! A repeated search (the next page, a shopper going back, a popular query)
//! already reuses its ranking (`result_cache`); without this cache it would
//! still read its page's rows from Postgres, which measured as about 40 % of
//! the CPU of a cache-hit search. The rows must never be shown stale, so
//! the cache is only used while it follows the `products` table:
//! [`follow_product_changes`] LISTENs on the channel every statement on
//! `products` notifies (`outbox_wakeup`, sent at commit), and every
//! notification empties the cache. While that connection is down (at start,
//! after a lost connection) the cache is off and every page reads Postgres,
//! because changes in that gap would go unseen.
//!
//! A generation number closes the one race: a page that read the rows
//! before a change committed but stores them after the notification
//! arrived would keep old rows. Rows are stored only if no notification
//! (and no outage) came between the read's start and the store.
//!
//! What is left: between a commit and the notification reaching this
//! process (well under a millisecond on one network) another replica may
//! still show the old row. Edits made through this process empty the cache
//! themselves ([`RowCache::forget_all`]), so an editor sees their own edit
//! at once.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use lru::LruCache;
use sqlx::PgPool;
use sqlx::postgres::{PgListener, PgPoolOptions};

use super::products::ProductRow;
use sync_core::db::OUTBOX_CHANNEL;
use sync_core::telemetry::Shutdown;

/// Pause between attempts to (re)connect the listener.
const RECONNECT_DELAY: Duration = Duration::from_secs(1);

/// Which state of the table a read started from; see [`RowCache::fill`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Generation(u64);

#[derive(Debug)]
struct State {
    generation: u64,
    /// Whether a listener is following `products` right now.
    live: bool,
    /// `None` = the product does not exist (deleted since it was indexed).
    rows: LruCache<i64, Option<ProductRow>>,
}

/// A bounded LRU map from product id to its current row (or its absence),
/// valid only while [`follow_product_changes`] runs.
#[derive(Debug)]
pub struct RowCache {
    state: Option<Mutex<State>>,
}

impl RowCache {
    /// At most `capacity` rows; 0 disables the cache. Off until a listener
    /// is following the table.
    pub fn new(capacity: usize) -> Self {
        Self {
            state: NonZeroUsize::new(capacity).map(|capacity| {
                Mutex::new(State {
                    generation: 0,
                    live: false,
                    rows: LruCache::new(capacity),
                })
            }),
        }
    }

    fn with_state<T>(&self, f: impl FnOnce(&mut State) -> T) -> Option<T> {
        let state = self.state.as_ref()?;
        Some(f(&mut state.lock().unwrap_or_else(PoisonError::into_inner)))
    }

    /// The rows of `ids` if every one of them is known, plus the
    /// generation a read from Postgres would start from.
    pub(super) fn get_all(
        &self,
        ids: &[i64],
    ) -> (Option<HashMap<i64, ProductRow>>, Option<Generation>) {
        let found = self.with_state(|state| {
            if !state.live {
                return (None, None);
            }
            let generation = Some(Generation(state.generation));
            let mut rows = HashMap::with_capacity(ids.len());
            for id in ids {
                match state.rows.get(id) {
                    Some(Some(row)) => {
                        rows.insert(*id, row.clone());
                    }
                    Some(None) => {}
                    None => return (None, generation),
                }
            }
            (Some(rows), generation)
        });
        let (rows, generation) = found.unwrap_or((None, None));
        if generation.is_some() {
            let result = if rows.is_some() { "hit" } else { "miss" };
            metrics::counter!("search_row_cache_total", "result" => result).increment(1);
        }
        (rows, generation)
    }

    /// Remember the rows of `ids` read from Postgres (an id without a row
    /// is remembered as gone), unless the table changed since `generation`.
    pub(super) fn fill(
        &self,
        generation: Option<Generation>,
        ids: &[i64],
        rows: &HashMap<i64, ProductRow>,
    ) {
        let Some(Generation(read_from)) = generation else {
            return;
        };
        self.with_state(|state| {
            if state.live && state.generation == read_from {
                for id in ids {
                    state.rows.put(*id, rows.get(id).cloned());
                }
            }
        });
    }

    /// Whether rows are being served: a listener follows `products`.
    pub fn is_following(&self) -> bool {
        self.with_state(|state| state.live).unwrap_or(false)
    }

    /// `products` changed: drop every row, and every read in flight.
    pub fn forget_all(&self) {
        self.with_state(|state| {
            state.generation += 1;
            state.rows.clear();
        });
    }

    fn set_live(&self, live: bool) {
        self.with_state(|state| {
            state.generation += 1;
            state.rows.clear();
            state.live = live;
        });
    }
}

/// Keep `cache` in step with `products` until `shutdown`: LISTEN for the
/// change notification and empty the cache on each; switch the cache off
/// whenever the connection is down and on again once it listens. Connects
/// with `pool`'s options, on a connection of its own.
pub async fn follow_product_changes(pool: PgPool, cache: Arc<RowCache>, shutdown: Shutdown) {
    if cache.state.is_none() {
        return;
    }
    // A listener keeps its connection for as long as it listens: taken
    // from the searches' pool it would shrink it by one (and starve a pool
    // of one).
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect_lazy_with((*pool.connect_options()).clone());
    while !shutdown.is_triggered() {
        let listening = tokio::select! {
            listening = listen(&pool) => listening,
            () = shutdown.triggered() => break,
        };
        match listening {
            Ok(mut listener) => {
                cache.set_live(true);
                tracing::debug!("search row cache: following product changes");
                loop {
                    tokio::select! {
                        received = listener.try_recv() => match received {
                            Ok(Some(_)) => cache.forget_all(),
                            // `None`: the connection was lost; changes
                            // until the next LISTEN would go unseen.
                            Ok(None) => {
                                tracing::warn!("search row cache: LISTEN connection lost; cache off until it is back");
                                break;
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "search row cache: LISTEN failed; cache off until it is back");
                                break;
                            }
                        },
                        () = shutdown.triggered() => break,
                    }
                }
                cache.set_live(false);
            }
            Err(e) => {
                tracing::warn!(error = %e, "search row cache: cannot LISTEN for product changes; cache off");
            }
        }
        tokio::select! {
            () = tokio::time::sleep(RECONNECT_DELAY) => {}
            () = shutdown.triggered() => break,
        }
    }
    pool.close().await;
}

async fn listen(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(OUTBOX_CHANNEL).await?;
    Ok(listener)
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn row(id: i64, name: &str) -> ProductRow {
        ProductRow {
            id,
            sku: format!("SKU-{id}"),
            name: name.into(),
            category: None,
            price: None,
            description: String::new(),
            version: 1,
            created_at: Utc::now(),
        }
    }

    fn rows(list: &[ProductRow]) -> HashMap<i64, ProductRow> {
        list.iter().map(|r| (r.id, r.clone())).collect()
    }

    fn live_cache() -> RowCache {
        let cache = RowCache::new(16);
        cache.set_live(true);
        cache
    }

    #[test]
    fn rows_and_absences_are_served_once_every_id_is_known() {
        let cache = live_cache();
        let (found, generation) = cache.get_all(&[1, 2]);
        assert!(found.is_none());
        cache.fill(generation, &[1, 2], &rows(&[row(1, "kettle")]));
        let (found, _) = cache.get_all(&[1, 2]);
        let found = found.expect("both ids known");
        assert_eq!(found[&1].name, "kettle");
        assert!(!found.contains_key(&2), "2 is known to be gone");
        assert!(cache.get_all(&[1, 3]).0.is_none(), "3 was never read");
    }

    #[test]
    fn a_change_drops_the_rows_and_any_read_started_before_it() {
        let cache = live_cache();
        let (_, before) = cache.get_all(&[1]);
        cache.forget_all();
        // A read that started before the change must not store old rows.
        cache.fill(before, &[1], &rows(&[row(1, "old")]));
        assert!(cache.get_all(&[1]).0.is_none());

        let (_, after) = cache.get_all(&[1]);
        cache.fill(after, &[1], &rows(&[row(1, "new")]));
        assert_eq!(cache.get_all(&[1]).0.expect("cached")[&1].name, "new");
        cache.forget_all();
        assert!(cache.get_all(&[1]).0.is_none());
    }

    #[test]
    fn without_a_listener_nothing_is_cached() {
        let cache = RowCache::new(16);
        let (found, generation) = cache.get_all(&[1]);
        assert!(found.is_none() && generation.is_none());
        cache.fill(Some(Generation(0)), &[1], &rows(&[row(1, "kettle")]));
        assert!(cache.get_all(&[1]).0.is_none());

        let cache = live_cache();
        let (_, generation) = cache.get_all(&[1]);
        cache.set_live(false);
        cache.fill(generation, &[1], &rows(&[row(1, "kettle")]));
        cache.set_live(true);
        assert!(
            cache.get_all(&[1]).0.is_none(),
            "an outage drops everything"
        );
    }

    #[test]
    fn a_zero_capacity_disables_the_cache() {
        let cache = RowCache::new(0);
        cache.set_live(true);
        let (_, generation) = cache.get_all(&[1]);
        assert!(generation.is_none());
    }
}
