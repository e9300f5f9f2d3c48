//! The write ledger: conditional writes on top of Pinecone's unconditional
//! ones. These tests read the ledger table, so each has a database.

use std::time::Duration;

use rand::{Rng, SeedableRng};
use testkit::TestDatabase;
use testkit::pinecone_double::{Double, Fault};
use vector_store::{PineconeStore, Tombstone, VectorStore};

use crate::helpers::{API_KEY, compact_vector, record, store, vector_count};

async fn ledger_setup(namespace: Option<&str>) -> (Double, PineconeStore, TestDatabase) {
    let db = TestDatabase::create().await;
    let double = Double::start(API_KEY).await;
    let store = store(
        &double.url(),
        API_KEY,
        namespace,
        Duration::from_secs(5),
        db.pool.clone(),
    );
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
    let second = store(
        &double.url(),
        API_KEY,
        Some("shop"),
        Duration::from_secs(5),
        db.pool.clone(),
    );
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
    let store_b = store(
        &double.url(),
        API_KEY,
        Some("b"),
        Duration::from_secs(5),
        db.pool.clone(),
    );
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
