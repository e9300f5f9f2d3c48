//! The walks of a shopper and an editor in a real browser: Debian's headless
//! Chromium, driven by playwright-core (`tests/browser/*.mjs`), against the
//! real pipeline — the release binaries of pelican, emu and the frontend as
//! child processes on a fresh database, fresh queues and a fresh uploads
//! bucket on the emulator.
//!
//! `search_edit.mjs`: search, see ranked results, log in, give a product a
//! new description, watch its page go from "indexing" to "indexed" without a
//! reload, search with the new wording and find it first.
//! `upload.mjs`: upload a CSV file on /imports straight to S3 with the
//! upload's progress shown, then watch the job page go to "imported" (bad
//! lines listed) and "indexed n of n" without a reload.
//! No console error anywhere. Screenshots of each step are kept in the
//! test's temp dir (printed).
//!
//! Needs Chromium, node and the pinned playwright-core: `make test` runs
//! `scripts/browser-deps.sh` first. Without them this test fails and says
//! so; it never passes by skipping.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use testkit::process::{Service, ServiceProcess};
use testkit::{TestDatabase, TestQueues, eventually};

/// Products in the test catalog (embedded at start-up: a few seconds).
const CATALOG_SIZE: u64 = 200;
/// Which product the walk edits.
const EDITED: i64 = 5;
const USERNAME: &str = "e2e-editor";
/// The new description: words no generated product uses, so that a search
/// for them can only find the edited product first if the index has its new
/// vector.
const NEW_DESCRIPTION: &str = "A hand-forged weathervane shaped like a leaping salmon, \
     made to turn with the wind on a barn roof.";
const NEW_QUERY: &str = "weathervane with a leaping salmon";
const FIRST_QUERY: &str = "waterproof tent for camping";
/// Rows of the uploaded file that are imported, and its bad lines.
const UPLOADED_ROWS: u64 = 120;
const UPLOADED_BAD_LINES: &[&str] = &[
    "UP-BAD-1,,A row without a name,9.99,garden",
    "UP-BAD-2,Priced in words,A row whose price is not a number,twelve,garden",
];
/// Catalog embedded, services ready: generous for a busy 2-core machine.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(180);
/// The whole browser walk (the script has its own, shorter watchdog).
const BROWSER_TIMEOUT: Duration = Duration::from_secs(240);

/// Chromium, node and playwright-core, or a message that says what to run.
fn require_browser_tools(script_dir: &Path) {
    let chromium = std::env::var("CHROMIUM_PATH").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut missing = Vec::new();
    if !Path::new(&chromium).exists() {
        missing.push(format!("Chromium ({chromium})"));
    }
    if Command::new("node").arg("--version").output().is_err() {
        missing.push("node".into());
    }
    if !script_dir.join("node_modules/playwright-core").is_dir() {
        missing.push(format!(
            "playwright-core ({}/node_modules)",
            script_dir.display()
        ));
    }
    assert!(
        missing.is_empty(),
        "the real-browser test cannot run: missing {}. Run scripts/browser-deps.sh \
         (make test does) to install them.",
        missing.join(", ")
    );
}

