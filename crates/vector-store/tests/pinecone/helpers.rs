//! What the tests share: the store under test against a fresh double, and
//! the vectors and records they write.

use std::time::Duration;

use rand::Rng;
use rust_decimal::Decimal;
use sqlx::PgPool;
use sync_core::retry::HttpRetryPolicy;
use sync_core::settings::Secret;
use testkit::TestDatabase;
use testkit::pinecone_double::{self as double, Double};
use vector_store::{DIMENSION, PineconeSettings, PineconeStore, ProductMetadata, VectorRecord};

pub(crate) const API_KEY: &str = "pcsk_test_0123456789";

/// The default policy's shape with short delays, so retry tests take
/// milliseconds (a `Retry-After` is still honoured in full).
pub(crate) fn fast_retries() -> HttpRetryPolicy {
    HttpRetryPolicy {
        max_attempts: 6,
        min_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
    }
}

/// A store on `pool`'s write ledger. Each test's double listens on a port
/// of its own, and ledger rows are keyed by index host and namespace, so
/// tests that do not look at the ledger share one database.
pub(crate) fn store(
    url: &str,
    api_key: &str,
    namespace: Option<&str>,
    timeout: Duration,
    pool: PgPool,
) -> PineconeStore {
    let settings = PineconeSettings {
        index_host: url.parse().unwrap(),
        api_key: Secret::new(api_key),
        namespace: namespace.map(str::to_owned),
        timeout,
    };
    PineconeStore::new(settings, pool)
        .unwrap()
        .with_retry_policy(fast_retries())
}

pub(crate) async fn shared_pool() -> PgPool {
    TestDatabase::shared().await.pool
}

pub(crate) async fn setup(namespace: Option<&str>) -> (Double, PineconeStore) {
    let double = Double::start(API_KEY).await;
    let store = store(
        &double.url(),
        API_KEY,
        namespace,
        Duration::from_secs(5),
        shared_pool().await,
    );
    (double, store)
}

/// A vector whose JSON is short ("0.0" mostly), so that 1000 fit in 2 MB.
pub(crate) fn compact_vector(i: usize) -> Vec<f32> {
    let mut v = vec![0.0; DIMENSION];
    v[i % DIMENSION] = 1.0;
    v[(i / DIMENSION + 1) % DIMENSION] += 0.5;
    v
}

/// A unit vector like a real embedding: every value a full-precision float.
pub(crate) fn realistic_vector(rng: &mut impl Rng) -> Vec<f32> {
    let v: Vec<f32> = (0..DIMENSION)
        .map(|_| rng.random_range(-1.0f32..1.0))
        .collect();
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.into_iter().map(|x| x / norm).collect()
}

/// cos(angle) to the first axis: smaller angle = more similar to `axis(0)`.
pub(crate) fn at_angle(angle: f32) -> Vec<f32> {
    let mut v = vec![0.0; DIMENSION];
    v[0] = angle.cos();
    v[1] = angle.sin();
    v
}

pub(crate) fn record(product_id: i64, version: i64, values: Vec<f32>) -> VectorRecord {
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

pub(crate) fn vector_count(request: &double::Recorded) -> usize {
    request.json()["vectors"].as_array().unwrap().len()
}
