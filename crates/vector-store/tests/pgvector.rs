//! `PgVectorStore` against the local Postgres (pgvector 0.8), a fresh
//! migrated database per test (`make test` starts the server).
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use testkit::TestDatabase;
use vector_store::{
    DIMENSION, MAX_TOP_K, Match, PgVectorStore, ProductMetadata, QueryFilter, Tombstone,
    VectorRecord, VectorStore, VectorStoreError,
};

async fn store() -> (TestDatabase, PgVectorStore) {
    let db = TestDatabase::create().await;
    let store = PgVectorStore::new(db.pool.clone());
    (db, store)
}

/// A unit vector `angle` radians from the first axis: its cosine similarity
/// to `at_angle(0.0)` is cos(angle), so smaller angles rank first.
fn at_angle(angle: f32) -> Vec<f32> {
    let mut v = vec![0.0; DIMENSION];
    v[0] = angle.cos();
    v[1] = angle.sin();
    v
}

fn random_unit(rng: &mut impl Rng) -> Vec<f32> {
    let v: Vec<f32> = (0..DIMENSION)
        .map(|_| rng.random_range(-1.0f32..1.0))
        .collect();
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.into_iter().map(|x| x / norm).collect()
}

fn record(product_id: i64, version: i64, values: Vec<f32>) -> VectorRecord {
    VectorRecord {
        product_id,
        version,
        values,
        metadata: ProductMetadata {
            sku: format!("SKU-{product_id:05}"),
            name: format!("Product {product_id} v{version}"),
            category: Some("Kitchen".into()),
            price: Some(Decimal::new(1999, 2)),
        },
    }
}

fn ids(matches: &[Match]) -> Vec<i64> {
    matches.iter().map(|m| m.product_id).collect()
}

fn all() -> QueryFilter {
    QueryFilter::default()
}

#[tokio::test]
async fn results_are_ranked_by_cosine_similarity() {
    let (_db, store) = store().await;
    let records: Vec<VectorRecord> = (1..=10)
        .map(|i| record(i, 1, at_angle(i as f32 * 0.1)))
        .collect();
    // Written in reverse so that insertion order cannot pass for ranking.
    let reversed: Vec<VectorRecord> = records.iter().rev().cloned().collect();
    store.upsert(&reversed).await.unwrap();

    let hits = store.query(&at_angle(0.0), 5, &all()).await.unwrap();
    assert_eq!(ids(&hits), [1, 2, 3, 4, 5]);
    for (hit, i) in hits.iter().zip(1..) {
        let expected = (i as f32 * 0.1).cos();
        assert!(
            (hit.score - expected).abs() < 1e-5,
            "{} vs {expected}",
            hit.score
        );
    }
    assert_eq!(hits[0].metadata, records[0].metadata);
    assert_eq!(hits[0].version, 1);
    // From the other end of the arc, the order reverses.
    let hits = store.query(&at_angle(1.0), 3, &all()).await.unwrap();
    assert_eq!(ids(&hits), [10, 9, 8]);
    assert_eq!(store.count().await.unwrap(), 10);
    store.ping().await.unwrap();
}

#[tokio::test]
async fn an_older_version_never_overwrites_a_newer_one() {
    let (_db, store) = store().await;
    store.upsert(&[record(1, 3, at_angle(0.0))]).await.unwrap();

    // Late and out of order: ignored.
    store.upsert(&[record(1, 2, at_angle(1.5))]).await.unwrap();
    // A replay of the same version: a no-op, even with other content.
    let mut replay = record(1, 3, at_angle(1.5));
    replay.metadata.name = "changed".into();
    store.upsert(&[replay]).await.unwrap();

    let hits = store.query(&at_angle(0.0), 1, &all()).await.unwrap();
    assert_eq!(hits[0].version, 3);
    assert_eq!(hits[0].metadata.name, "Product 1 v3");
    assert!(hits[0].score > 0.999);

    // Newer wins, also inside one batch holding both.
    store
        .upsert(&[record(1, 5, at_angle(1.5)), record(1, 4, at_angle(0.0))])
        .await
        .unwrap();
    let hits = store.query(&at_angle(0.0), 1, &all()).await.unwrap();
    assert_eq!(
        (hits[0].version, hits[0].metadata.name.as_str()),
        (5, "Product 1 v5")
    );
    assert_eq!(store.versions(&[1]).await.unwrap(), HashMap::from([(1, 5)]));
}

#[tokio::test]
async fn a_deleted_product_is_gone_from_query_versions_and_count() {
    let (_db, store) = store().await;
    let records: Vec<VectorRecord> = (1..=3)
        .map(|i| record(i, 1, at_angle(i as f32 * 0.1)))
        .collect();
    store.upsert(&records).await.unwrap();

    store
        .delete(&[Tombstone {
            product_id: 1,
            version: 2,
        }])
        .await
        .unwrap();

    assert_eq!(
        ids(&store.query(&at_angle(0.0), 10, &all()).await.unwrap()),
        [2, 3]
    );
    assert_eq!(
        store.versions(&[1, 2, 3]).await.unwrap(),
        HashMap::from([(2, 1), (3, 1)])
    );
    assert_eq!(store.count().await.unwrap(), 2);
    // Deleting again (a redelivered event) changes nothing.
    store
        .delete(&[Tombstone {
            product_id: 1,
            version: 2,
        }])
        .await
        .unwrap();
    assert_eq!(store.count().await.unwrap(), 2);
}

