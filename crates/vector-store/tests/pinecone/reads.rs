//! Reads: queries with filters and ranking, versions from fetch, and the
//! index stats behind ping and count.

use rust_decimal::Decimal;
use serde_json::json;
use vector_store::{DIMENSION, QueryFilter, VectorRecord, VectorStore, VectorStoreError};

use crate::helpers::{at_angle, compact_vector, record, setup};

#[tokio::test]
async fn a_query_sends_the_documented_filter_and_ranks_best_first() {
    let (double, store) = setup(None).await;
    // Product i is i·0.1 rad from the query: lower id = more similar.
    let records: Vec<VectorRecord> = (1..=12)
        .map(|i| {
            let mut r = record(i, i * 10, at_angle(i as f32 * 0.1));
            r.metadata.category = Some(if i % 2 == 0 { "Kitchen" } else { "Garden" }.into());
            r.metadata.price = (i != 6).then(|| Decimal::new(i * 500, 2)); // 5.00 … 60.00
            r
        })
        .collect();
    store.upsert(&records).await.unwrap();
    let query = at_angle(0.0);

    let filter = QueryFilter {
        category: Some("Kitchen".into()),
        min_price: Some(Decimal::new(1000, 2)),
        max_price: Some(Decimal::new(5000, 2)),
    };
    let hits = store.query(&query, 10, &filter).await.unwrap();
    let body = double.requests_to("/query").last().unwrap().json();
    assert_eq!(
        body["filter"],
        json!({"category": {"$eq": "Kitchen"}, "price": {"$gte": 10.0, "$lte": 50.0}})
    );
    assert_eq!(body["topK"], 10);
    assert_eq!(body["includeMetadata"], true);
    assert_eq!(body["vector"].as_array().unwrap().len(), DIMENSION);
    // Kitchen = even ids; 6 has no price; 2 costs 10.00, 10 costs 50.00.
    let ids: Vec<i64> = hits.iter().map(|m| m.product_id).collect();
    assert_eq!(ids, [2, 4, 8, 10]);
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(
        (hits[0].score - 0.2f32.cos()).abs() < 1e-4,
        "{}",
        hits[0].score
    );
    assert_eq!(hits[0].version, 20);
    assert_eq!(hits[0].metadata, records[1].metadata);

    let all = store
        .query(&query, 3, &QueryFilter::default())
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|m| m.product_id).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    let body = double.requests_to("/query").last().unwrap().json();
    assert!(
        body.get("filter").is_none(),
        "no filter field without conditions: {body}"
    );

    let garden = QueryFilter {
        category: Some("Garden".into()),
        ..QueryFilter::default()
    };
    let hits = store.query(&query, 2, &garden).await.unwrap();
    assert_eq!(
        hits.iter().map(|m| m.product_id).collect::<Vec<_>>(),
        [1, 3]
    );
    assert_eq!(
        double.requests_to("/query").last().unwrap().json()["filter"],
        json!({"category": {"$eq": "Garden"}})
    );

    let before = double.requests().len();
    assert!(store.query(&query, 0, &filter).await.unwrap().is_empty());
    assert_eq!(double.requests().len(), before, "top_k 0 needs no request");
    assert!(matches!(
        store.query(&query[..10], 5, &filter).await.unwrap_err(),
        VectorStoreError::InvalidInput(_)
    ));
    double.assert_clean();
}

#[tokio::test]
async fn versions_come_from_fetch_in_batches() {
    let (double, store) = setup(Some("products")).await;
    let records: Vec<VectorRecord> = (1..=250)
        .map(|i| record(i, i * 2, compact_vector(i as usize)))
        .collect();
    store.upsert(&records).await.unwrap();

    let mut ids: Vec<i64> = (1..=300).collect();
    ids.extend(1..=50); // duplicates are asked for once
    let versions = store.versions(&ids).await.unwrap();

    assert_eq!(versions.len(), 250);
    assert!((1..=250).all(|i| versions[&i] == i * 2));
    let fetches = double.requests_to("/vectors/fetch");
    assert_eq!(fetches.len(), 3);
    for fetch in &fetches {
        let asked = fetch.query.iter().filter(|(k, _)| k == "ids").count();
        assert!(asked <= 100, "{asked}");
        assert!(
            fetch
                .query
                .contains(&("namespace".into(), "products".into()))
        );
        assert_eq!(fetch.method, axum::http::Method::GET);
        assert!(fetch.body.is_empty());
    }
    assert!(store.versions(&[]).await.unwrap().is_empty());
    double.assert_clean();
}

#[tokio::test]
async fn ping_and_count_read_index_stats() {
    let (double, store) = setup(None).await;
    store.ping().await.unwrap();
    assert_eq!(store.count().await.unwrap(), 0);
    store
        .upsert(&[
            record(1, 1, compact_vector(1)),
            record(2, 1, compact_vector(2)),
        ])
        .await
        .unwrap();
    assert_eq!(store.count().await.unwrap(), 2);
    let stats = double.requests_to("/describe_index_stats");
    assert!(stats.iter().all(|r| r.json() == json!({})));
    double.assert_clean();
}
