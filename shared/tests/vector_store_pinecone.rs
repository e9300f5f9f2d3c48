//! `PineconeStore` against a local double of the Pinecone data plane that
//! checks every request against Pinecone's official OpenAPI spec (2025-10)
//! and the documented limits, and answers with the spec's response shapes
//! (`shared::testing::pinecone_double`). No network, no Pinecone account.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use shared::settings::Secret;
use shared::testing::TestDatabase;
use shared::testing::pinecone_double::{self as double, Double, Fault, RetryAfter};
use shared::vector_store::{
    DIMENSION, PineconeSettings, PineconeStore, ProductMetadata, QueryFilter, RetryPolicy,
    Tombstone, VectorRecord, VectorStore, VectorStoreError,
};

const API_KEY: &str = "pcsk_test_0123456789";

/// The default policy's shape with short delays, so retry tests take
/// milliseconds (a `Retry-After` is still honoured in full).
fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 6,
        min_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
    }
}

fn store(url: &str, api_key: &str, namespace: Option<&str>, timeout: Duration) -> PineconeStore {
    PineconeStore::new(PineconeSettings {
        index_host: url.parse().unwrap(),
        api_key: Secret::new(api_key),
        namespace: namespace.map(str::to_owned),
        timeout,
    })
    .unwrap()
    .with_retry_policy(fast_retries())
}

async fn setup(namespace: Option<&str>) -> (Double, PineconeStore) {
    let double = Double::start(API_KEY).await;
    let store = store(&double.url(), API_KEY, namespace, Duration::from_secs(5));
    (double, store)
}

/// A vector whose JSON is short ("0.0" mostly), so that 1000 fit in 2 MB.
fn compact_vector(i: usize) -> Vec<f32> {
    let mut v = vec![0.0; DIMENSION];
    v[i % DIMENSION] = 1.0;
    v[(i / DIMENSION + 1) % DIMENSION] += 0.5;
    v
}

/// A unit vector like a real embedding: every value a full-precision float.
fn realistic_vector(rng: &mut impl Rng) -> Vec<f32> {
    let v: Vec<f32> = (0..DIMENSION)
        .map(|_| rng.random_range(-1.0f32..1.0))
        .collect();
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.into_iter().map(|x| x / norm).collect()
}

/// cos(angle) to the first axis: smaller angle = more similar to `axis(0)`.
fn at_angle(angle: f32) -> Vec<f32> {
    let mut v = vec![0.0; DIMENSION];
    v[0] = angle.cos();
    v[1] = angle.sin();
    v
}

fn record(product_id: i64, version: i64, values: Vec<f32>) -> VectorRecord {
    VectorRecord {
        product_id,
        version,
        values,
        metadata: ProductMetadata {
            sku: format!("SKU-{product_id:05}"),
            name: format!("Product {product_id}"),
            category: Some("Kitchen".into()),
            price: Some(Decimal::new(1999, 2)),
        },
    }
}

fn vector_count(request: &double::Recorded) -> usize {
    request.json()["vectors"].as_array().unwrap().len()
}

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
async fn throttling_waits_for_retry_after_in_seconds() {
    let (double, store) = setup(None).await;
    double.push_fault(Fault::Status {
        status: 429,
        retry_after: Some(RetryAfter::Seconds(1)),
    });
    store
        .upsert(&[record(1, 1, compact_vector(1))])
        .await
        .unwrap();

    let upserts = double.requests_to("/vectors/upsert");
    assert_eq!(upserts.len(), 2);
    let waited = upserts[1].at - upserts[0].at;
    assert!(waited >= Duration::from_secs(1), "retried after {waited:?}");
    assert!(waited < Duration::from_secs(3), "waited {waited:?}");
    assert_eq!(double.stored_count(""), 1);
    double.assert_clean();
}

#[tokio::test]
async fn throttling_waits_for_retry_after_as_an_http_date() {
    let (double, store) = setup(None).await;
    // The date has whole seconds: "now + 2 s" is 1–2 s away.
    double.push_fault(Fault::Status {
        status: 429,
        retry_after: Some(RetryAfter::DateIn(Duration::from_secs(2))),
    });
    store
        .upsert(&[record(1, 1, compact_vector(1))])
        .await
        .unwrap();

    let upserts = double.requests_to("/vectors/upsert");
    assert_eq!(upserts.len(), 2);
    let waited = upserts[1].at - upserts[0].at;
    assert!(
        waited >= Duration::from_millis(900),
        "retried after {waited:?}"
    );
    assert!(waited < Duration::from_secs(4), "waited {waited:?}");
    double.assert_clean();
}