#[tokio::test]
async fn a_late_older_upsert_cannot_resurrect_a_deleted_product() {
    let (_db, store) = store().await;
    store.upsert(&[record(7, 1, at_angle(0.0))]).await.unwrap();
    store
        .delete(&[Tombstone {
            product_id: 7,
            version: 2,
        }])
        .await
        .unwrap();

    // The upsert of version 1 arrives again after the delete (redelivery),
    // and one with the tombstone's own version.
    store.upsert(&[record(7, 1, at_angle(0.0))]).await.unwrap();
    store.upsert(&[record(7, 2, at_angle(0.0))]).await.unwrap();

    assert!(
        store
            .query(&at_angle(0.0), 10, &all())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.versions(&[7]).await.unwrap().is_empty());
    assert_eq!(store.count().await.unwrap(), 0);
    // An older tombstone does not move the newer one back either.
    store
        .delete(&[Tombstone {
            product_id: 7,
            version: 1,
        }])
        .await
        .unwrap();
    // Only a newer version brings the product back.
    store.upsert(&[record(7, 3, at_angle(0.0))]).await.unwrap();
    assert_eq!(store.versions(&[7]).await.unwrap(), HashMap::from([(7, 3)]));
}

#[tokio::test]
async fn deleting_a_never_indexed_product_is_fine_and_final() {
    let (_db, store) = store().await;
    store
        .delete(&[Tombstone {
            product_id: 999,
            version: 5,
        }])
        .await
        .unwrap();
    store.delete(&[]).await.unwrap();
    assert_eq!(store.count().await.unwrap(), 0);

    // The upsert it overtook arrives afterwards: stays deleted.
    store
        .upsert(&[record(999, 4, at_angle(0.0))])
        .await
        .unwrap();
    assert!(store.versions(&[999]).await.unwrap().is_empty());
    assert!(
        store
            .query(&at_angle(0.0), 10, &all())
            .await
            .unwrap()
            .is_empty()
    );

    // Tombstones can be cleaned up once no older message can be in flight.
    assert_eq!(
        store
            .purge_tombstones(Duration::from_secs(3_600))
            .await
            .unwrap(),
        0
    );
    assert_eq!(store.purge_tombstones(Duration::ZERO).await.unwrap(), 1);
}

#[tokio::test]
async fn filters_are_applied_in_the_search() {
    let (_db, store) = store().await;
    // Even ids Kitchen, odd Garden; price i × 5.00, except 6 (no price).
    let records: Vec<VectorRecord> = (1..=12)
        .map(|i| {
            let mut r = record(i, 1, at_angle(i as f32 * 0.1));
            r.metadata.category = Some(if i % 2 == 0 { "Kitchen" } else { "Garden" }.into());
            r.metadata.price = (i != 6).then(|| Decimal::new(i * 500, 2));
            r
        })
        .collect();
    store.upsert(&records).await.unwrap();
    let q = at_angle(0.0);

    let kitchen = QueryFilter {
        category: Some("Kitchen".into()),
        ..all()
    };
    assert_eq!(ids(&store.query(&q, 3, &kitchen).await.unwrap()), [2, 4, 6]);

    let range = QueryFilter {
        min_price: Some(Decimal::new(1500, 2)),
        max_price: Some(Decimal::new(3000, 2)),
        ..all()
    };
    // 3..=6 are in 15.00..=30.00, but 6 has no price.
    assert_eq!(ids(&store.query(&q, 10, &range).await.unwrap()), [3, 4, 5]);

    let both = QueryFilter {
        category: Some("Kitchen".into()),
        min_price: Some(Decimal::new(1000, 2)),
        max_price: Some(Decimal::new(5000, 2)),
    };
    let hits = store.query(&q, 10, &both).await.unwrap();
    assert_eq!(ids(&hits), [2, 4, 8, 10]);
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));

    let cheap = QueryFilter {
        max_price: Some(Decimal::new(1000, 2)),
        ..all()
    };
    assert_eq!(ids(&store.query(&q, 10, &cheap).await.unwrap()), [1, 2]);
    let none = QueryFilter {
        category: Some("kitchen".into()),
        ..all()
    };
    assert!(
        store.query(&q, 10, &none).await.unwrap().is_empty(),
        "case-sensitive"
    );
}

