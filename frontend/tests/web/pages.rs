//! What every response carries (security headers, request ids), escaping
//! of user content, static assets, health and metrics.

use reqwest::StatusCode;

use crate::helpers::{self, CATALOG, product, spawn};

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

#[tokio::test]
async fn user_content_is_escaped() {
    let app = spawn().await;
    app.seed(&[product(
        "XSS-1",
        "<img src=x onerror=alert(1)> lamp",
        "Home",
        "10.00",
        "<script>alert('owned')</script> A lamp.",
    )])
    .await;
    for path in ["/products/XSS-1", "/?q=lamp", "/", "/products/XSS-1/edit"] {
        let html = app.get(path).await.text().await.unwrap();
        assert!(!html.contains("<script>alert"), "{path}");
        assert!(!html.contains("<img src=x"), "{path}");
    }
    let page = app.get("/products/XSS-1").await.text().await.unwrap();
    assert!(
        page.contains("&#60;script&#62;alert(&#39;owned&#39;)&#60;/script&#62;")
            || page.contains("&lt;script&gt;"),
        "{page}"
    );
    // A query echoed back is escaped too.
    let html = app
        .get("/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>alert(1)"));
}

#[tokio::test]
async fn hsts_is_sent_only_when_the_site_is_served_over_https() {
    let plain = spawn().await;
    let response = plain.get("/").await;
    assert!(!response.headers().contains_key("strict-transport-security"));
    let https = helpers::spawn_with(&["--hsts", "true"]).await;
    for path in ["/", "/api/search?q=socks", "/nope"] {
        let response = https.get(path).await;
        assert_eq!(
            response.headers()["strict-transport-security"],
            "max-age=31536000",
            "{path}"
        );
    }
}

#[tokio::test]
async fn every_response_has_the_security_headers_and_a_request_id() {
    let app = spawn().await;
    app.seed(&CATALOG[..2]).await;
    for path in [
        "/",
        "/products/SOCK-001",
        "/login",
        "/api/search?q=socks",
        "/static/app.js",
        "/nope",
        "/api/nope",
    ] {
        let response = app.get(path).await;
        let headers = response.headers();
        assert_eq!(headers["content-security-policy"], CSP, "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        assert!(headers.contains_key("x-request-id"), "{path}");
    }
    let js = app.get("/static/app.js").await;
    assert_eq!(
        js.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert!(js.text().await.unwrap().contains("/status/badge"));
    let css = app.get("/static/app.css").await;
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    // No inline script or style on the pages (the CSP would block them).
    let html = app.get("/").await.text().await.unwrap();
    assert!(!html.contains("<script>") && !html.contains("style=") && !html.contains("<style"));
    assert!(html.contains("<a id=\"sync-badge\" href=\"/status\">sync status</a>"));
    assert_eq!(app.get("/nope").await.status(), StatusCode::NOT_FOUND);
    // A request id the client sent is kept.
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "abc-123");
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = spawn().await;
    app.seed(&CATALOG[..2]).await;
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    let ready = testkit::eventually(std::time::Duration::from_secs(30), || async {
        app.get("/readyz").await.status() == StatusCode::OK
    })
    .await;
    assert!(
        ready,
        "/readyz: {}",
        app.get("/readyz").await.text().await.unwrap()
    );
    let ready: serde_json::Value = app.get("/readyz").await.json().await.unwrap();
    for check in ["postgres", "vector_store", "model"] {
        assert_eq!(ready[check], "ok", "{ready}");
    }
    // The same search twice reuses the ranking; the same query with another
    // filter is ranked again but reuses the query's embedding.
    app.get("/api/search?q=warm+socks").await;
    app.get("/api/search?q=warm+socks").await;
    app.get("/api/search?q=warm+socks&min_price=1").await;
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("http_request_duration_seconds_bucket"),
        "latency, as a histogram"
    );
    assert!(metrics.contains("route=\"/api/search\""), "by route");
    assert!(
        metrics.contains("search_query_cache_total{result=\"hit\"}"),
        "cache hits"
    );
    assert!(
        metrics.contains("search_query_cache_total{result=\"miss\"}"),
        "cache misses"
    );
    assert!(
        metrics.contains("search_result_cache_total{result=\"hit\"}"),
        "ranking reused"
    );
}