fn random_text(len: usize) -> String {
    use rand::Rng;
    rand::rng()
        .sample_iter(&rand::distr::Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// Settings every service shares: the test's database and queues.
fn common_env(db: &TestDatabase, queues: &TestQueues) -> Vec<(String, String)> {
    testkit::load_env();
    let aws = testkit::aws_settings();
    let model_dir =
        std::env::var("MODEL_DIR").unwrap_or_else(|_| ".local/model/all-MiniLM-L6-v2".into());
    let mut env = Vec::from([
        ("DATABASE_URL".to_owned(), db.url.expose().to_owned()),
        ("AWS_REGION".to_owned(), aws.aws_region),
        ("AWS_ACCESS_KEY_ID".to_owned(), "test".to_owned()),
        ("AWS_SECRET_ACCESS_KEY".to_owned(), "test".to_owned()),
        (
            "SQS_QUEUE_URL".to_owned(),
            queues.provisioned.queue_url.clone(),
        ),
        ("SQS_DLQ_URL".to_owned(), queues.provisioned.dlq_url.clone()),
        (
            "SNS_TOPIC_ARN".to_owned(),
            queues.provisioned.topic_arn.clone(),
        ),
        ("VECTOR_STORE".to_owned(), "pgvector".to_owned()),
        // .env's MODEL_DIR is relative to the workspace root.
        (
            "MODEL_DIR".to_owned(),
            testkit::workspace_root()
                .join(model_dir)
                .display()
                .to_string(),
        ),
        ("EMBED_THREADS".to_owned(), "1".to_owned()),
        ("LOG_FORMAT".to_owned(), "pretty".to_owned()),
        ("RUST_LOG".to_owned(), "warn".to_owned()),
    ]);
    if let Some(endpoint) = aws.aws_endpoint_url {
        env.push(("AWS_ENDPOINT_URL".to_owned(), endpoint.0));
    }
    env
}

/// An Argon2 hash of `password`, from the frontend's own subcommand (the
/// one operators use to fill FRONTEND_USERS).
fn hash_password(frontend: &Path, password: &str) -> String {
    use std::io::Write;
    let mut child = Command::new(frontend)
        .arg("hash-password")
        .env_clear()
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\n").as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "frontend hash-password failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let hash = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with("$argon2"))
        .unwrap_or_else(|| panic!("frontend hash-password printed no Argon2 hash: {stdout}"));
    hash.trim().to_owned()
}

/// The file the upload walk imports: new products (their own SKUs) with
/// the bad lines after them.
fn upload_csv() -> Vec<u8> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["sku", "name", "description", "price", "category"])
        .unwrap();
    let products = sample_catalog::generate(sample_catalog::DEFAULT_SEED + 1, UPLOADED_ROWS);
    for (i, p) in products.enumerate() {
        out.write_record([
            format!("UP-{i:05}"),
            p.name,
            p.description,
            p.price.map(|d| d.to_string()).unwrap_or_default(),
            p.category.unwrap_or_default(),
        ])
        .unwrap();
    }
    let mut bytes = out.into_inner().unwrap();
    for line in UPLOADED_BAD_LINES {
        bytes.extend_from_slice(format!("{line}\n").as_bytes());
    }
    bytes
}

/// A fresh uploads bucket on the emulator whose CORS rule lets pages of
/// `origin` upload, as `catalogctl setup-aws` makes it.
async fn create_bucket(bucket: &str, origin: &str) {
    let config = sync_core::queue::sdk_config(&testkit::aws_settings()).await;
    catalog_import::objects::provision_bucket(
        &catalog_import::objects::s3_client(&config, None),
        "us-east-1",
        &catalog_import::objects::BucketSetup {
            bucket: bucket.to_owned(),
            allowed_origins: vec![origin.to_owned()],
            expiry_days: 1,
        },
    )
    .await
    .expect("create the uploads bucket");
}

/// Run `script` (in tests/browser) against the frontend; fails the test
/// with the services' logs when the walk fails.
async fn run_walk(
    script: &str,
    scenario: &[(&str, String)],
    frontend: &mut ServiceProcess,
    emu: &mut ServiceProcess,
    screenshots: &Path,
) {
    let script_dir = testkit::workspace_root().join("frontend/tests/browser");
    let mut node = tokio::process::Command::new("node");
    node.arg(script_dir.join(script))
        .arg(frontend.base_url())
        .arg(screenshots)
        .current_dir(&script_dir)
        .envs(scenario.iter().map(|(k, v)| (*k, v.as_str())))
        .kill_on_drop(true);
    let output = tokio::time::timeout(BROWSER_TIMEOUT, node.output())
        .await
        .unwrap_or_else(|_| panic!("{script} did not finish within {BROWSER_TIMEOUT:?}"))
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}{stderr}screenshots in {}", screenshots.display());
    assert!(
        output.status.success(),
        "{script} failed ({}):\n{stdout}{stderr}\n--- frontend log:\n{}\n--- emu log:\n{}",
        output.status,
        frontend.log_tail(30),
        emu.log_tail(30)
    );
}

