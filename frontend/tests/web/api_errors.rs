//! Every bad input of the API → its documented 4xx with a problem document;
//! PATCH through the API key, and the index state that follows it.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{API_KEY, CATALOG, json, spawn};

async fn assert_problem(
    response: reqwest::Response,
    status: StatusCode,
    what: &str,
) -> serde_json::Value {
    assert_eq!(response.status(), status, "{what}");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "application/problem+json", "{what}");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], status.as_u16(), "{what}: {body}");
    assert!(
        !body["detail"].as_str().unwrap().is_empty(),
        "{what}: {body}"
    );
    body
}

#[tokio::test]
async fn bad_search_parameters_are_explained() {
    let app = spawn().await;
    app.seed(&CATALOG[..3]).await;
    let long = "a".repeat(513);
    let bad = StatusCode::BAD_REQUEST;
    let range = StatusCode::UNPROCESSABLE_ENTITY;
    for (query, status, param) in [
        ("k=0".to_owned(), range, "k"),
        ("k=101".to_owned(), range, "k"),
        ("k=ten".to_owned(), bad, "k"),
        (format!("q={long}"), range, "q"),
        ("min_price=cheap".to_owned(), bad, "min_price"),
        ("max_price=1%2C5".to_owned(), bad, "max_price"),
        ("min_price=-5".to_owned(), range, "min_price"),
        ("min_price=50&max_price=10".to_owned(), range, "min_price"),
        ("page=0".to_owned(), range, "page"),
        ("page=x".to_owned(), bad, "page"),
        ("q=%C3%28".to_owned(), bad, "q"),
    ] {
        let body = assert_problem(
            app.get(&format!("/api/search?{query}")).await,
            status,
            &query,
        )
        .await;
        assert_eq!(body["param"], param, "{query}");
    }
    // The longest allowed query is fine.
    let ok = app.get(&format!("/api/search?q={}", "a".repeat(512))).await;
    assert_eq!(ok.status(), StatusCode::OK);
}

#[tokio::test]
async fn unknown_products_and_paths_are_404_problems() {
    let app = spawn().await;
    assert_problem(
        app.get("/api/products/NOPE-1").await,
        StatusCode::NOT_FOUND,
        "GET",
    )
    .await;
    assert_problem(
        app.get(&format!("/api/products/{}", "X".repeat(500))).await,
        StatusCode::NOT_FOUND,
        "long",
    )
    .await;
    assert_problem(
        app.get("/api/nothing-here").await,
        StatusCode::NOT_FOUND,
        "path",
    )
    .await;
    let patch = app
        .client
        .patch(app.url("/api/products/NOPE-1"))
        .bearer_auth(API_KEY)
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_problem(patch, StatusCode::NOT_FOUND, "PATCH").await;
    let wrong_method = app
        .client
        .delete(app.url("/api/products/NOPE-1"))
        .send()
        .await
        .unwrap();
    assert_problem(wrong_method, StatusCode::METHOD_NOT_ALLOWED, "DELETE").await;
}

#[tokio::test]
async fn bad_patches_are_refused_and_change_nothing() {
    let app = spawn().await;
    app.seed(&CATALOG[..1]).await;
    let url = app.url("/api/products/SOCK-001");
    let send = |body: reqwest::Body, content_type: &'static str, key: Option<&'static str>| {
        let mut request = app
            .client
            .patch(&url)
            .header("content-type", content_type)
            .body(body);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        request.send()
    };
    let key = Some(API_KEY);
    let cases: Vec<(reqwest::Body, &str, Option<&str>, StatusCode, &str)> = vec![
        (
            "{\"name\":\"x\"}".into(),
            "application/json",
            None,
            StatusCode::UNAUTHORIZED,
            "no credentials",
        ),
        (
            "{\"name\":\"x\"}".into(),
            "application/json",
            Some("wrong"),
            StatusCode::UNAUTHORIZED,
            "wrong key",
        ),
        (
            "{not json".into(),
            "application/json",
            key,
            StatusCode::BAD_REQUEST,
            "syntax",
        ),
        (
            "{\"name\":5}".into(),
            "application/json",
            key,
            StatusCode::UNPROCESSABLE_ENTITY,
            "type",
        ),
        (
            "{\"price\":\"free\"}".into(),
            "application/json",
            key,
            StatusCode::UNPROCESSABLE_ENTITY,
            "price",
        ),
        (
            "{\"price\":\"-3\"}".into(),
            "application/json",
            key,
            StatusCode::UNPROCESSABLE_ENTITY,
            "negative",
        ),
        (
            "{\"name\":\"\"}".into(),
            "application/json",
            key,
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty name",
        ),
        (
            "{\"descripton\":\"x\"}".into(),
            "application/json",
            key,
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown field",
        ),
        (
            "{}".into(),
            "application/json",
            key,
            StatusCode::UNPROCESSABLE_ENTITY,
            "nothing",
        ),
        (
            "name=x".into(),
            "application/x-www-form-urlencoded",
            key,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "form",
        ),
        (
            vec![b'a'; 1 << 20].into(),
            "application/json",
            key,
            StatusCode::PAYLOAD_TOO_LARGE,
            "1 MB",
        ),
    ];
    for (body, content_type, key, status, what) in cases {
        assert_problem(send(body, content_type, key).await.unwrap(), status, what).await;
    }
    let product = json(app.get("/api/products/SOCK-001").await).await;
    assert_eq!(
        (product["version"].as_i64(), product["name"].as_str()),
        (Some(1), Some(CATALOG[0].name))
    );
}

#[tokio::test]
async fn an_api_key_edit_is_indexing_until_the_new_vector_is_written() {
    let app = spawn().await;
    let ids = app.seed(&CATALOG[..2]).await;
    let before = json(app.get("/api/products/SOCK-001").await).await;
    assert_eq!(before["index_state"], "indexed");
    assert_eq!(
        (
            before["version"].as_i64(),
            before["indexed_version"].as_i64()
        ),
        (Some(1), Some(1))
    );

    let response = app
        .client
        .patch(app.url("/api/products/SOCK-001"))
        .bearer_auth(API_KEY)
        .json(&json!({"description": "Now with alpaca wool.", "price": 21.5, "category": null, "version": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let after = json(response).await;
    assert_eq!(after["description"], "Now with alpaca wool.");
    assert_eq!(after["price"], "21.50");
    assert!(after["category"].is_null());
    assert_eq!(
        (after["version"].as_i64(), after["index_state"].as_str()),
        (Some(2), Some("indexing"))
    );

    // A stale version is a conflict, not a lost update.
    let stale = app
        .client
        .patch(app.url("/api/products/SOCK-001"))
        .bearer_auth(API_KEY)
        .json(&json!({"name": "Older edit", "version": 1}))
        .send()
        .await
        .unwrap();
    assert_problem(stale, StatusCode::CONFLICT, "stale version").await;

    app.index(ids[0]).await;
    let indexed = json(app.get("/api/products/SOCK-001").await).await;
    assert_eq!(
        (
            indexed["index_state"].as_str(),
            indexed["indexed_version"].as_i64()
        ),
        (Some("indexed"), Some(2))
    );
}
