//! The OpenAPI document (`docs/openapi.json`, `GET /api/openapi.json`):
//! the committed file is what the code generates, the documented limits are
//! the code's, every `/api/` route is in it, and real answers (results and
//! problem documents) conform to the schemas it gives for them.
//!
//! After changing a handler or an API type, regenerate the file with
//! `make openapi` (`UPDATE_OPENAPI=1 cargo test --release -p frontend
//! --test openapi committed_document`).
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

#[path = "web/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{API_KEY, CATALOG, spawn};

fn committed_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json")
}

fn document() -> Value {
    serde_json::from_str(frontend::api::openapi_json()).unwrap()
}

#[test]
fn committed_document_is_current() {
    let generated = frontend::api::openapi_json();
    let path = committed_path();
    if std::env::var_os("UPDATE_OPENAPI").is_some_and(|v| v == "1") {
        std::fs::write(&path, generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let first_difference = committed
            .lines()
            .zip(generated.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .map_or_else(
                || "one is a prefix of the other".to_owned(),
                |(i, (a, b))| format!("line {}:\n  committed: {a}\n  generated: {b}", i + 1),
            );
        panic!(
            "docs/openapi.json is not what the code generates ({first_difference}).\n\
             Regenerate it with `make openapi` (or `UPDATE_OPENAPI=1 cargo test --release \
             -p frontend --test openapi committed_document`) and commit the result."
        );
    }
}

/// `#[schema]` and `#[param]` limits are literals: they must be the
/// constants the code enforces.
#[test]
fn documented_limits_are_the_codes() {
    let doc = document();
    let search = &doc["paths"]["/api/search"]["get"];
    let param = |name: &str| {
        search["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("search parameter {name} is documented"))["schema"]
            .clone()
    };
    assert_eq!(
        param("q")["maxLength"],
        frontend::search::MAX_QUERY_CHARS,
        "q"
    );
    assert_eq!(param("k")["minimum"], 1, "k");
    assert_eq!(param("k")["maximum"], frontend::params::MAX_K, "k");
    assert_eq!(param("k")["default"], frontend::params::DEFAULT_K, "k");
    assert_eq!(param("page")["default"], 1, "page");
    for name in ["category", "min_price", "max_price"] {
        assert!(param(name).is_object(), "{name}");
    }

    let patch = &doc["components"]["schemas"]["ProductPatch"]["properties"];
    assert_eq!(
        patch["name"]["maxLength"],
        frontend::edit::MAX_NAME_CHARS,
        "{patch}"
    );
    assert_eq!(
        patch["description"]["maxLength"],
        frontend::edit::MAX_DESCRIPTION_CHARS,
        "{patch}"
    );
    assert_eq!(
        patch["category"]["maxLength"],
        frontend::edit::MAX_CATEGORY_CHARS,
        "{patch}"
    );

    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["api_key"]["scheme"], "bearer", "{schemes}");
    assert_eq!(schemes["session"]["in"], "cookie", "{schemes}");
    assert_eq!(
        schemes["session"]["name"],
        frontend::auth::SESSION_COOKIE,
        "{schemes}"
    );
    assert_eq!(schemes["csrf_token"]["in"], "header", "{schemes}");
    assert!(
        schemes["csrf_token"]["name"]
            .as_str()
            .unwrap()
            .eq_ignore_ascii_case(frontend::api::CSRF_HEADER),
        "{schemes}"
    );
}

/// Every `"/api/…"` path the sources route (`.route("/api/…"` or a
/// `#[utoipa::path(…, path = "/api/…")]`, which `OpenApiRouter` routes).
fn routed_api_paths() -> BTreeSet<String> {
    fn walk(dir: &Path, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for marker in [".route(\"/api/", "path = \"/api/"] {
                    for (at, _) in text.match_indices(marker) {
                        let start = at + marker.len() - "/api/".len();
                        let end = start + text[start..].find('"').unwrap();
                        out.insert(text[start..end].to_owned());
                    }
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    out
}

/// The schema the document gives for one answer, as a standalone JSON
/// Schema (2020-12, the dialect of OpenAPI 3.1) that resolves the
/// document's `#/components/...` references. Objects are closed
/// (`additionalProperties: false` where the document leaves it open), so a
/// field the document does not list is an error too.
fn answer_schema(doc: &Value, path: &str, method: &str, status: u16, content_type: &str) -> Value {
    let operation = &doc["paths"][path][method];
    let response = &operation["responses"][status.to_string()];
    assert!(
        response.is_object(),
        "{} {path} answered {status}, which the document does not list",
        method.to_uppercase()
    );
    let schema = &response["content"][content_type]["schema"];
    assert!(
        schema.is_object(),
        "{} {path} {status}: no {content_type} schema in {response}",
        method.to_uppercase()
    );
    let mut schema = schema.clone();
    let mut components = doc["components"].clone();
    close_objects(&mut schema);
    close_objects(&mut components);
    let object = schema.as_object_mut().unwrap();
    object.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    object.insert("components".into(), components);
    schema
}

fn close_objects(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), json!(false));
            }
            map.values_mut().for_each(close_objects);
        }
        Value::Array(items) => items.iter_mut().for_each(close_objects),
        _ => {}
    }
}

