//! Bulk upload over HTTP: upload URLs, import jobs and their pages, against
//! the emulator's S3 and the frontend's own import worker.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{API_KEY, TestApp, attribute_after, client, spawn, spawn_without_uploads};

const CSV: &str = "sku,name,description,price,category\n\
                   UP-1,Upload kettle,Boils water fast,19.99,Kitchen\n\
                   UP-2,Upload mug,Holds tea,not-a-price,Kitchen\n\
                   UP-3,Upload lamp,\"Lights a desk,\nwarmly\",35,Home\n";
const JOB_TIMEOUT: Duration = Duration::from_secs(60);

/// How a request authenticates.
#[derive(Clone, Copy)]
enum As {
    ApiKey,
    /// The logged-in session, with the page's CSRF token.
    Session,
}

async fn post(app: &TestApp, who: As, path: &str, body: Value) -> reqwest::Response {
    let mut request = app.client.post(app.url(path)).json(&body);
    request = match who {
        As::ApiKey => request.bearer_auth(API_KEY),
        As::Session => request.header("x-csrf-token", app.csrf_token("/").await),
    };
    request.send().await.unwrap()
}

async fn get(app: &TestApp, who: As, path: &str) -> reqwest::Response {
    let request = app.client.get(app.url(path));
    match who {
        As::ApiKey => request.bearer_auth(API_KEY),
        As::Session => request,
    }
    .send()
    .await
    .unwrap()
}

