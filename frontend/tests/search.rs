//! `frontend::search` against a real database (fresh per test), vectors
//! written through `PgVectorStore` and embedded by the real model from
//! MODEL_DIR (`make test` fetches it).
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use embedding::{EmbedError, Embedder, LocalEmbedder};
use frontend::search::{SearchError, SearchOptions, SearchPage, SearchRequest, Searcher};
use rust_decimal::Decimal;
use sqlx::PgPool;
use testkit::TestDatabase;
use vector_store::{PgVectorStore, QueryFilter, VectorStore};

/// (sku, name, category, price, description); inserted in this order, one
/// minute apart, the last one newest.
const CATALOG: &[(&str, &str, &str, &str, &str)] = &[
    (
        "KT-1001",
        "Ferro Cast Iron Skillet",
        "Kitchen",
        "34.99",
        "Pre-seasoned pan for searing steaks and frying eggs on the stove.",
    ),
    (
        "KT-1002",
        "Kaizen Chef Knife",
        "Kitchen",
        "59.99",
        "High-carbon steel blade that slices vegetables and meat cleanly.",
    ),
    (
        "KT-1003",
        "Brewline Travel Mug",
        "Kitchen",
        "24.95",
        "Insulated tumbler that keeps coffee hot for six hours.",
    ),
    (
        "KT-1004",
        "Polar Stand Mixer",
        "Kitchen",
        "229.00",
        "Tilt-head mixer with a dough hook for bread and cookie batter.",
    ),
    (
        "GD-2001",
        "Greenline Garden Hose 50 ft",
        "Garden",
        "39.00",
        "Kink-free hose with a spray nozzle for watering flower beds.",
    ),
    (
        "GD-2002",
        "Sharpcut Pruning Shears",
        "Garden",
        "19.50",
        "Bypass secateurs for trimming roses and small branches.",
    ),
    (
        "GD-2003",
        "Mowmaster Push Lawn Mower",
        "Garden",
        "189.00",
        "Quiet reel mower that keeps a small lawn neatly trimmed.",
    ),
    (
        "GD-2004",
        "Sprout Seed Starter Kit",
        "Garden",
        "24.95",
        "Trays and domes to germinate tomato and herb seedlings indoors.",
    ),
    (
        "EL-3001",
        "Pulse Wireless Earbuds",
        "Electronics",
        "79.00",
        "Bluetooth earbuds with noise cancelling and a charging case.",
    ),
    (
        "EL-3002",
        "Volt USB-C Charger 65W",
        "Electronics",
        "29.99",
        "Compact wall charger that powers a laptop and a phone at once.",
    ),
    (
        "EL-3003",
        "Boom Bluetooth Speaker",
        "Electronics",
        "49.00",
        "Waterproof portable speaker with twelve hours of music.",
    ),
    (
        "EL-3004",
        "Tempo Smart Watch",
        "Electronics",
        "149.00",
        "Fitness tracker watch with heart-rate monitor and GPS.",
    ),
];

/// The real embedder, counting how often it is asked (to see the cache).
#[derive(Debug)]
struct CountingEmbedder {
    inner: LocalEmbedder,
    calls: AtomicUsize,
}

#[async_trait::async_trait]
impl Embedder for CountingEmbedder {
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.embed(texts).await
    }
}

struct Fixture {
    _db: TestDatabase,
    pool: PgPool,
    store: Arc<PgVectorStore>,
    embedder: Arc<CountingEmbedder>,
    searcher: Searcher,
}

/// A fresh database with CATALOG inserted and indexed.
async fn fixture() -> Fixture {
    let db = TestDatabase::create().await;
    let pool = db.pool.clone();
    let embedder = Arc::new(CountingEmbedder {
        inner: LocalEmbedder::load(&testkit::model_dir(), Default::default()).unwrap(),
        calls: AtomicUsize::new(0),
    });
    let store = Arc::new(PgVectorStore::new(pool.clone()));
    let n = CATALOG.len() as i32;
    for (i, (sku, name, category, price, description)) in CATALOG.iter().enumerate() {
        sqlx::query(
            "INSERT INTO products (sku, name, category, price, description, created_at)
             VALUES ($1, $2, $3, $4::numeric, $5, now() - make_interval(mins => $6))",
        )
        .bind(sku)
        .bind(name)
        .bind(category)
        .bind(price)
        .bind(description)
        .bind(n - i as i32)
        .execute(&pool)
        .await
        .unwrap();
    }
    common::index_all(&pool, store.as_ref(), &embedder.inner).await;
    let searcher = Searcher::new(
        pool.clone(),
        store.clone(),
        embedder.clone(),
        SearchOptions::default(),
    );
    embedder.calls.store(0, Ordering::SeqCst);
    Fixture {
        _db: db,
        pool,
        store,
        embedder,
        searcher,
    }
}

