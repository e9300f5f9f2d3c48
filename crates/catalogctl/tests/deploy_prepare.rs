//! `catalogctl deploy-prepare` and least privilege in the database: after
//! it ran, every service works when logged in as its own role (relay,
//! index, search, edit, bulk import, status, delete, verify --repair), and a
//! role cannot
//! do what another service does.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use sqlx::PgPool;
use testkit::process::{Service, ServiceProcess, stack_env};
use testkit::{TestDatabase, TestQueues, eventually};

const PASSWORD_PELICAN: &str = "pelican-test-password-3f9a";
const PASSWORD_EMU: &str = "emu-test-password-7c21";
const PASSWORD_FRONTEND: &str = "frontend-test-password-b804";
const API_KEY: &str = "deploy-prepare-test-api-key";
const SKUS: u64 = 30;

/// `url` logged in as `user` with `password`.
fn as_role(url: &str, user: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{user}:{password}@{host}")
}

async fn catalogctl(args: &[&str], env: &[(String, String)]) -> std::process::Output {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_catalogctl"))
        .args(args)
        .env_clear()
        .envs(env.iter().cloned())
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        // Away from the repository's `.env`, which catalogctl would load.
        .current_dir(std::env::temp_dir())
        .kill_on_drop(true)
        .output();
    tokio::time::timeout(Duration::from_secs(120), output)
        .await
        .unwrap()
        .unwrap()
}

async fn spawn(service: Service, env: Vec<(String, String)>) -> ServiceProcess {
    let mut process = ServiceProcess::spawn(service, env).await.unwrap();
    process
        .wait_ready(Duration::from_secs(120))
        .await
        .unwrap_or_else(|log| panic!("{service:?} as its role did not become ready: {log}"));
    process
}

/// Products whose vector is at the row's version.
async fn indexed(pool: &PgPool) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM products p JOIN product_vectors v
           ON v.product_id = p.id AND v.version = p.version AND NOT v.deleted",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

/// A fresh uploads bucket on the emulator for the frontend's import jobs.
async fn uploads_bucket(db: &TestDatabase) -> String {
    let bucket = format!("roles-{}", db.name.replace('_', "-"));
    let config = sync_core::queue::sdk_config(&testkit::aws_settings()).await;
    catalog_import::objects::provision_bucket(
        &catalog_import::objects::s3_client(&config, None),
        "us-east-1",
        &catalog_import::objects::BucketSetup {
            bucket: bucket.clone(),
            allowed_origins: vec!["http://127.0.0.1".into()],
            expiry_days: 1,
        },
    )
    .await
    .unwrap();
    bucket
}