fn assert_conforms(schema: &Value, body: &Value, what: &str) {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .unwrap_or_else(|e| panic!("{what}: the documented schema does not compile: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: the answer does not conform to the documented schema:\n{}\nanswer: {body}",
        errors.join("\n")
    );
}

struct Call {
    method: Method,
    path: &'static str,
    url: String,
    bearer: Option<&'static str>,
    body: Option<Value>,
    raw_body: Option<&'static str>,
}

fn call(method: Method, path: &'static str, url: impl Into<String>) -> Call {
    Call {
        method,
        path,
        url: url.into(),
        bearer: None,
        body: None,
        raw_body: None,
    }
}

impl Call {
    fn bearer(mut self, key: &'static str) -> Self {
        self.bearer = Some(key);
        self
    }

    fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    fn raw(mut self, body: &'static str) -> Self {
        self.raw_body = Some(body);
        self
    }
}

#[tokio::test]
async fn served_document_covers_every_route_and_real_answers_conform() {
    let app = spawn().await;
    app.seed(&CATALOG[..4]).await;

    // Served, unauthenticated, with the security headers of every route.
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/json");
    assert!(
        headers.contains_key("content-security-policy"),
        "{headers:?}"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let served: Value = response.json().await.unwrap();
    let doc = document();
    assert_eq!(served, doc, "the served document is the generated one");
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );

    // Every /api route the sources register is documented.
    let documented: BTreeSet<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    let routed = routed_api_paths();
    for must in [
        "/api/search",
        "/api/products/{sku}",
        "/api/status",
        "/api/openapi.json",
    ] {
        assert!(
            routed.contains(must),
            "found {must} in the sources: {routed:?}"
        );
    }
    let undocumented: Vec<&String> = routed.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from the OpenAPI document: {undocumented:?}"
    );
    for path in ["/healthz", "/readyz", "/metrics"] {
        assert!(documented.contains(path), "{path} is documented");
    }

    // Each documented operation answers one of its documented statuses,
    // with a body that conforms to the schema documented for it. The calls
    // cover every operation, the success answers and each kind of problem.
    let sku = CATALOG[0].sku;
    let product = format!("/api/products/{sku}");
    let calls = vec![
        call(Method::GET, "/api/search", "/api/search?q=warm+socks&k=2"),
        call(Method::GET, "/api/search", "/api/search"),
        call(Method::GET, "/api/search", "/api/search?k=0"),
        call(Method::GET, "/api/search", "/api/search?min_price=cheap"),
        call(Method::GET, "/api/products/{sku}", product.clone()),
        call(Method::GET, "/api/products/{sku}", "/api/products/NOPE-404"),
        call(Method::PATCH, "/api/products/{sku}", product.clone())
            .bearer(API_KEY)
            .json(json!({"price": "17.50", "category": null})),
        call(Method::PATCH, "/api/products/{sku}", product.clone()).json(json!({"name": "x"})),
        call(Method::PATCH, "/api/products/{sku}", product.clone())
            .bearer("wrong-key")
            .json(json!({"name": "x"})),
        call(Method::PATCH, "/api/products/{sku}", product.clone())
            .bearer(API_KEY)
            .json(json!({"name": "", "price": "-1"})),
        call(Method::PATCH, "/api/products/{sku}", product.clone())
            .bearer(API_KEY)
            .json(json!({"descripton": "typo"})),
        call(Method::PATCH, "/api/products/{sku}", product.clone())
            .bearer(API_KEY)
            .json(json!({"name": "y", "version": 999})),
        call(Method::PATCH, "/api/products/{sku}", product.clone())
            .bearer(API_KEY)
            .raw("{not json"),
        call(
            Method::PATCH,
            "/api/products/{sku}",
            "/api/products/NOPE-404",
        )
        .bearer(API_KEY)
        .json(json!({"name": "z"})),
        call(Method::GET, "/api/status", "/api/status"),
        call(Method::GET, "/api/openapi.json", "/api/openapi.json"),
        call(Method::POST, "/api/uploads", "/api/uploads")
            .bearer(API_KEY)
            .json(json!({"file_name": "catalog.csv", "size_bytes": 1234})),
        call(Method::POST, "/api/uploads", "/api/uploads")
            .bearer(API_KEY)
            .json(json!({"file_name": "catalog.csv", "size_bytes": 0})),
        call(Method::POST, "/api/uploads", "/api/uploads")
            .json(json!({"file_name": "catalog.csv", "size_bytes": 1})),
        call(Method::POST, "/api/imports", "/api/imports")
            .bearer(API_KEY)
            .json(json!({"upload_id": "00000000-0000-4000-8000-000000000000"})),
        call(Method::POST, "/api/imports", "/api/imports")
            .bearer(API_KEY)
            .raw("{\"upload_id\": "),
        call(Method::GET, "/api/imports", "/api/imports").bearer(API_KEY),
        call(
            Method::GET,
            "/api/imports/{id}",
            "/api/imports/00000000-0000-4000-8000-000000000000",
        )
        .bearer(API_KEY),
        call(Method::GET, "/healthz", "/healthz"),
        call(Method::GET, "/readyz", "/readyz"),
        call(Method::GET, "/metrics", "/metrics"),
    ];
    let mut covered = BTreeSet::new();
    let mut statuses = BTreeSet::new();
    for c in calls {
        let method = c.method.as_str().to_lowercase();
        let what = format!("{} {}", c.method, c.url);
        let mut request = app.client.request(c.method.clone(), app.url(&c.url));
        if let Some(key) = c.bearer {
            request = request.bearer_auth(key);
        }
        if let Some(body) = &c.body {
            request = request.json(body);
        }
        if let Some(raw) = c.raw_body {
            request = request.header("content-type", "application/json").body(raw);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        let text = response.text().await.unwrap();
        let operation = &doc["paths"][c.path][&method];
        assert!(operation.is_object(), "{what}: not documented");
        let response_doc = &operation["responses"][status.to_string()];
        assert!(
            response_doc.is_object(),
            "{what} answered {status}, which the document does not list: {text}"
        );
        let documented_type = response_doc["content"]
            .as_object()
            .and_then(|c| c.keys().find(|k| content_type.starts_with(k.as_str())))
            .unwrap_or_else(|| {
                panic!("{what}: {status} answered {content_type}, not a documented type: {response_doc}")
            })
            .clone();
        if documented_type.ends_with("json") {
            let body: Value = serde_json::from_str(&text).unwrap();
            let schema = answer_schema(&doc, c.path, &method, status, &documented_type);
            assert_conforms(&schema, &body, &what);
        }
        covered.insert(format!("{method} {}", c.path));
        statuses.insert(status);
    }

    // Every documented operation was called.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "delete", "patch", "head", "options"]
                .contains(&method.as_str())
            {
                assert!(
                    covered.contains(&format!("{method} {path}")),
                    "{method} {path} is documented but not exercised here"
                );
            }
        }
    }
    for status in [200, 400, 401, 404, 409, 422] {
        assert!(
            statuses.contains(&status),
            "no {status} answer was checked: {statuses:?}"
        );
    }
}

