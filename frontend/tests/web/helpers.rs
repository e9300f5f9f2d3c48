//! A running frontend on a fresh database, a client with a cookie jar, and
//! products whose vectors are written directly.

use std::sync::{Arc, OnceLock};

use clap::Parser;
use embedding::{Embedder, LocalEmbedder};
use frontend::{Application, Settings};
use rust_decimal::Decimal;
use sync_core::telemetry::Shutdown;
use testkit::TestDatabase;
use vector_store::{
    PgVectorStore, ProductMetadata, SearchDocument, SearchDocuments, VectorRecord, VectorStore,
};

pub const USER: &str = "editor";
pub const PASSWORD: &str = "correct horse battery staple";
pub const API_KEY: &str = "test-api-key-0123456789";
const SESSION_KEY: &str = "test-session-key-0123456789abcdef0123456789";

/// The model, loaded once per test binary (a few hundred ms and ~90 MB).
pub fn embedder() -> Arc<dyn Embedder> {
    static EMBEDDER: OnceLock<Arc<dyn Embedder>> = OnceLock::new();
    EMBEDDER
        .get_or_init(|| {
            Arc::new(
                LocalEmbedder::load(&testkit::model_dir(), Default::default())
                    .expect("load the model (make model)"),
            )
        })
        .clone()
}

/// The user list with one Argon2 hash, made once.
fn users() -> &'static str {
    static USERS: OnceLock<String> = OnceLock::new();
    USERS.get_or_init(|| {
        format!(
            "{USER}:{}",
            frontend::auth::hash_password(PASSWORD.as_bytes()).unwrap()
        )
    })
}

#[derive(Debug, Clone)]
pub struct Product {
    pub sku: &'static str,
    pub name: &'static str,
    pub category: &'static str,
    pub price: &'static str,
    pub description: &'static str,
}

pub const fn product(
    sku: &'static str,
    name: &'static str,
    category: &'static str,
    price: &'static str,
    description: &'static str,
) -> Product {
    Product {
        sku,
        name,
        category,
        price,
        description,
    }
}

pub struct TestApp {
    pub base: String,
    pub db: TestDatabase,
    pub store: PgVectorStore,
    /// Keeps cookies; never follows redirects (tests look at them).
    pub client: reqwest::Client,
    shutdown: Shutdown,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}

/// The frontend with bulk upload on (a fresh bucket).
pub async fn spawn() -> TestApp {
    spawn_configured(true, &[]).await
}

/// The frontend without `UPLOAD_BUCKET`.
pub async fn spawn_without_uploads() -> TestApp {
    spawn_configured(false, &[]).await
}

/// The frontend (uploads on) with `extra` command-line settings after the
/// test's own.
pub async fn spawn_with(extra: &[&str]) -> TestApp {
    spawn_configured(true, extra).await
}

/// A fresh bucket on the emulator, as `catalogctl setup-aws` makes it.
pub async fn create_bucket() -> String {
    testkit::load_env();
    let config = sync_core::queue::sdk_config(&testkit::aws_settings()).await;
    let bucket = format!("test-{}", uuid::Uuid::new_v4().simple());
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
    .expect("create the uploads bucket");
    bucket
}