#[tokio::test]
async fn versions_reports_the_live_version_of_each_product() {
    let (_db, store) = store().await;
    store
        .upsert(&[
            record(1, 4, at_angle(0.1)),
            record(2, 9, at_angle(0.2)),
            record(3, 1, at_angle(0.3)),
        ])
        .await
        .unwrap();
    store
        .delete(&[Tombstone {
            product_id: 3,
            version: 2,
        }])
        .await
        .unwrap();

    let versions = store.versions(&[1, 2, 3, 4, 1]).await.unwrap();
    assert_eq!(versions, HashMap::from([(1, 4), (2, 9)]));
    assert!(store.versions(&[]).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_batch_of_1000_rows_is_written_and_searchable() {
    let (db, store) = store().await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    let records: Vec<VectorRecord> = (1..=1_000)
        .map(|i| {
            let mut r = record(i, 1, random_unit(&mut rng));
            r.metadata.category = Some(format!("c{}", i % 10));
            r
        })
        .collect();
    store.upsert(&records).await.unwrap();
    assert_eq!(store.count().await.unwrap(), 1_000);

    // A product's own vector finds it first.
    let target = &records[499];
    let hits = store.query(&target.values, 10, &all()).await.unwrap();
    assert_eq!(hits[0].product_id, 500);
    assert!(hits[0].score > 0.9999, "{}", hits[0].score);

    // Filtered, and more than pgvector's default ef_search (40): the
    // iterative scan still fills top_k, in order, with matches only.
    let c3 = QueryFilter {
        category: Some("c3".into()),
        ..all()
    };
    let hits = store.query(&target.values, 60, &c3).await.unwrap();
    assert_eq!(hits.len(), 60);
    assert!(
        hits.iter()
            .all(|m| m.metadata.category.as_deref() == Some("c3"))
    );
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    let unfiltered = store.query(&target.values, 100, &all()).await.unwrap();
    assert_eq!(unfiltered.len(), 100);
    assert!(unfiltered.windows(2).all(|w| w[0].score >= w[1].score));

    // Settings were local to their transactions: pooled connections keep
    // the defaults.
    let ef: String = sqlx::query_scalar("SELECT current_setting('hnsw.ef_search', true)")
        .fetch_one(&db.pool)
        .await
        .map(|v: Option<String>| v.unwrap_or_default())
        .unwrap();
    assert!(ef.is_empty() || ef == "40", "{ef}");

    // Re-sending the batch (a redelivery) changes nothing.
    store.upsert(&records).await.unwrap();
    assert_eq!(store.count().await.unwrap(), 1_000);
}

#[tokio::test]
async fn invalid_input_is_a_permanent_error() {
    let (_db, store) = store().await;
    let mut short = record(1, 1, at_angle(0.0));
    short.values.truncate(10);
    let err = store.upsert(&[short]).await.unwrap_err();
    assert!(matches!(err, VectorStoreError::InvalidInput(_)), "{err}");
    assert!(!err.is_retryable());

    let q = at_angle(0.0);
    assert!(matches!(
        store.query(&q, MAX_TOP_K + 1, &all()).await.unwrap_err(),
        VectorStoreError::InvalidInput(_)
    ));
    assert!(store.query(&q, 0, &all()).await.unwrap().is_empty());
    assert!(store.query(&vec![0.0; DIMENSION], 5, &all()).await.is_err());
    store.upsert(&[]).await.unwrap();
    assert_eq!(store.count().await.unwrap(), 0);
}

/// The full-text documents follow the same rule as the vectors: the newest
/// version wins whatever the order of writes, and a delete is final against
/// any older upsert.
#[tokio::test]
async fn search_documents_keep_the_newest_version_and_deletes_are_final() {
    use vector_store::{SearchDocument, SearchDocuments};
    let db = TestDatabase::create().await;
    let documents = SearchDocuments::new(db.pool.clone());
    let doc = |id: i64, version: i64, name: &str| SearchDocument {
        product_id: id,
        version,
        name: name.to_owned(),
        category: Some("Toys & Games".to_owned()),
        description: "It glows at dusk and flies in light sea breezes.".to_owned(),
    };
    let matching = |words: &'static str| {
        let pool = db.pool.clone();
        async move {
            let ids: Vec<i64> = sqlx::query_scalar(
                "SELECT product_id FROM product_search_documents
                  WHERE document @@ websearch_to_tsquery('english', $1) ORDER BY product_id",
            )
            .bind(words)
            .fetch_all(&pool)
            .await
            .unwrap();
            ids
        }
    };

    documents
        .upsert(&[doc(1, 2, "Lantern Kite")])
        .await
        .unwrap();
    // Older, arriving late: refused.
    documents.upsert(&[doc(1, 1, "Paper Plane")]).await.unwrap();
    documents.upsert(&[doc(2, 1, "Box Kite")]).await.unwrap();
    assert_eq!(matching("kite").await, vec![1, 2]);
    assert_eq!(matching("lanterns").await, vec![1], "stemmed, by name");
    assert_eq!(matching("breeze dusk").await, vec![1, 2], "by description");
    assert!(matching("plane").await.is_empty());

    documents
        .delete(&[Tombstone {
            product_id: 1,
            version: 3,
        }])
        .await
        .unwrap();
    documents
        .upsert(&[doc(1, 2, "Lantern Kite")])
        .await
        .unwrap();
    assert_eq!(matching("kite").await, vec![2]);
    let version: i64 =
        sqlx::query_scalar("SELECT version FROM product_search_documents WHERE product_id = 1")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(version, 3, "the tombstone stays");
}