/// Upload `bytes` as a browser or a program does: ask for a URL, PUT.
async fn upload(app: &TestApp, who: As, bytes: &[u8]) -> String {
    let response = post(
        app,
        who,
        "/api/uploads",
        json!({"file_name": "catalog.csv", "size_bytes": bytes.len()}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let ticket: Value = response.json().await.unwrap();
    assert_eq!(ticket["method"], "PUT");
    let mut put = client()
        .put(ticket["url"].as_str().unwrap())
        .body(bytes.to_vec());
    for (name, value) in ticket["headers"].as_object().unwrap() {
        put = put.header(name, value.as_str().unwrap());
    }
    let stored = put.send().await.unwrap();
    assert!(stored.status().is_success(), "PUT: {}", stored.status());
    ticket["upload_id"].as_str().unwrap().to_owned()
}

/// Upload and start the import; the job as created.
async fn start(app: &TestApp, who: As, bytes: &[u8]) -> Value {
    let upload_id = upload(app, who, bytes).await;
    let response = post(
        app,
        who,
        "/api/imports",
        json!({"upload_id": upload_id, "file_name": "catalog.csv"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

/// Poll the job until it is imported or failed.
async fn finished(app: &TestApp, who: As, id: &str) -> Value {
    let started = Instant::now();
    loop {
        let job: Value = get(app, who, &format!("/api/imports/{id}"))
            .await
            .json()
            .await
            .unwrap();
        if job["phase"] == "imported" || job["phase"] == "failed" {
            return job;
        }
        assert!(started.elapsed() < JOB_TIMEOUT, "{job}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_program_uploads_imports_and_follows_its_job() {
    let app = spawn().await;
    let created = start(&app, As::ApiKey, CSV.as_bytes()).await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["page"], format!("/imports/{id}"));
    assert!(created["skipped_lines"].is_null());

    let job = finished(&app, As::ApiKey, &id).await;
    assert_eq!(job["phase"], "imported", "{job}");
    assert_eq!(job["state"], "done");
    assert_eq!(
        (
            &job["rows_total"],
            &job["rows_read"],
            &job["rows_imported"],
            &job["rows_skipped"]
        ),
        (&json!(3), &json!(3), &json!(2), &json!(1))
    );
    assert_eq!(job["percent"], 100);
    assert_eq!(
        job["skipped_lines"],
        json!([{"line": 3, "reason": "price \"not-a-price\" is not a number"}])
    );
    assert_eq!(job["index"]["total"], 2);
    assert!(job["rows_per_second"].as_f64().unwrap() > 0.0);
    // The products are in the catalog.
    let product: Value = app.get("/api/products/UP-3").await.json().await.unwrap();
    assert_eq!(product["description"], "Lights a desk,\nwarmly");

    // Creating the job of the same upload again answers the same job.
    let list: Value = get(&app, As::ApiKey, "/api/imports")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["jobs"][0]["id"], id.as_str());
    assert!(list["jobs"][0]["skipped_lines"].is_null());
}

#[tokio::test]
async fn a_retried_job_request_answers_the_same_job() {
    let app = spawn().await;
    let upload_id = upload(&app, As::ApiKey, CSV.as_bytes()).await;
    let body = json!({"upload_id": upload_id});
    let first = post(&app, As::ApiKey, "/api/imports", body.clone()).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = post(&app, As::ApiKey, "/api/imports", body).await;
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(first["id"], again["id"]);
    assert_eq!(again["file_name"], "upload.csv");
}

#[tokio::test]
async fn uploads_need_an_editor_and_the_pages_csrf_token() {
    let app = spawn().await;
    let body = json!({"file_name": "c.csv", "size_bytes": 10});
    let anonymous = app
        .client
        .post(app.url("/api/uploads"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    app.login().await;
    let without_token = app
        .client
        .post(app.url("/api/uploads"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(without_token.status(), StatusCode::FORBIDDEN);
    let with_token = post(&app, As::Session, "/api/uploads", body).await;
    assert_eq!(with_token.status(), StatusCode::CREATED);
    // Reading needs no token (a GET changes nothing).
    let list = get(&app, As::Session, "/api/imports").await;
    assert_eq!(list.status(), StatusCode::OK);
}

#[tokio::test]
async fn nobody_reads_or_imports_another_editors_upload() {
    let app = spawn().await;
    // A program (owner "api-key") uploads and imports...
    let upload_id = upload(&app, As::ApiKey, CSV.as_bytes()).await;
    let response = post(
        &app,
        As::ApiKey,
        "/api/imports",
        json!({"upload_id": upload_id}),
    )
    .await;
    let job: Value = response.json().await.unwrap();
    let id = job["id"].as_str().unwrap();
    // ...and a logged-in editor can neither start a job on that upload nor
    // see the job, by API or page.
    app.login().await;
    let foreign = post(
        &app,
        As::Session,
        "/api/imports",
        json!({"upload_id": upload_id}),
    )
    .await;
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
    let read = get(&app, As::Session, &format!("/api/imports/{id}")).await;
    assert_eq!(read.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&format!("/imports/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let mine: Value = get(&app, As::Session, "/api/imports")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["jobs"], json!([]));
}

#[tokio::test]
async fn bad_requests_name_the_field() {
    let app = spawn().await;
    let refused = |body: Value| {
        let app = &app;
        async move {
            let response = post(app, As::ApiKey, "/api/uploads", body).await;
            let status = response.status();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = refused(json!({"file_name": "c.csv", "size_bytes": 0})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "size_bytes");
    assert_eq!(body["errors"][0]["message"], "the file is empty");
    let (status, body) = refused(json!({"file_name": "c.csv", "size_bytes": 2_u64 << 30})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("at most")
    );
    let (status, body) = refused(json!({"file_name": " ", "size_bytes": 5})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "file_name");
    let (status, _) = refused(json!({"file_name": "c.csv", "size_bytes": 5, "x": 1})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let missing = post(
        &app,
        As::ApiKey,
        "/api/imports",
        json!({"upload_id": uuid::Uuid::new_v4()}),
    )
    .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let malformed = get(&app, As::ApiKey, "/api/imports/not-a-uuid").await;
    assert_eq!(malformed.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn without_a_bucket_bulk_upload_is_off() {
    let app = spawn_without_uploads().await;
    let response = post(
        &app,
        As::ApiKey,
        "/api/uploads",
        json!({"file_name": "c.csv", "size_bytes": 5}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    app.login().await;
    let page = app.get("/imports").await.text().await.unwrap();
    assert!(page.contains("Bulk upload is not configured"), "{page}");
    let status = app.get("/status").await.text().await.unwrap();
    assert!(!status.contains("recent-imports"));
}

#[tokio::test]
async fn the_pages_show_the_upload_form_the_job_and_the_recent_imports() {
    let app = spawn().await;
    let anonymous = app.get("/imports").await;
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    assert_eq!(anonymous.headers()["location"], "/login?next=%2Fimports");

    app.login().await;
    let page = app.get("/imports").await;
    assert_eq!(page.status(), StatusCode::OK);
    // The browser may PUT to S3 (the emulator here), and nowhere else.
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap();
    assert!(
        policy.contains(&format!(
            "connect-src 'self' {}",
            endpoint.trim_end_matches('/')
        )),
        "{policy}"
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("id=\"upload-form\""));
    assert!(html.contains("/imports/imports.js"));
    assert_eq!(
        attribute_after(&html, "data-max-bytes=\"").as_deref(),
        Some("1073741824")
    );

    let job = start(&app, As::Session, CSV.as_bytes()).await;
    let id = job["id"].as_str().unwrap();
    finished(&app, As::Session, id).await;
    let job_page = app
        .get(&format!("/imports/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(job_page.contains("data-phase=\"imported\""), "{job_page}");
    assert!(
        job_page.contains("3 of 3 rows read, 2 imported, 1 line skipped"),
        "{job_page}"
    );
    assert!(job_page.contains("<td class=\"line\">3</td>"), "{job_page}");
    // The editor's list, and the status page: the owner sees the file...
    let list = app.get("/imports").await.text().await.unwrap();
    assert!(list.contains(&format!("href=\"/imports/{id}\"")));
    let status = app.get("/status").await.text().await.unwrap();
    assert!(status.contains("id=\"recent-imports\""), "{status}");
    assert!(
        status.contains(&format!("href=\"/imports/{id}\"")),
        "{status}"
    );
    // ...anyone else only that an import happened.
    let stranger = client()
        .get(app.url("/status"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        stranger.contains("another editor&#39;s file")
            || stranger.contains("another editor's file"),
        "{stranger}"
    );
    assert!(!stranger.contains(id));
}