async fn spawn_configured(uploads: bool, extra: &[&str]) -> TestApp {
    let db = TestDatabase::create().await;
    let bucket = if uploads {
        Some(create_bucket().await)
    } else {
        None
    };
    let mut args: Vec<String> = [
        "frontend",
        "--database-url",
        db.url.expose(),
        "--http-addr",
        "127.0.0.1:0",
        "--session-key",
        SESSION_KEY,
        "--users",
        users(),
        "--api-key",
        API_KEY,
        "--vector-store",
        "pgvector",
        "--db-connections",
        "6",
        "--import-poll-interval-ms",
        "100",
    ]
    .map(str::to_owned)
    .to_vec();
    if let Some(bucket) = &bucket {
        args.extend(["--upload-bucket".to_owned(), bucket.clone()]);
    }
    args.extend(extra.iter().map(|arg| (*arg).to_owned()));
    let mut settings = Settings::try_parse_from(args).expect("test settings");
    if !uploads {
        // Off whatever the environment says (`.env` turns it on locally).
        settings.uploads.upload_bucket = None;
    }
    let shutdown = Shutdown::new();
    let app = Application::with_embedder(settings, embedder(), shutdown.clone())
        .await
        .expect("start the frontend");
    let base = format!("http://{}", app.addr());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        base,
        store: PgVectorStore::new(db.pool.clone()),
        db,
        client: client(),
        shutdown,
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// Insert products (created one after another, oldest first) and index
    /// them at their current version. Returns their ids, in order.
    pub async fn seed(&self, products: &[Product]) -> Vec<i64> {
        let mut ids = Vec::new();
        for p in products {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO products (sku, name, category, price, description, created_at)
                 VALUES ($1, $2, NULLIF($3, ''), $4::numeric, $5, clock_timestamp())
                 RETURNING id",
            )
            .bind(p.sku)
            .bind(p.name)
            .bind(p.category)
            .bind(Some(p.price).filter(|s| !s.is_empty()))
            .bind(p.description)
            .fetch_one(&self.db.pool)
            .await
            .unwrap();
            ids.push(id);
        }
        for id in &ids {
            self.index(*id).await;
        }
        ids
    }

    /// Write the full-text document and the vector of the product's current
    /// row, as emu would.
    pub async fn index(&self, id: i64) {
        let (sku, name, category, price, description, version): (
            String,
            String,
            Option<String>,
            Option<Decimal>,
            String,
            i64,
        ) = sqlx::query_as(
            "SELECT sku, name, category, price, description, version FROM products WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&self.db.pool)
        .await
        .unwrap();
        SearchDocuments::new(self.db.pool.clone())
            .upsert(&[SearchDocument {
                product_id: id,
                version,
                name: name.clone(),
                category: category.clone(),
                description: description.clone(),
            }])
            .await
            .unwrap();
        let text = sync_core::document::compose(&name, category.as_deref(), &description);
        let values = embedder().embed(&[text]).await.unwrap().pop().unwrap();
        self.store
            .upsert(&[VectorRecord {
                product_id: id,
                version,
                values,
                metadata: ProductMetadata {
                    sku,
                    name,
                    category,
                    price,
                },
            }])
            .await
            .unwrap();
    }

    /// Log in through the form; the client keeps the session cookie.
    pub async fn login(&self) -> reqwest::Response {
        let token = self.csrf_token("/login").await;
        self.client
            .post(self.url("/login"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("username", USER),
                ("password", PASSWORD),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap()
    }

    /// The CSRF token a page carries for this client.
    pub async fn csrf_token(&self, path: &str) -> String {
        let html = self.get(path).await.text().await.unwrap();
        attribute_after(&html, "name=\"csrf-token\" content=\"")
            .expect("the page carries a CSRF token")
    }
}

/// The text after `marker` up to the next `"`.
pub fn attribute_after(html: &str, marker: &str) -> Option<String> {
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

/// The SKUs of a search page's results, in order.
pub fn result_skus(html: &str) -> Vec<String> {
    html.split("<span class=\"result-sku\">")
        .skip(1)
        .filter_map(|part| part.split('<').next().map(str::to_owned))
        .collect()
}

pub async fn json(response: reqwest::Response) -> serde_json::Value {
    response.json().await.unwrap()
}

/// The SKUs of an API search answer, in order.
pub fn api_skus(body: &serde_json::Value) -> Vec<String> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["sku"].as_str().unwrap().to_owned())
        .collect()
}

/// A small catalog with clear semantic neighbourhoods, categories and prices.
pub const CATALOG: &[Product] = &[
    product(
        "SOCK-001",
        "Merino wool hiking socks",
        "Apparel",
        "18.00",
        "Thick cushioned merino wool socks that keep feet warm and dry on long winter hikes.",
    ),
    product(
        "SOCK-002",
        "Thermal ski socks",
        "Apparel",
        "24.50",
        "Warm knee-high thermal socks for skiing in freezing temperatures.",
    ),
    product(
        "SOCK-003",
        "Cotton ankle socks, 6 pack",
        "Apparel",
        "9.99",
        "Lightweight everyday cotton socks for the gym and summer.",
    ),
    product(
        "TENT-001",
        "Two-person backpacking tent",
        "Outdoor",
        "189.00",
        "A light waterproof tent for two people, quick to pitch on camping trips.",
    ),
    product(
        "TENT-002",
        "Family camping tent",
        "Outdoor",
        "329.00",
        "A roomy waterproof tent for six with two bedrooms for family camping.",
    ),
    product(
        "BAG-001",
        "Down sleeping bag",
        "Outdoor",
        "240.00",
        "A warm goose down sleeping bag rated to minus ten degrees for winter camping.",
    ),
    product(
        "KET-001",
        "Electric kettle",
        "Kitchen",
        "39.00",
        "A fast-boiling stainless steel electric kettle with automatic shut-off.",
    ),
    product(
        "PAN-001",
        "Cast iron skillet",
        "Kitchen",
        "45.00",
        "A pre-seasoned cast iron frying pan for searing steaks and baking cornbread.",
    ),
    product(
        "KNF-001",
        "Chef's knife",
        "Kitchen",
        "89.00",
        "An eight-inch forged steel chef's knife that holds a sharp edge.",
    ),
    product(
        "MUG-001",
        "Insulated travel mug",
        "Kitchen",
        "22.00",
        "A vacuum insulated mug that keeps coffee hot for hours on the commute.",
    ),
    product(
        "LMP-001",
        "LED desk lamp",
        "Home",
        "55.00",
        "A dimmable LED desk lamp with adjustable colour temperature for reading.",
    ),
    product(
        "CHR-001",
        "Ergonomic office chair",
        "Home",
        "279.00",
        "An office chair with lumbar support and adjustable armrests for long workdays.",
    ),
    product(
        "PLT-001",
        "Ceramic plant pot",
        "Garden",
        "15.00",
        "A glazed ceramic pot with a drainage hole for indoor houseplants.",
    ),
    product(
        "HSE-001",
        "Garden hose, 30 m",
        "Garden",
        "35.00",
        "A kink-resistant garden hose for watering the lawn and flower beds.",
    ),
    product(
        "GLV-001",
        "Leather work gloves",
        "Garden",
        "19.00",
        "Tough leather gloves that protect hands while gardening and pruning roses.",
    ),
    product(
        "BKE-001",
        "Bike helmet",
        "Sports",
        "65.00",
        "A lightweight ventilated cycling helmet with a rear light.",
    ),
    product(
        "BAL-001",
        "Football",
        "Sports",
        "25.00",
        "A size five match football with a durable stitched cover.",
    ),
    product(
        "YGA-001",
        "Yoga mat",
        "Sports",
        "30.00",
        "A non-slip yoga mat with extra cushioning for the knees.",
    ),
    product(
        "UMB-001",
        "Compact umbrella",
        "Accessories",
        "",
        "A windproof folding umbrella that fits in a bag, for rainy days.",
    ),
    product(
        "WAL-001",
        "Leather wallet",
        "Accessories",
        "49.00",
        "A slim leather wallet with card slots and a coin pocket.",
    ),
];

impl TestApp {
    /// The CSRF token a different browser (a fresh cookie jar) gets.
    pub async fn csrf_token_of_new_browser(&self) -> String {
        let html = client()
            .get(self.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        attribute_after(&html, "name=\"csrf-token\" content=\"").unwrap()
    }
}