#[tokio::test]
async fn a_retry_after_longer_than_we_wait_in_place_is_handed_to_the_caller() {
    let (double, store) = setup(None).await;
    double.push_fault(Fault::Status {
        status: 429,
        retry_after: Some(RetryAfter::Seconds(3_600)),
    });
    let started = Instant::now();
    let err = store
        .upsert(&[record(1, 1, compact_vector(1))])
        .await
        .unwrap_err();

    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(matches!(err, VectorStoreError::Throttled { .. }), "{err}");
    assert!(err.is_retryable());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3_600)));
    assert_eq!(double.requests_to("/vectors/upsert").len(), 1);
}

#[tokio::test]
async fn server_errors_are_retried_and_end_retryable_if_they_persist() {
    let (double, store) = setup(None).await;
    for _ in 0..2 {
        double.push_fault(Fault::Status {
            status: 503,
            retry_after: None,
        });
    }
    store
        .upsert(&[record(1, 1, compact_vector(1))])
        .await
        .unwrap();
    assert_eq!(double.requests_to("/vectors/upsert").len(), 3);
    assert_eq!(double.faults_left(), 0);

    double.clear_requests();
    for _ in 0..10 {
        double.push_fault(Fault::Status {
            status: 500,
            retry_after: None,
        });
    }
    let err = store
        .upsert(&[record(1, 2, compact_vector(1))])
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            VectorStoreError::Unavailable {
                status: Some(500),
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.is_retryable(),
        "so that emu leaves the message for SQS redelivery"
    );
    let attempts = double.requests_to("/vectors/upsert");
    assert_eq!(attempts.len(), fast_retries().max_attempts);
    // Backoff between attempts, not a tight loop.
    assert!(attempts.last().unwrap().at - attempts[0].at >= Duration::from_millis(40));
    double.assert_clean();
}

#[tokio::test]
async fn a_bad_request_or_a_bad_key_is_permanent_and_not_retried() {
    let (double, store) = setup(None).await;
    double.push_fault(Fault::Status {
        status: 400,
        retry_after: None,
    });
    let err = store
        .upsert(&[record(1, 1, compact_vector(1))])
        .await
        .unwrap_err();
    assert!(
        matches!(err, VectorStoreError::Rejected { status: 400, .. }),
        "{err}"
    );
    assert!(!err.is_retryable());
    assert_eq!(double.requests_to("/vectors/upsert").len(), 1);

    // A record Pinecone will never take fails every upsert that holds it.
    double.refuse_id("7");
    let err = store
        .upsert(&[
            record(6, 1, compact_vector(6)),
            record(7, 1, compact_vector(7)),
        ])
        .await
        .unwrap_err();
    assert!(
        matches!(err, VectorStoreError::Rejected { status: 400, .. }),
        "{err}"
    );
    store
        .upsert(&[record(6, 1, compact_vector(6))])
        .await
        .unwrap();
    assert_eq!(double.requests_to("/vectors/upsert").len(), 3);

    let wrong_key = store_with_key(&double, "pcsk_wrong");
    let err = wrong_key.ping().await.unwrap_err();
    assert!(
        matches!(err, VectorStoreError::Rejected { status: 401, .. }),
        "{err}"
    );
    let err = wrong_key
        .delete(&[Tombstone {
            product_id: 1,
            version: 2,
        }])
        .await
        .unwrap_err();
    assert!(!err.is_retryable());
    assert_eq!(double.requests_to("/vectors/delete").len(), 1);
    double.assert_clean();
}

fn store_with_key(double: &Double, key: &str) -> PineconeStore {
    store(&double.url(), key, None, Duration::from_secs(5))
}

#[tokio::test]
async fn a_timed_out_request_is_retried() {
    let double = Double::start(API_KEY).await;
    let store = store(&double.url(), API_KEY, None, Duration::from_millis(300));
    double.push_fault(Fault::Delay(Duration::from_secs(2)));
    let started = Instant::now();
    store
        .upsert(&[record(1, 1, compact_vector(1))])
        .await
        .unwrap();

    assert_eq!(double.requests_to("/vectors/upsert").len(), 2);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    double.assert_clean();
}

