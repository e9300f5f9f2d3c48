//! Writes within Pinecone's limits: upserts split by count and bytes,
//! metadata cut to size, deletes split by id count.

use rand::SeedableRng;
use serde_json::json;
use testkit::pinecone_double as double;
use vector_store::{QueryFilter, Tombstone, VectorRecord, VectorStore};

use crate::helpers::{API_KEY, compact_vector, realistic_vector, record, setup, vector_count};

#[tokio::test]
async fn an_upsert_of_2500_vectors_is_three_requests_within_the_limits() {
    let (double, store) = setup(Some("products")).await;
    let records: Vec<VectorRecord> = (1..=2_500)
        .map(|i| record(i, 1, compact_vector(i as usize)))
        .collect();
    store.upsert(&records).await.unwrap();

    let upserts = double.requests_to("/vectors/upsert");
    assert_eq!(
        upserts.iter().map(vector_count).collect::<Vec<_>>(),
        [1_000, 1_000, 500]
    );
    for request in &upserts {
        assert!(
            request.body.len() <= double::MAX_UPSERT_BYTES,
            "{}",
            request.body.len()
        );
        assert_eq!(request.json()["namespace"], "products");
        assert_eq!(request.headers["api-key"], API_KEY);
        assert_eq!(request.headers["x-pinecone-api-version"], "2025-10");
    }
    assert_eq!(double.stored_count("products"), 2_500);
    assert_eq!(store.count().await.unwrap(), 2_500);
    double.assert_clean();
}

#[tokio::test]
async fn real_embeddings_are_split_by_bytes_before_the_count_limit() {
    let (double, store) = setup(None).await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let records: Vec<VectorRecord> = (1..=1_000)
        .map(|i| record(i, 1, realistic_vector(&mut rng)))
        .collect();
    store.upsert(&records).await.unwrap();

    let upserts = double.requests_to("/vectors/upsert");
    assert!(
        upserts.len() >= 2,
        "1000 full-precision vectors exceed 2 MB: {}",
        upserts.len()
    );
    for request in &upserts {
        assert!(
            request.body.len() <= double::MAX_UPSERT_BYTES,
            "{}",
            request.body.len()
        );
    }
    // Requests are packed: each but the last is full to within a vector.
    for request in &upserts[..upserts.len() - 1] {
        assert!(
            request.body.len() > double::MAX_UPSERT_BYTES * 9 / 10,
            "{}",
            request.body.len()
        );
    }
    assert_eq!(upserts.iter().map(vector_count).sum::<usize>(), 1_000);
    assert_eq!(store.count().await.unwrap(), 1_000);
    double.assert_clean();
}

#[tokio::test]
async fn metadata_is_cut_to_40_kb_and_never_null() {
    let (double, store) = setup(None).await;
    let mut big = record(1, 3, compact_vector(1));
    big.metadata.sku = "S".repeat(60_000);
    big.metadata.name = "é".repeat(100_000);
    let mut bare = record(2, 1, compact_vector(2));
    bare.metadata.category = None;
    bare.metadata.price = None;
    store.upsert(&[big, bare]).await.unwrap();
    double.assert_clean();

    let stored = double.stored_metadata("", "1").unwrap();
    let size = serde_json::to_vec(&stored).unwrap().len();
    assert!(size <= double::MAX_METADATA_BYTES, "{size}");
    for key in ["product_id", "version", "sku", "name", "category", "price"] {
        assert!(stored.contains_key(key), "{key} missing");
    }
    assert_eq!(stored["version"], 3);
    assert_eq!(stored["price"], json!(19.99));

    let stored = double.stored_metadata("", "2").unwrap();
    let mut keys: Vec<&str> = stored.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["name", "product_id", "sku", "version"]);
    assert_eq!(
        store.versions(&[1, 2]).await.unwrap(),
        [(1, 3), (2, 1)].into()
    );
}

#[tokio::test]
async fn deletes_are_split_by_1000_and_unknown_ids_are_fine() {
    let (double, store) = setup(Some("products")).await;
    let records: Vec<VectorRecord> = (1..=20)
        .map(|i| record(i, 1, compact_vector(i as usize)))
        .collect();
    store.upsert(&records).await.unwrap();
    assert_eq!(store.count().await.unwrap(), 20);

    // 20 indexed products and 2 480 that never were.
    let tombstones: Vec<Tombstone> = (1..=2_500)
        .map(|i| Tombstone {
            product_id: i,
            version: 2,
        })
        .collect();
    store.delete(&tombstones).await.unwrap();

    let deletes = double.requests_to("/vectors/delete");
    let sizes: Vec<usize> = deletes
        .iter()
        .map(|r| r.json()["ids"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [1_000, 1_000, 500]);
    assert!(deletes.iter().all(|r| r.json()["namespace"] == "products"));
    assert_eq!(store.count().await.unwrap(), 0);
    assert!(store.versions(&[1, 2, 3]).await.unwrap().is_empty());
    let hits = store
        .query(&compact_vector(1), 10, &QueryFilter::default())
        .await
        .unwrap();
    assert!(hits.is_empty());
    double.assert_clean();
}
