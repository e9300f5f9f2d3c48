//! Faults and retries: throttling and `Retry-After`, server errors,
//! permanent refusals, timeouts and an unreachable index.

use std::time::{Duration, Instant};

use testkit::pinecone_double::{Double, Fault, RetryAfter};
use vector_store::{PineconeStore, Tombstone, VectorStore, VectorStoreError};

use crate::helpers::{API_KEY, compact_vector, fast_retries, record, setup, shared_pool, store};

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

    let wrong_key = store_with_key(&double, "pcsk_wrong").await;
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

async fn store_with_key(double: &Double, key: &str) -> PineconeStore {
    store(
        &double.url(),
        key,
        None,
        Duration::from_secs(5),
        shared_pool().await,
    )
}

#[tokio::test]
async fn a_timed_out_request_is_retried() {
    let double = Double::start(API_KEY).await;
    let store = store(
        &double.url(),
        API_KEY,
        None,
        Duration::from_millis(300),
        shared_pool().await,
    );
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
    let store = store(
        &url,
        API_KEY,
        None,
        Duration::from_secs(1),
        shared_pool().await,
    );
    let err = store.count().await.unwrap_err();
    assert!(
        matches!(err, VectorStoreError::Unavailable { status: None, .. }),
        "{err}"
    );
    assert!(err.is_retryable());
    assert!(store.ping().await.is_err());
}
