//! The double itself: its spec checks are not vacuous.

use serde_json::{Value, json};
use testkit::pinecone_double::Double;

use crate::helpers::{API_KEY, compact_vector};

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