impl Fixture {
    /// Another searcher over the fixture's data, with caches kept for a
    /// minute (and `row_cache_capacity` rows).
    fn caching_searcher(&self, row_cache_capacity: usize) -> Searcher {
        Searcher::new(
            self.pool.clone(),
            self.store.clone(),
            self.embedder.clone(),
            SearchOptions {
                result_ttl: std::time::Duration::from_secs(60),
                row_cache_capacity,
                ..SearchOptions::default()
            },
        )
    }
}

fn request(query: &str, offset: usize, limit: usize) -> SearchRequest {
    SearchRequest {
        query: query.into(),
        filter: QueryFilter::default(),
        offset,
        limit,
    }
}

fn skus(page: &SearchPage) -> Vec<&str> {
    page.hits.iter().map(|h| h.sku.as_str()).collect()
}

fn price(text: &str) -> Decimal {
    text.parse().unwrap()
}

#[tokio::test]
async fn pages_continue_the_ranking_without_gaps_or_duplicates() {
    let f = fixture().await;
    let query = "something to cook dinner with";
    let whole = f.searcher.search(&request(query, 0, 12)).await.unwrap();
    assert_eq!(whole.hits.len(), CATALOG.len());
    assert!(!whole.has_more);
    assert!(whole.hits.iter().all(|h| h.score.is_some()));

    let mut paged = Vec::new();
    for offset in [0, 5, 10] {
        let page = f.searcher.search(&request(query, offset, 5)).await.unwrap();
        assert_eq!(page.has_more, offset + 5 < CATALOG.len(), "offset {offset}");
        paged.extend(page.hits.into_iter().map(|h| h.sku));
    }
    assert_eq!(paged, skus(&whole));
    // The same ranking every time.
    let again = f.searcher.search(&request(query, 0, 12)).await.unwrap();
    assert_eq!(skus(&again), skus(&whole));
    // Semantic: the kitchen comes first.
    assert!(
        whole.hits[..3]
            .iter()
            .all(|h| h.category.as_deref() == Some("Kitchen")),
        "{:?}",
        skus(&whole)
    );
}

#[tokio::test]
async fn sku_and_exact_name_lookups_come_first() {
    let f = fixture().await;
    for (sku, name, ..) in CATALOG {
        let by_sku = f
            .searcher
            .search(&request(&format!("  {} ", sku.to_lowercase()), 0, 3))
            .await
            .unwrap();
        assert_eq!(by_sku.hits[0].sku, *sku, "SKU lookup {sku}");
        assert!(
            by_sku.hits[0].score.is_some(),
            "a lookup shows its cosine too"
        );
        let by_name = f
            .searcher
            .search(&request(&name.to_uppercase(), 0, 3))
            .await
            .unwrap();
        assert_eq!(by_name.hits[0].sku, *sku, "name lookup {name}");
    }
}

#[tokio::test]
async fn filters_apply_on_every_path() {
    let f = fixture().await;
    let garden = QueryFilter {
        category: Some("Garden".into()),
        ..QueryFilter::default()
    };
    // Semantic query.
    let mut r = request("something to cook dinner with", 0, 20);
    r.filter = garden.clone();
    let page = f.searcher.search(&r).await.unwrap();
    assert_eq!(page.hits.len(), 4);
    assert!(
        page.hits
            .iter()
            .all(|h| h.category.as_deref() == Some("Garden"))
    );
    // Exact lookups of a product outside the filter find nothing of it.
    for lookup in ["KT-1001", "Ferro Cast Iron Skillet"] {
        let mut r = request(lookup, 0, 20);
        r.filter = garden.clone();
        let page = f.searcher.search(&r).await.unwrap();
        assert!(
            !skus(&page).contains(&"KT-1001"),
            "{lookup}: {:?}",
            skus(&page)
        );
        assert!(
            page.hits
                .iter()
                .all(|h| h.category.as_deref() == Some("Garden"))
        );
    }
    // Price bounds are inclusive, on search and browse alike.
    let band = QueryFilter {
        category: None,
        min_price: Some(price("24.95")),
        max_price: Some(price("34.99")),
    };
    for query in ["", "hot coffee", "KT-1003", "Volt USB-C Charger 65W"] {
        let mut r = request(query, 0, 20);
        r.filter = band.clone();
        let page = f.searcher.search(&r).await.unwrap();
        let mut got = skus(&page);
        got.sort_unstable();
        assert_eq!(
            got,
            ["EL-3002", "GD-2004", "KT-1001", "KT-1003"],
            "{query:?}"
        );
    }
    // A lookup outside the price band.
    let mut r = request("KT-1004", 0, 20);
    r.filter = band;
    let page = f.searcher.search(&r).await.unwrap();
    assert!(!skus(&page).contains(&"KT-1004"));
}

