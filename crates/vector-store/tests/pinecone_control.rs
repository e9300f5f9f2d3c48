//! `PineconeControl` (creating the index) against a local double of
//! Pinecone's control plane that checks every request against the official
//! OpenAPI spec (2025-10) and answers with the spec's shapes
//! (`testkit::pinecone_control_double`). No network, no Pinecone account.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use axum::http::Method;
use serde_json::json;
use sync_core::settings::Secret;
use testkit::pinecone_control_double::ControlDouble;
use vector_store::VectorStoreError;
use vector_store::pinecone_control::{
    ControlPlaneSettings, PineconeControl, ServerlessIndex, SetupWait,
};

const API_KEY: &str = "pcsk_control_test_0123456789";
/// What the double puts in index hosts, like compose's `PINECONE_HOST`.
const HOST_NAME: &str = "pinecone";

fn index() -> ServerlessIndex {
    ServerlessIndex {
        name: "catalog-products".into(),
        cloud: "aws".into(),
        region: "us-east-1".into(),
    }
}

/// The default wait's shape with short delays.
fn control(url: &str, api_key: &str, timeout: Duration) -> PineconeControl {
    PineconeControl::new(ControlPlaneSettings {
        control_url: url.parse().unwrap(),
        api_key: Secret::new(api_key),
        timeout: Duration::from_secs(5),
    })
    .unwrap()
    .with_wait(SetupWait {
        timeout,
        min_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
    })
}

async fn setup() -> (ControlDouble, PineconeControl) {
    let double = ControlDouble::start(API_KEY, HOST_NAME).await;
    let control = control(&double.url(), API_KEY, Duration::from_secs(10));
    (double, control)
}

#[tokio::test]
async fn creates_the_index_and_waits_until_it_is_ready() {
    let (double, control) = setup().await;
    double.ready_after_describes(3);

    let ready = control.ensure_index(&index()).await.unwrap();

    assert!(ready.created);
    assert_eq!(ready.name, "catalog-products");
    // Pinecone Local reports `pinecone:5081`; the scheme is the control
    // plane's, giving the form PINECONE_INDEX_HOST takes.
    assert_eq!(ready.host.0, "http://pinecone:5081");
    let creates = double.requests_to(&Method::POST, "/indexes");
    assert_eq!(creates.len(), 1);
    assert_eq!(
        creates[0].json(),
        json!({
            "name": "catalog-products",
            "dimension": 384,
            "metric": "cosine",
            "spec": {"serverless": {"cloud": "aws", "region": "us-east-1"}},
        })
    );
    assert_eq!(creates[0].headers["Api-Key"], API_KEY);
    assert_eq!(creates[0].headers["X-Pinecone-Api-Version"], "2025-10");
    // Polled until the third describe said ready, and not after.
    let describes = double.requests_to(&Method::GET, "/indexes/catalog-products");
    assert_eq!(describes.len(), 3);
    double.assert_clean();
}

#[tokio::test]
async fn a_second_run_accepts_the_existing_index() {
    let (double, control) = setup().await;
    let first = control.ensure_index(&index()).await.unwrap();
    let second = control.ensure_index(&index()).await.unwrap();

    assert!(first.created);
    assert!(!second.created, "the second create got 409");
    assert_eq!(second.host, first.host);
    assert_eq!(double.index_count(), 1);
    assert_eq!(double.requests_to(&Method::POST, "/indexes").len(), 2);
    second
        .expect_host(&"http://pinecone:5081".parse().unwrap())
        .unwrap();
    let drifted = second
        .expect_host(&"http://pinecone:5082".parse().unwrap())
        .unwrap_err()
        .to_string();
    assert!(drifted.contains("PINECONE_INDEX_HOST"), "{drifted}");
    double.assert_clean();
}

#[tokio::test]
async fn an_existing_index_of_another_shape_is_refused() {
    let (double, control) = setup().await;
    double.insert_index("catalog-products", 1536, "dotproduct");

    let err = control.ensure_index(&index()).await.unwrap_err();

    assert!(matches!(err, VectorStoreError::Config(_)), "{err:?}");
    assert!(!err.is_retryable());
    let message = err.to_string();
    assert!(message.contains("dimension 1536 (needs 384)"), "{message}");
    assert!(
        message.contains("metric dotproduct (needs cosine)"),
        "{message}"
    );
    assert!(message.contains("PINECONE_INDEX_NAME"), "{message}");
    // One create (409), one describe: nothing retried, nothing changed.
    assert_eq!(double.requests().len(), 2);
    double.assert_clean();
}

#[tokio::test]
async fn a_refused_api_key_is_named_and_not_retried() {
    let double = ControlDouble::start(API_KEY, HOST_NAME).await;
    let control = control(&double.url(), "pcsk_wrong_key", Duration::from_secs(10));

    let err = control.ensure_index(&index()).await.unwrap_err();

    let message = err.to_string();
    assert!(message.contains("PINECONE_API_KEY"), "{message}");
    assert!(message.contains("401"), "{message}");
    assert!(!message.contains("pcsk_wrong_key"), "{message}");
    assert!(!err.is_retryable());
    assert_eq!(double.requests().len(), 1);
    assert_eq!(double.index_count(), 0);
    double.assert_clean();
}

#[tokio::test]
async fn server_errors_and_throttling_are_retried() {
    let (double, control) = setup().await;
    double.push_fault(503, None);
    double.push_fault(500, None);
    double.push_fault(429, Some(1));
    let started = Instant::now();

    let ready = control.ensure_index(&index()).await.unwrap();

    assert!(ready.created);
    assert_eq!(double.requests_to(&Method::POST, "/indexes").len(), 4);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was not honoured ({:?})",
        started.elapsed()
    );
    double.assert_clean();
}

#[tokio::test]
async fn waits_for_a_control_plane_that_starts_late() {
    // A free port, closed again: nothing listens until the double starts.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let control = control(&format!("http://{addr}"), API_KEY, Duration::from_secs(10));
    let setup = tokio::spawn(async move { control.ensure_index(&index()).await });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !setup.is_finished(),
        "gave up while the control plane was down"
    );

    let double = ControlDouble::start_at(addr, API_KEY, HOST_NAME).await;
    let ready = tokio::time::timeout(Duration::from_secs(5), setup)
        .await
        .unwrap()
        .unwrap()
        .unwrap();

    assert_eq!(ready.host.0, "http://pinecone:5081");
    double.assert_clean();
}

#[tokio::test]
async fn the_wait_for_readiness_is_bounded() {
    let double = ControlDouble::start(API_KEY, HOST_NAME).await;
    double.ready_after_describes(usize::MAX);
    let control = control(&double.url(), API_KEY, Duration::from_millis(500));
    let started = Instant::now();

    let err = control.ensure_index(&index()).await.unwrap_err();

    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(2), "waited {waited:?}");
    let message = err.to_string();
    assert!(message.contains("not ready within"), "{message}");
    assert!(message.contains("Initializing"), "{message}");
    assert!(
        double
            .requests_to(&Method::GET, "/indexes/catalog-products")
            .len()
            > 1
    );
    double.assert_clean();
}