/// A logged-in browser without the CSRF token gets the documented 403.
#[tokio::test]
async fn session_without_csrf_token_is_a_documented_403() {
    let app = spawn().await;
    app.seed(&CATALOG[..1]).await;
    app.login().await;
    let path = format!("/api/products/{}", CATALOG[0].sku);
    let response = app
        .client
        .patch(app.url(&path))
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = response.json().await.unwrap();
    let doc = document();
    let schema = answer_schema(
        &doc,
        "/api/products/{sku}",
        "patch",
        403,
        "application/problem+json",
    );
    assert_conforms(&schema, &body, "PATCH with a session and no CSRF token");
}

/// A real import job's answers (created, created again, followed to its
/// end with skipped lines) conform to the documented schemas.
#[tokio::test]
async fn import_job_answers_conform() {
    let app = spawn().await;
    let doc = document();
    let csv = "sku,name,description,price\nOA-1,One,First,1\nOA-2,Two,Second,cheap\n";
    let ticket: Value = app
        .client
        .post(app.url("/api/uploads"))
        .bearer_auth(API_KEY)
        .json(&json!({"file_name": "c.csv", "size_bytes": csv.len()}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut put = reqwest::Client::new()
        .put(ticket["url"].as_str().unwrap())
        .body(csv);
    for (name, value) in ticket["headers"].as_object().unwrap() {
        put = put.header(name, value.as_str().unwrap());
    }
    assert!(put.send().await.unwrap().status().is_success());
    let mut id = String::new();
    for expected in [201, 200] {
        let response = app
            .client
            .post(app.url("/api/imports"))
            .bearer_auth(API_KEY)
            .json(&json!({"upload_id": ticket["upload_id"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), expected);
        let body: Value = response.json().await.unwrap();
        let schema = answer_schema(&doc, "/api/imports", "post", expected, "application/json");
        assert_conforms(&schema, &body, "POST /api/imports");
        id = body["id"].as_str().unwrap().to_owned();
    }
    let schema = answer_schema(&doc, "/api/imports/{id}", "get", 200, "application/json");
    let started = std::time::Instant::now();
    loop {
        let body: Value = app
            .client
            .get(app.url(&format!("/api/imports/{id}")))
            .bearer_auth(API_KEY)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_conforms(&schema, &body, "GET /api/imports/{id}");
        if body["phase"] == "imported" {
            assert_eq!(body["skipped_lines"][0]["line"], 3);
            break;
        }
        assert!(started.elapsed().as_secs() < 60, "{body}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