#[tokio::test]
async fn an_empty_query_browses_the_newest_products() {
    let f = fixture().await;
    // Two products created at the same instant (not indexed yet: browsing
    // reads the table): the higher id comes first.
    sqlx::query(
        "INSERT INTO products (sku, name, created_at)
         SELECT sku, 'New ' || sku, '2100-01-01T00:00:00Z'
         FROM unnest(ARRAY['NEW-1', 'NEW-2']) AS sku",
    )
    .execute(&f.pool)
    .await
    .unwrap();
    let page = f.searcher.search(&request("  \t ", 0, 5)).await.unwrap();
    assert_eq!(
        skus(&page),
        ["NEW-2", "NEW-1", "EL-3004", "EL-3003", "EL-3002"]
    );
    assert!(page.has_more);
    assert!(
        page.hits
            .iter()
            .all(|h| h.score.is_none() && h.version == 1)
    );
    let last = f.searcher.search(&request("", 10, 5)).await.unwrap();
    assert_eq!(skus(&last), ["KT-1004", "KT-1003", "KT-1002", "KT-1001"]);
    assert!(!last.has_more);
    assert_eq!(
        f.embedder.calls.load(Ordering::SeqCst),
        0,
        "browsing embeds nothing"
    );
}

#[tokio::test]
async fn deleted_products_are_dropped_and_rows_are_current() {
    let f = fixture().await;
    // Deleted after indexing: the vector is still there until emu catches up.
    sqlx::query("DELETE FROM products WHERE sku = 'GD-2001'")
        .execute(&f.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE products SET description = 'Edited.' WHERE sku = 'GD-2002'")
        .execute(&f.pool)
        .await
        .unwrap();
    let page = f
        .searcher
        .search(&request("water the flower beds", 0, 20))
        .await
        .unwrap();
    assert!(!skus(&page).contains(&"GD-2001"));
    assert_eq!(page.hits.len(), CATALOG.len() - 1);
    let edited = page.hits.iter().find(|h| h.sku == "GD-2002").unwrap();
    assert_eq!(
        (edited.description.as_str(), edited.version),
        ("Edited.", 2)
    );
    let stored = f.store.versions(&[edited.product_id]).await.unwrap();
    assert_eq!(
        stored.get(&edited.product_id),
        Some(&1),
        "the vector is older"
    );
}

#[tokio::test]
async fn a_reused_ranking_shows_current_rows() {
    let f = fixture().await;
    let metrics = sync_core::telemetry::metrics_handle();
    // Rows are read from Postgres: no listener follows the table here.
    let searcher = f.caching_searcher(100);
    let first = searcher
        .search(&request("water the flower beds", 0, 20))
        .await
        .unwrap();
    sqlx::query("DELETE FROM products WHERE sku = 'GD-2001'")
        .execute(&f.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE products SET price = 1.50 WHERE sku = 'GD-2002'")
        .execute(&f.pool)
        .await
        .unwrap();
    // Same query (normalised) and filter: the ranking is reused ...
    let second = searcher
        .search(&request("Water the  flower beds", 0, 20))
        .await
        .unwrap();
    let text = metrics.render();
    assert!(
        text.contains("search_result_cache_total{result=\"hit\"}"),
        "{text}"
    );
    // ... in the same order, but the deleted product is gone and the edited
    // one shows its new price.
    let expected: Vec<&str> = skus(&first)
        .into_iter()
        .filter(|s| *s != "GD-2001")
        .collect();
    assert_eq!(skus(&second), expected);
    let edited = second.hits.iter().find(|h| h.sku == "GD-2002").unwrap();
    assert_eq!(edited.price, Some(price("1.50")));
    // A product edited out of the filter is not shown from the cache either.
    let filtered = SearchRequest {
        filter: QueryFilter {
            max_price: Some(price("20")),
            ..QueryFilter::default()
        },
        ..request("water the flower beds", 0, 20)
    };
    let before = searcher.search(&filtered).await.unwrap();
    assert!(skus(&before).contains(&"GD-2002"));
    sqlx::query("UPDATE products SET price = 99 WHERE sku = 'GD-2002'")
        .execute(&f.pool)
        .await
        .unwrap();
    let after = searcher.search(&filtered).await.unwrap();
    assert!(!skus(&after).contains(&"GD-2002"));
    assert_eq!(after.hits.len(), before.hits.len() - 1);
}

/// Poll `check` every 10 ms for up to 5 s.
async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn cached_rows_follow_every_change_to_products() {
    let f = fixture().await;
    let metrics = sync_core::telemetry::metrics_handle();
    let searcher = f.caching_searcher(100);
    let rows = searcher.row_cache();
    assert!(!rows.is_following(), "off until a listener runs");
    let shutdown = sync_core::telemetry::Shutdown::new();
    // A pool of one: the listener must not hold that one connection.
    let pool_of_one = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with((*f.pool.connect_options()).clone())
        .await
        .unwrap();
    let follower = tokio::spawn(frontend::search::follow_product_changes(
        pool_of_one.clone(),
        searcher.row_cache(),
        shutdown.clone(),
    ));
    eventually("the listener follows products", async || {
        rows.is_following()
    })
    .await;
    tokio::time::timeout(
        std::time::Duration::from_secs(5),
        sqlx::query("SELECT 1").execute(&pool_of_one),
    )
    .await
    .expect("the pool's connection is free while the listener listens")
    .unwrap();

    let query = request("water the flower beds", 0, 20);
    let first = searcher.search(&query).await.unwrap();
    let again = searcher.search(&query).await.unwrap();
    assert_eq!(skus(&again), skus(&first));
    let text = metrics.render();
    assert!(
        text.contains("search_row_cache_total{result=\"hit\"}"),
        "the repeated page came from memory: {text}"
    );

    // Changes made by another writer (not through `forget_all`) reach the
    // cache through the notification.
    sqlx::query("UPDATE products SET price = 2.25 WHERE sku = 'GD-2002'")
        .execute(&f.pool)
        .await
        .unwrap();
    eventually("the new price is shown", async || {
        let page = searcher.search(&query).await.unwrap();
        let hit = page.hits.iter().find(|h| h.sku == "GD-2002").unwrap();
        hit.price == Some(price("2.25"))
    })
    .await;
    sqlx::query("DELETE FROM products WHERE sku = 'GD-2001'")
        .execute(&f.pool)
        .await
        .unwrap();
    eventually("the deleted product is gone", async || {
        let page = searcher.search(&query).await.unwrap();
        !skus(&page).contains(&"GD-2001")
    })
    .await;

    shutdown.trigger();
    tokio::time::timeout(std::time::Duration::from_secs(5), follower)
        .await
        .expect("the listener stops on shutdown")
        .unwrap();
    assert!(!rows.is_following(), "off once nobody follows");
}

#[tokio::test]
async fn a_repeated_normalised_query_hits_the_cache() {
    let f = fixture().await;
    let metrics = sync_core::telemetry::metrics_handle();
    let first = f
        .searcher
        .search(&request("Keep my Coffee hot", 0, 3))
        .await
        .unwrap();
    let second = f
        .searcher
        .search(&request("  keep my   COFFEE\thot ", 3, 3))
        .await
        .unwrap();
    assert_eq!(f.embedder.calls.load(Ordering::SeqCst), 1);
    assert!(!skus(&first).iter().any(|s| skus(&second).contains(s)));
    f.searcher
        .search(&request("keep my tea hot", 0, 3))
        .await
        .unwrap();
    assert_eq!(f.embedder.calls.load(Ordering::SeqCst), 2);
    let text = metrics.render();
    assert!(
        text.contains("search_query_cache_total{result=\"hit\"}"),
        "{text}"
    );
    assert!(text.contains("search_query_cache_total{result=\"miss\"}"));
}

#[tokio::test]
async fn bad_requests_are_rejected_and_not_retryable() {
    let f = fixture().await;
    let too_long = "x".repeat(frontend::search::MAX_QUERY_CHARS + 1);
    let cases = [
        request(&too_long, 0, 10),
        request("mug", 0, 0),
        request("mug", frontend::search::MAX_RESULT_WINDOW, 1),
        request("", frontend::search::MAX_RESULT_WINDOW - 5, 10),
    ];
    for case in cases {
        let err = f.searcher.search(&case).await.unwrap_err();
        assert!(matches!(err, SearchError::InvalidRequest(_)), "{err}");
        assert!(!err.is_retryable());
    }
    let longest = "é".repeat(frontend::search::MAX_QUERY_CHARS);
    f.searcher.search(&request(&longest, 0, 1)).await.unwrap();
}
