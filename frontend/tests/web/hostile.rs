//! Hostile input on every route never yields a 500: SQL and HTML payloads,
//! invalid UTF-8 in query strings and paths, 1 MB bodies, huge headers.

use reqwest::{Method, StatusCode};

use crate::helpers::{API_KEY, CATALOG, spawn};

const PAYLOADS: &[&str] = &[
    "'%20OR%201%3D1%3B%20DROP%20TABLE%20products%3B%20--",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "%FF%FE%FD",
    "%C3%28",
    "%00",
    "%E2%80%AE%F0%9F%92%A9",
    "%25%25%25",
    "..%2F..%2Fetc%2Fpasswd",
    "1e999999",
    "-0",
    "99999999999999999999999999999999999999",
];

/// Routes with a `{}` where a payload goes into the path.
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/api/search"),
    ("GET", "/products/{}"),
    ("GET", "/products/{}/edit"),
    ("POST", "/products/{}/edit"),
    ("GET", "/api/products/{}"),
    ("PATCH", "/api/products/{}"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/status"),
    ("GET", "/status/badge"),
    ("GET", "/api/status"),
    ("GET", "/static/app.js"),
    ("GET", "/imports"),
    ("GET", "/imports/{}"),
    ("POST", "/api/uploads"),
    ("POST", "/api/imports"),
    ("GET", "/api/imports"),
    ("GET", "/api/imports/{}"),
    ("GET", "/{}"),
];

#[tokio::test]
async fn no_route_answers_500_to_hostile_input() {
    let app = spawn().await;
    app.seed(&CATALOG[..3]).await;
    app.login().await;
    let megabyte = "a".repeat(1 << 20);
    let mut checked = 0;
    for (method, route) in ROUTES {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        for payload in PAYLOADS {
            let path = route.replace("{}", payload);
            let query = format!(
                "q={payload}&k={payload}&page={payload}&category={payload}&min_price={payload}&max_price={payload}&next={payload}"
            );
            let form = format!(
                "csrf_token={payload}&username={payload}&password={payload}&name={payload}&description={payload}&price={payload}&version={payload}"
            );
            let json = format!(
                r#"{{"name": "{payload}", "price": "{payload}", "description": "{payload}"}}"#
            );
            let requests = [
                app.client
                    .request(method.clone(), app.url(&format!("{path}?{query}"))),
                app.client
                    .request(method.clone(), app.url(&path))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(form),
                app.client
                    .request(method.clone(), app.url(&path))
                    .bearer_auth(API_KEY)
                    .header("content-type", "application/json")
                    .body(json),
                app.client
                    .request(method.clone(), app.url(&path))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(megabyte.clone()),
                app.client
                    .request(method.clone(), app.url(&path))
                    .header("x-huge", "h".repeat(64 * 1024)),
            ];
            for request in requests {
                let response = request.send().await.unwrap();
                assert!(
                    response.status() < StatusCode::INTERNAL_SERVER_ERROR,
                    "{method} {path}: {}",
                    response.status()
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, ROUTES.len() * PAYLOADS.len() * 5);
    // And the catalog is still there.
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM products")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(count, 3);
}