/// Upload a two-product CSV through the frontend's API and wait until its
/// job says imported.
async fn bulk_import(http: &reqwest::Client, base: &str) {
    let csv = "sku,name,description,price,category\n\
               BULK-1,Bulk lantern,A lantern loaded from a bulk upload,12.50,garden\n\
               BULK-2,Bulk kite,A kite loaded from a bulk upload,20.00,toys\n";
    let ticket: serde_json::Value = http
        .post(format!("{base}/api/uploads"))
        .bearer_auth(API_KEY)
        .json(&serde_json::json!({"file_name": "bulk.csv", "size_bytes": csv.len()}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut put = http.put(ticket["url"].as_str().unwrap()).body(csv);
    for (name, value) in ticket["headers"].as_object().unwrap() {
        put = put.header(name, value.as_str().unwrap());
    }
    assert!(put.send().await.unwrap().status().is_success());
    let job: serde_json::Value = http
        .post(format!("{base}/api/imports"))
        .bearer_auth(API_KEY)
        .json(&serde_json::json!({"upload_id": ticket["upload_id"], "file_name": "bulk.csv"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = format!("{base}/api/imports/{}", job["id"].as_str().unwrap());
    let imported = eventually(Duration::from_secs(60), || async {
        let job: serde_json::Value = http
            .get(&url)
            .bearer_auth(API_KEY)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_ne!(job["phase"], "failed", "{job}");
        job["phase"] == "imported" && job["rows_imported"] == 2
    })
    .await;
    assert!(
        imported,
        "the bulk import as catalog_frontend did not finish"
    );
}

#[tokio::test]
async fn every_service_works_as_its_own_role_and_only_as_it() {
    let db = TestDatabase::create().await;
    let queues = TestQueues::create(5, 30).await;
    let owner_url = db.url.expose().to_owned();

    let prepared = catalogctl(
        &["deploy-prepare"],
        &[
            ("DATABASE_URL".into(), owner_url.clone()),
            ("PELICAN_DB_PASSWORD".into(), PASSWORD_PELICAN.into()),
            ("EMU_DB_PASSWORD".into(), PASSWORD_EMU.into()),
            ("FRONTEND_DB_PASSWORD".into(), PASSWORD_FRONTEND.into()),
            ("RUST_LOG".into(), "error".into()),
        ],
    )
    .await;
    let stderr = String::from_utf8_lossy(&prepared.stderr);
    assert!(prepared.status.success(), "{stderr}");
    assert!(!stderr.contains(PASSWORD_EMU), "a password was printed");

    let pelican_url = as_role(&owner_url, "catalog_pelican", PASSWORD_PELICAN);
    let emu_url = as_role(&owner_url, "catalog_emu", PASSWORD_EMU);
    let frontend_url = as_role(&owner_url, "catalog_frontend", PASSWORD_FRONTEND);
    let _pelican = spawn(Service::Pelican, stack_env(&pelican_url, &queues)).await;
    let _emu = spawn(Service::Emu, stack_env(&emu_url, &queues)).await;
    let mut frontend_env = stack_env(&frontend_url, &queues);
    frontend_env.extend([
        ("FRONTEND_SESSION_KEY".into(), "k".repeat(40)),
        ("FRONTEND_API_KEY".into(), API_KEY.into()),
        ("UPLOAD_BUCKET".into(), uploads_bucket(&db).await),
        ("IMPORT_POLL_INTERVAL_MS".into(), "100".into()),
    ]);
    let frontend = spawn(Service::Frontend, frontend_env).await;

    // Relay and index, as pelican and emu.
    let products: Vec<_> = sample_catalog::generate(5, SKUS).collect();
    sync_core::product::upsert_products(&db.pool, &products)
        .await
        .unwrap();
    let all = i64::try_from(SKUS).unwrap();
    let synced = eventually(Duration::from_secs(120), || async {
        indexed(&db.pool).await == all
    })
    .await;
    assert!(synced, "{} of {all} indexed", indexed(&db.pool).await);

    // Search, edit, status, as the frontend.
    let http = reqwest::Client::new();
    let base = frontend.base_url();
    let search = http
        .get(format!(
            "{base}/api/search?q=something%20for%20the%20kitchen"
        ))
        .send()
        .await
        .unwrap();
    assert!(
        search.status().is_success(),
        "{}",
        search.text().await.unwrap()
    );
    let sku = &products[0].sku;
    let edited = http
        .patch(format!("{base}/api/products/{sku}"))
        .bearer_auth(API_KEY)
        .json(&serde_json::json!({"name": "Renamed by its editor"}))
        .send()
        .await
        .unwrap();
    assert!(
        edited.status().is_success(),
        "{}",
        edited.text().await.unwrap()
    );
    for path in ["/status", "/api/status"] {
        let status = http.get(format!("{base}{path}")).send().await.unwrap();
        assert!(status.status().is_success(), "{path}");
    }
    let reindexed = eventually(Duration::from_secs(60), || async {
        indexed(&db.pool).await == all
    })
    .await;
    assert!(reindexed, "the edit was not re-indexed");

    // A bulk import run by the frontend's role: it inserts products and
    // keeps its job's tables.
    bulk_import(&http, &base).await;
    let with_imported = eventually(Duration::from_secs(60), || async {
        indexed(&db.pool).await == all + 2
    })
    .await;
    assert!(with_imported, "the imported products were not indexed");

    // A delete reaches the index; a vector lost out of band is repaired by
    // verify --repair running as emu's role (as the scheduled task does).
    sqlx::query("DELETE FROM products WHERE sku = $1")
        .bind(&products[1].sku)
        .execute(&db.pool)
        .await
        .unwrap();
    sqlx::query(
        "DELETE FROM product_vectors WHERE product_id = (SELECT id FROM products WHERE sku = $1)",
    )
    .bind(&products[2].sku)
    .execute(&db.pool)
    .await
    .unwrap();
    let mut verify_env = stack_env(&emu_url, &queues);
    verify_env.push(("RUST_LOG".into(), "error".into()));
    let repaired = eventually(Duration::from_secs(90), || async {
        let output = catalogctl(&["verify", "--repair", "--sample", "0"], &verify_env).await;
        let code = output.status.code();
        assert!(
            code == Some(0) || code == Some(2),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        code == Some(0)
    })
    .await;
    assert!(
        repaired,
        "verify --repair as catalog_emu never came back clean"
    );

    // And nothing beyond: each role is refused what is not its job.
    let frontend_pool = PgPool::connect(&frontend_url).await.unwrap();
    let emu_pool = PgPool::connect(&emu_url).await.unwrap();
    let pelican_pool = PgPool::connect(&pelican_url).await.unwrap();
    for (pool, statement) in [
        (
            &frontend_pool,
            "INSERT INTO outbox (op, product_id, version) VALUES ('delete', 1, 9)",
        ),
        (&frontend_pool, "DELETE FROM product_vectors"),
        (&frontend_pool, "DELETE FROM products"),
        (&emu_pool, "UPDATE products SET name = 'x'"),
        (&emu_pool, "DELETE FROM outbox"),
        (&pelican_pool, "UPDATE products SET name = 'x'"),
        (&pelican_pool, "SELECT count(*) FROM product_vectors"),
    ] {
        let error = sqlx::query(statement).execute(pool).await.unwrap_err();
        let code = error.as_database_error().and_then(|e| e.code());
        assert_eq!(code.as_deref(), Some("42501"), "{statement}: {error}");
    }
}

#[tokio::test]
async fn a_missing_role_or_password_is_a_clear_failure() {
    let db = TestDatabase::create().await;
    // An empty secret is refused before anything is done, naming it.
    let empty = catalogctl(
        &["deploy-prepare"],
        &[
            ("DATABASE_URL".into(), db.url.expose().to_owned()),
            ("EMU_DB_PASSWORD".into(), String::new()),
        ],
    )
    .await;
    assert!(!empty.status.success());
    assert!(String::from_utf8_lossy(&empty.stderr).contains("EMU_DB_PASSWORD"));
    // The owner role cannot be reached: the reason names DATABASE_URL.
    let unreachable = catalogctl(
        &["deploy-prepare"],
        &[(
            "DATABASE_URL".into(),
            "postgres://u:p@127.0.0.1:1/db".into(),
        )],
    )
    .await;
    assert!(!unreachable.status.success());
    assert!(String::from_utf8_lossy(&unreachable.stderr).contains("DATABASE_URL"));
}