/// Every product's vector at its row's version.
async fn catalog_indexed(pool: &sqlx::PgPool) -> bool {
    let (indexed,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM products p
         JOIN product_vectors v ON v.product_id = p.id AND v.version = p.version AND NOT v.deleted",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    indexed == i64::try_from(CATALOG_SIZE).unwrap()
}

#[tokio::test]
async fn search_edit_and_upload_a_catalog_in_a_real_browser() {
    let script_dir = testkit::workspace_root().join("frontend/tests/browser");
    require_browser_tools(&script_dir);
    // The release binaries `cargo test --workspace` builds (make test);
    // when run alone: `cargo build --release --bins` first.
    let frontend_binary = Service::Frontend.binary_path();
    let db = TestDatabase::create().await;
    let queues = TestQueues::create(5, 30).await;
    let products: Vec<_> =
        sample_catalog::generate(sample_catalog::DEFAULT_SEED, CATALOG_SIZE).collect();
    sync_core::product::upsert_products(&db.pool, &products)
        .await
        .unwrap();
    let (sku,): (String,) =
        sqlx::query_as("SELECT sku FROM products ORDER BY id OFFSET $1 LIMIT 1")
            .bind(EDITED)
            .fetch_one(&db.pool)
            .await
            .unwrap();

    let common = common_env(&db, &queues);
    let with = |extra: &[(&str, String)]| {
        let mut env = common.clone();
        env.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        env
    };
    let mut pelican = ServiceProcess::spawn(
        Service::Pelican,
        with(&[("PELICAN_POLL_INTERVAL_MS", "500".into())]),
    )
    .await
    .unwrap();
    // A batch waits EMU_BATCH_TIMEOUT_MS for company before it is embedded:
    // long enough that the edited product's page is certain to show
    // "indexing" first, short enough to keep the test quick.
    let mut emu = ServiceProcess::spawn(
        Service::Emu,
        with(&[
            ("EMU_WAIT_TIME_S", "1".into()),
            ("EMU_BATCH_TIMEOUT_MS", "1500".into()),
        ]),
    )
    .await
    .unwrap();
    let password = random_text(24);
    let bucket = format!("browser-{}", uuid::Uuid::new_v4().simple());
    let mut frontend = ServiceProcess::spawn(
        Service::Frontend,
        with(&[
            ("FRONTEND_SESSION_KEY", random_text(48)),
            (
                "FRONTEND_USERS",
                format!("{USERNAME}:{}", hash_password(&frontend_binary, &password)),
            ),
            ("STATUS_SAMPLE_INTERVAL_MS", "500".into()),
            ("UPLOAD_BUCKET", bucket.clone()),
            ("IMPORT_POLL_INTERVAL_MS", "200".into()),
        ]),
    )
    .await
    .unwrap();
    for service in [&mut pelican, &mut emu, &mut frontend] {
        service.wait_ready(STARTUP_TIMEOUT).await.unwrap();
    }
    let started = Instant::now();
    assert!(
        eventually(STARTUP_TIMEOUT, || catalog_indexed(&db.pool)).await,
        "the {CATALOG_SIZE}-product catalog was not indexed within {STARTUP_TIMEOUT:?}"
    );
    println!(
        "catalog of {CATALOG_SIZE} indexed in {:?}",
        started.elapsed()
    );

    let screenshots = std::env::temp_dir().join(format!("browser-test-{}", db.name));
    std::fs::create_dir_all(&screenshots).unwrap();
    let editor = [
        ("E2E_USERNAME", USERNAME.to_owned()),
        ("E2E_PASSWORD", password.clone()),
    ];
    let mut walk = Vec::from(editor.clone());
    walk.extend([
        ("E2E_QUERY", FIRST_QUERY.to_owned()),
        ("E2E_SKU", sku),
        ("E2E_DESCRIPTION", NEW_DESCRIPTION.to_owned()),
        ("E2E_NEW_QUERY", NEW_QUERY.to_owned()),
    ]);
    run_walk(
        "search_edit.mjs",
        &walk,
        &mut frontend,
        &mut emu,
        &screenshots,
    )
    .await;
    assert!(
        screenshots.join("4-search-new-wording.png").is_file(),
        "no screenshot saved"
    );

    // The bucket's CORS rule names the page's origin, known only now.
    create_bucket(&bucket, &frontend.base_url()).await;
    let csv_path = screenshots.join("upload.csv");
    std::fs::write(&csv_path, upload_csv()).unwrap();
    let mut upload = Vec::from(editor);
    upload.extend([
        ("E2E_CSV", csv_path.display().to_string()),
        ("E2E_ROWS", UPLOADED_ROWS.to_string()),
        ("E2E_SKIPPED", UPLOADED_BAD_LINES.len().to_string()),
    ]);
    run_walk("upload.mjs", &upload, &mut frontend, &mut emu, &screenshots).await;
    let (imported,): (i64,) = sqlx::query_as("SELECT count(*) FROM products WHERE sku LIKE 'UP-%'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(imported, i64::try_from(UPLOADED_ROWS).unwrap());
}