#[tokio::test]
async fn an_unreachable_index_is_a_retryable_error() {
    // A port that was free a moment ago: connections are refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let store = store(&url, API_KEY, None, Duration::from_secs(1));
    let err = store.count().await.unwrap_err();
    assert!(
        matches!(err, VectorStoreError::Unavailable { status: None, .. }),
        "{err}"
    );
    assert!(err.is_retryable());
    assert!(store.ping().await.is_err());
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

/// The checks are not vacuous: requests that break the spec are refused
/// and reported, each for the reason it breaks it.
#[tokio::test]
async fn the_double_rejects_requests_that_break_the_spec() {
    let double = Double::start(API_KEY).await;
    let http = reqwest::Client::new();
    let vector: Vec<f32> = compact_vector(1);
    let send = |method: reqwest::Method, path: &str, body: Option<Value>, version: Option<&str>| {
        let mut request = http
            .request(method, format!("{}{path}", double.url()))
            .header("Api-Key", API_KEY);
        if let Some(version) = version {
            request = request.header("X-Pinecone-Api-Version", version);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send()
    };
    let v = Some("2025-10");
    let post = reqwest::Method::POST;
    let checks = [
        (send(post.clone(), "/query", Some(json!({"top_k": 10, "vector": vector})), v).await, "missing required property \"topK\""),
        (send(post.clone(), "/query", Some(json!({"topK": 10, "vector": vector, "include_metadata": true})), v).await, "unknown property \"include_metadata\""),
        (send(post.clone(), "/query", Some(json!({"topK": 10, "vector": vector})), None).await, "missing the X-Pinecone-Api-Version header"),
        (send(post.clone(), "/query", Some(json!({"topK": 10, "vector": vector})), Some("2024-07")).await, "2024-07"),
        (send(post.clone(), "/query", Some(json!({"topK": 10001, "vector": vector})), v).await, "above the maximum"),
        (send(post.clone(), "/query", Some(json!({"topK": 1, "vector": vector, "filter": {"price": {"$between": 1}}})), v).await, "unknown operator $between"),
        (send(post.clone(), "/vectors/upsert", Some(json!({"vectors": [{"id": "1", "values": ["x"]}]})), v).await, "expected number"),
        (send(post.clone(), "/vectors/upsert", Some(json!({"vectors": [{"id": "1", "values": vector, "metadata": {"category": null}}]})), v).await, "null"),
        (send(post.clone(), "/vectors/upsert", Some(json!({"vectors": [{"id": "1", "values": vector, "metadata": {"price": {"amount": 1}}}]})), v).await, "nested"),
        (send(post.clone(), "/vectors/upsert", Some(json!({"vectors": [{"id": "1", "values": [1.0, 2.0]}]})), v).await, "dimension 2"),
        (send(post.clone(), "/vectors/delete", Some(json!({"ids": (0..1001).map(|i| i.to_string()).collect::<Vec<_>>()})), v).await, "1001 items, more than 1000"),
        (send(reqwest::Method::GET, "/vectors/fetch?ids=1&bogus=2", None, v).await, "unknown query parameter \"bogus\""),
        (send(reqwest::Method::GET, "/vectors/fetch", None, v).await, "missing the ids query parameter"),
    ];
    for (response, _) in &checks {
        assert_eq!(response.as_ref().unwrap().status(), 400);
    }
    let violations = double.take_violations();
    assert_eq!(violations.len(), checks.len(), "{violations:#?}");
    for ((_, expected), violation) in checks.iter().zip(&violations) {
        assert!(
            violation.contains(expected),
            "expected {expected:?} in {violation:?}"
        );
    }

    // And the schemas themselves were read: a well-formed request passes.
    let ok = send(
        post,
        "/query",
        Some(json!({"topK": 1, "vector": vector, "includeMetadata": true})),
        v,
    )
    .await
    .unwrap();
    assert_eq!(ok.status(), 200);
    let spec = double.spec();
    assert!(
        spec.validate(
            spec.schema("QueryResponse"),
            &ok.json::<Value>().await.unwrap()
        )
        .is_empty()
    );
    double.assert_clean();
}

// The write ledger: conditional writes on top of Pinecone's unconditional
// ones (`PineconeStore::with_ledger`).

async fn ledger_setup(namespace: Option<&str>) -> (Double, PineconeStore, TestDatabase) {
    let db = TestDatabase::create().await;
    let double = Double::start(API_KEY).await;
    let store = store(&double.url(), API_KEY, namespace, Duration::from_secs(5))
        .with_ledger(db.pool.clone());
    (double, store, db)
}

fn stored_version(double: &Double, namespace: &str, product_id: i64) -> Option<i64> {
    double
        .stored_metadata(namespace, &product_id.to_string())
        .and_then(|m| m["version"].as_i64())
}

#[tokio::test]
async fn with_a_ledger_an_older_write_is_never_sent() {
    let (double, store, _db) = ledger_setup(None).await;
    store
        .upsert(&[record(1, 3, compact_vector(1))])
        .await
        .unwrap();
    // A late v2 (and a repeat of v3) change nothing and cost no request.
    store
        .upsert(&[record(1, 2, compact_vector(2))])
        .await
        .unwrap();
    store
        .upsert(&[record(1, 3, compact_vector(1))])
        .await
        .unwrap();
    assert_eq!(stored_version(&double, "", 1), Some(3));
    assert_eq!(double.requests_to("/vectors/upsert").len(), 1);

    // A delete is final: an older upsert does not bring the product back.
    store
        .delete(&[Tombstone {
            product_id: 1,
            version: 4,
        }])
        .await
        .unwrap();
    store
        .upsert(&[
            record(1, 3, compact_vector(1)),
            record(2, 1, compact_vector(2)),
        ])
        .await
        .unwrap();
    assert_eq!(stored_version(&double, "", 1), None);
    assert_eq!(stored_version(&double, "", 2), Some(1));
    let last = double.requests_to("/vectors/upsert").pop().unwrap();
    assert_eq!(vector_count(&last), 1, "only product 2 was sent");
    double.assert_clean();
}

#[tokio::test]
async fn with_a_ledger_a_failed_write_records_nothing() {
    let (double, store, _db) = ledger_setup(None).await;
    double.push_fault(Fault::Status {
        status: 400,
        retry_after: None,
    });
    let refused = store.upsert(&[record(7, 5, compact_vector(7))]).await;
    assert!(refused.is_err());
    // Not recorded as written, so the same change goes through next time.
    store
        .upsert(&[record(7, 5, compact_vector(7))])
        .await
        .unwrap();
    assert_eq!(stored_version(&double, "", 7), Some(5));
    double.assert_clean();
}

#[tokio::test]
async fn with_a_ledger_concurrent_writers_leave_the_newest_version() {
    let (double, first, db) = ledger_setup(Some("shop")).await;
    // A second writer (another emu) on the same index and database.
    let second = store(&double.url(), API_KEY, Some("shop"), Duration::from_secs(5))
        .with_ledger(db.pool.clone());
    // Versions 1..=24 of products 1..=3, sent in a shuffled order by 12
    // tasks at once, with slow answers to widen every race window.
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let mut writes: Vec<(i64, i64)> = (1..=3)
        .flat_map(|id| (1..=24).map(move |v| (id, v)))
        .collect();
    for i in (1..writes.len()).rev() {
        writes.swap(i, rng.random_range(0..=i));
    }
    for _ in 0..20 {
        double.push_fault(Fault::Delay(Duration::from_millis(30)));
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (task, chunk) in writes.chunks(6).enumerate() {
        let store = if task % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        let chunk = chunk.to_vec();
        tasks.spawn(async move {
            for (id, version) in chunk {
                let values = compact_vector((id * 100 + version) as usize);
                store.upsert(&[record(id, version, values)]).await.unwrap();
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    for id in 1..=3 {
        assert_eq!(
            stored_version(&double, "shop", id),
            Some(24),
            "product {id}"
        );
    }
    double.assert_clean();
}

#[tokio::test]
async fn each_index_and_namespace_has_its_own_ledger() {
    let (double, store_a, db) = ledger_setup(Some("a")).await;
    let store_b = store(&double.url(), API_KEY, Some("b"), Duration::from_secs(5))
        .with_ledger(db.pool.clone());
    store_a
        .upsert(&[record(1, 9, compact_vector(1))])
        .await
        .unwrap();
    store_b
        .upsert(&[record(1, 2, compact_vector(1))])
        .await
        .unwrap();
    assert_eq!(stored_version(&double, "a", 1), Some(9));
    assert_eq!(stored_version(&double, "b", 1), Some(2));
    double.assert_clean();
}
