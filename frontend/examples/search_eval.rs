//! The search-quality evaluation client behind `make eval` (see
//! `eval/README.md` for the set and the metrics, `scripts/eval.sh` for the
//! stack it runs against).
//!
//! * `reset-db` — drop and recreate the database of `DATABASE_URL` (the
//!   dedicated eval database, never the catalog's).
//! * `wait-indexed` — wait until every product's current version is in the
//!   vector store.
//! * `run` — ask every query of the set and print the metrics; through the
//!   frontend's JSON API (`--api`), or in process with
//!   [`frontend::search::Searcher`] against `DATABASE_URL` (no `--api`).
//!   `--stage catalog` (the eval catalog alone): shopper queries by
//!   category (P@5, MRR@10), SKU and name lookups (top-1), known-item
//!   queries (recall@5, MRR@10). `--stage crowd` (the eval catalog inside
//!   the generated 10 000-product catalog, plus the needles): known-item
//!   queries again, and the needles (each alone in its category), merged
//!   into the same result file.
//! * `needle-products` — `needles.csv` without its query column, for
//!   `catalogctl import`.
#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use embedding::EmbedderSettings;
use frontend::search::{SearchOptions, SearchRequest, Searcher};
use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgConnectOptions, PgPool};
use sync_core::settings::DatabaseSettings;
use vector_store::{QueryFilter, VectorStoreSettings};

#[derive(Parser, Debug)]
#[command(name = "search_eval", about = "Measure search quality on eval/")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Drop and recreate the database named in DATABASE_URL.
    ResetDb {
        #[command(flatten)]
        database: DatabaseSettings,
    },
    /// Wait until the vector store holds the current version of every product.
    WaitIndexed {
        #[command(flatten)]
        stack: StackSettings,
        #[arg(long, default_value_t = 600)]
        timeout_s: u64,
    },
    /// Run the queries and print the metrics.
    Run(RunArgs),
    /// Write the needles as a products CSV (stdout) for `catalogctl import`.
    NeedleProducts {
        #[arg(long, default_value = "eval")]
        set: PathBuf,
    },
}

/// Which catalog the stack holds when `run` is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Stage {
    /// The eval catalog alone.
    Catalog,
    /// The eval catalog, the generated 10 000 products and the needles.
    Crowd,
}

#[derive(Args, Debug)]
struct StackSettings {
    #[command(flatten)]
    database: DatabaseSettings,
    #[command(flatten)]
    vector_store: VectorStoreSettings,
}

#[derive(Args, Debug)]
struct RunArgs {
    /// The frontend's base URL (`GET {api}/api/search?q=&k=`); absent =
    /// in process against DATABASE_URL.
    #[arg(long)]
    api: Option<String>,
    #[arg(long, default_value = "eval")]
    set: PathBuf,
    /// Where the JSON result goes.
    #[arg(long, default_value = "eval/results/latest.json")]
    out: PathBuf,
    /// Print each shopper query with its top 5 categories.
    #[arg(long)]
    verbose: bool,
    #[arg(long, value_enum, default_value = "catalog")]
    stage: Stage,
}

#[tokio::main]
async fn main() -> Result<()> {
    // The workspace's .env, as the services read it (never overriding the
    // environment scripts/eval.sh sets).
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    match cli.command {
        Command::ResetDb { database } => reset_db(&database).await,
        Command::WaitIndexed { stack, timeout_s } => {
            wait_indexed(&stack, Duration::from_secs(timeout_s)).await
        }
        Command::Run(args) => match args.stage {
            Stage::Catalog => run(args).await,
            Stage::Crowd => run_crowd(args).await,
        },
        Command::NeedleProducts { set } => needle_products(&set),
    }
}

async fn reset_db(database: &DatabaseSettings) -> Result<()> {
    let options = PgConnectOptions::from_str(database.database_url.expose())?;
    let name = options
        .get_database()
        .context("DATABASE_URL names no database")?
        .to_owned();
    if name == "catalog" || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        bail!("refusing to reset the database {name:?}: use a dedicated eval database");
    }
    let admin = PgPool::connect_with(options.database("postgres")).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&admin)
        .await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await?;
    println!("database {name} recreated");
    Ok(())
}

async fn wait_indexed(stack: &StackSettings, timeout: Duration) -> Result<()> {
    let pool = sync_core::db::connect(&stack.database.database_url, 2).await?;
    let store = vector_store::connect(&stack.vector_store, pool.clone())?;
    let deadline = Instant::now() + timeout;
    loop {
        let rows: Vec<(i64, i64)> = sqlx::query_as("SELECT id, version FROM products")
            .fetch_all(&pool)
            .await?;
        let mut current = 0;
        for chunk in rows.chunks(1_000) {
            let ids: Vec<i64> = chunk.iter().map(|(id, _)| *id).collect();
            let stored = store.versions(&ids).await?;
            current += chunk
                .iter()
                .filter(|(id, version)| stored.get(id) == Some(version))
                .count();
        }
        if current == rows.len() && !rows.is_empty() {
            println!("indexed: {current} of {} products", rows.len());
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "only {current} of {} products indexed after {timeout:?}",
                rows.len()
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[derive(Debug, Deserialize)]
struct Product {
    sku: String,
    name: String,
}

#[derive(Debug, Deserialize)]
struct Query {
    query: String,
    expected_category: String,
}

/// A query that describes one product (`known_items.csv`).
#[derive(Debug, Deserialize)]
struct KnownItem {
    query: String,
    expected_sku: String,
}

/// A product alone in its category, with a shopper's query for it
/// (`needles.csv`).
#[derive(Debug, Deserialize, Serialize)]
struct Needle {
    sku: String,
    name: String,
    description: String,
    price: String,
    category: String,
    #[serde(skip_serializing)]
    query: String,
}

/// One result as the JSON API returns it (only what the metrics need).
#[derive(Debug, Deserialize)]
struct ApiResult {
    sku: String,
    category: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ApiResponse {
    results: Vec<ApiResult>,
}

enum Backend {
    Api {
        client: reqwest::Client,
        base: String,
    },
    InProcess(Searcher),
}

impl Backend {
    async fn connect(args: &RunArgs) -> Result<Self> {
        if let Some(base) = &args.api {
            return Ok(Self::Api {
                client: reqwest::Client::builder()
                    .timeout(Duration::from_secs(30))
                    .build()?,
                base: base.trim_end_matches('/').to_owned(),
            });
        }
        let settings = InProcessSettings::parse_from(["search_eval"]);
        let pool = sync_core::db::connect(&settings.stack.database.database_url, 4).await?;
        let store = vector_store::connect(&settings.stack.vector_store, pool.clone())?;
        let embedder = embedding::connect(&settings.embedder).await?;
        Ok(Self::InProcess(Searcher::new(
            pool,
            store,
            embedder,
            SearchOptions::default(),
        )))
    }

    fn mode(&self) -> &'static str {
        match self {
            Self::Api { .. } => "api",
            Self::InProcess(_) => "in-process",
        }
    }

    /// (sku, category) of the top `k` results of `query`.
    async fn top(&self, query: &str, k: usize) -> Result<Vec<(String, Option<String>)>> {
        match self {
            Self::Api { client, base } => {
                let response = client
                    .get(format!("{base}/api/search"))
                    .query(&[("q", query), ("k", &k.to_string())])
                    .send()
                    .await?;
                let status = response.status();
                if !status.is_success() {
                    bail!("{query:?}: HTTP {status}: {}", response.text().await?);
                }
                let body: ApiResponse = response.json().await?;
                Ok(body
                    .results
                    .into_iter()
                    .map(|r| (r.sku, r.category))
                    .collect())
            }
            Self::InProcess(searcher) => {
                let page = searcher
                    .search(&SearchRequest {
                        query: query.to_owned(),
                        filter: QueryFilter::default(),
                        offset: 0,
                        limit: k,
                    })
                    .await?;
                Ok(page.hits.into_iter().map(|h| (h.sku, h.category)).collect())
            }
        }
    }
}

/// What the in-process mode reads from the environment, like the frontend.
#[derive(Parser, Debug)]
struct InProcessSettings {
    #[command(flatten)]
    stack: StackSettings,
    #[command(flatten)]
    embedder: EmbedderSettings,
}

/// The numbers `make eval` prints and writes.
#[derive(Debug, Serialize)]
struct Report {
    mode: &'static str,
    products: usize,
    queries: usize,
    precision_at_5: f64,
    mrr_at_10: f64,
    sku_top1: f64,
    name_top1: f64,
    /// Shopper-query latency as the client saw it, one query at a time.
    query_latency_ms_p50: f64,
    query_latency_ms_p99: f64,
    /// Shopper queries without a relevant result in the top 10.
    missed_queries: Vec<String>,
    /// SKUs and names not returned first.
    failed_lookups: Vec<String>,
    /// Known-item queries over the eval catalog.
    known_items: Option<ItemScores>,
}

/// Item-level relevance: where the one product a query describes ranks.
#[derive(Debug, Serialize)]
struct ItemScores {
    queries: usize,
    /// Share of queries whose product is in the top 5.
    recall_at_5: f64,
    /// Mean of 1/rank of the product within the top 10 (0 when absent).
    mrr_at_10: f64,
    /// Queries whose product is not in the top 10.
    missed: Vec<String>,
}

/// Score `(query, sku)` pairs by the rank of the sku.
async fn item_scores<'a>(
    backend: &Backend,
    pairs: impl Iterator<Item = (&'a str, &'a str)>,
) -> Result<ItemScores> {
    let (mut queries, mut found, mut reciprocal) = (0, 0, 0.0);
    let mut missed = Vec::new();
    for (query, sku) in pairs {
        queries += 1;
        let top = backend.top(query, 10).await?;
        match top.iter().position(|(s, _)| s == sku) {
            Some(rank) => {
                reciprocal += 1.0 / (rank + 1) as f64;
                if rank < 5 {
                    found += 1;
                }
            }
            None => missed.push(format!("{query} [{sku}]")),
        }
    }
    let n = queries.max(1) as f64;
    Ok(ItemScores {
        queries,
        recall_at_5: f64::from(found) / n,
        mrr_at_10: reciprocal / n,
        missed,
    })
}

fn print_items(label: &str, scores: &ItemScores) {
    println!(
        "  {label:<28} recall@5 {:.3}  MRR@10 {:.3}  ({} queries, {} not in the top 10)",
        scores.recall_at_5,
        scores.mrr_at_10,
        scores.queries,
        scores.missed.len()
    );
}

/// The known-item queries of the set scored, if it has them.
async fn known_item_scores(backend: &Backend, set: &std::path::Path) -> Result<Option<ItemScores>> {
    let path = set.join("known_items.csv");
    if !path.exists() {
        return Ok(None);
    }
    let items: Vec<KnownItem> = read_csv(&path)?;
    let pairs = items
        .iter()
        .map(|k| (k.query.as_str(), k.expected_sku.as_str()));
    item_scores(backend, pairs).await.map(Some)
}

fn needle_products(set: &std::path::Path) -> Result<()> {
    let needles: Vec<Needle> = read_csv(&set.join("needles.csv"))?;
    let mut out = csv::Writer::from_writer(std::io::stdout().lock());
    for needle in &needles {
        out.serialize(needle)?;
    }
    out.flush()?;
    Ok(())
}

/// The crowd stage: known items and needles inside the 10 000-product
/// catalog, added to the result file the catalog stage wrote.
async fn run_crowd(args: RunArgs) -> Result<()> {
    let backend = Backend::connect(&args).await?;
    let needles: Vec<Needle> = read_csv(&args.set.join("needles.csv"))?;
    let needle_scores = item_scores(
        &backend,
        needles.iter().map(|n| (n.query.as_str(), n.sku.as_str())),
    )
    .await?;
    let known = known_item_scores(&backend, &args.set).await?;
    println!();
    println!("item-level relevance inside the 10 000-product catalog");
    print_items("needles", &needle_scores);
    if let Some(known) = &known {
        print_items("known items", known);
    }
    let mut result: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&args.out).with_context(|| {
            format!("reading {} (run --stage catalog first)", args.out.display())
        })?)?;
    result["needles_in_10k"] = serde_json::to_value(&needle_scores)?;
    result["known_items_in_10k"] = serde_json::to_value(&known)?;
    std::fs::write(&args.out, serde_json::to_string_pretty(&result)? + "\n")
        .with_context(|| format!("writing {}", args.out.display()))?;
    println!("added to {}", args.out.display());
    Ok(())
}

async fn run(args: RunArgs) -> Result<()> {
    let products: Vec<Product> = read_csv(&args.set.join("products.csv"))?;
    let queries: Vec<Query> = read_csv(&args.set.join("queries.csv"))?;
    let backend = Backend::connect(&args).await?;

    let mut precision = 0.0;
    let mut reciprocal_ranks = 0.0;
    let mut latencies = Vec::with_capacity(queries.len());
    let mut missed_queries = Vec::new();
    for q in &queries {
        let started = Instant::now();
        let top = backend.top(&q.query, 10).await?;
        latencies.push(started.elapsed().as_secs_f64() * 1_000.0);
        let relevant: Vec<bool> = top
            .iter()
            .map(|(_, category)| category.as_deref() == Some(q.expected_category.as_str()))
            .collect();
        precision += relevant.iter().take(5).filter(|r| **r).count() as f64 / 5.0;
        match relevant.iter().position(|r| *r) {
            Some(rank) => reciprocal_ranks += 1.0 / (rank + 1) as f64,
            None => missed_queries.push(q.query.clone()),
        }
        if args.verbose {
            let categories: Vec<&str> = top
                .iter()
                .take(5)
                .map(|(_, c)| c.as_deref().unwrap_or("-"))
                .collect();
            println!(
                "{:>4.1}  {:<60} [{}] → {}",
                relevant.iter().take(5).filter(|r| **r).count() as f64 / 5.0,
                q.query,
                q.expected_category,
                categories.join(" | ")
            );
        }
    }

    let mut failed_lookups = Vec::new();
    let mut sku_hits = 0;
    let mut name_hits = 0;
    for p in &products {
        for (lookup, hits) in [(&p.sku, &mut sku_hits), (&p.name, &mut name_hits)] {
            let top = backend.top(lookup, 1).await?;
            if top.first().is_some_and(|(sku, _)| sku == &p.sku) {
                *hits += 1;
            } else {
                failed_lookups.push(lookup.clone());
            }
        }
    }

    let known = known_item_scores(&backend, &args.set).await?;

    latencies.sort_by(f64::total_cmp);
    let n = queries.len().max(1) as f64;
    let report = Report {
        mode: backend.mode(),
        products: products.len(),
        queries: queries.len(),
        precision_at_5: precision / n,
        mrr_at_10: reciprocal_ranks / n,
        sku_top1: f64::from(sku_hits) / products.len().max(1) as f64,
        name_top1: f64::from(name_hits) / products.len().max(1) as f64,
        query_latency_ms_p50: percentile(&latencies, 0.50),
        query_latency_ms_p99: percentile(&latencies, 0.99),
        missed_queries,
        failed_lookups,
        known_items: known,
    };
    print_table(&report);
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.out, serde_json::to_string_pretty(&report)? + "\n")
        .with_context(|| format!("writing {}", args.out.display()))?;
    println!("written to {}", args.out.display());
    Ok(())
}

fn read_csv<T: for<'de> Deserialize<'de>>(path: &std::path::Path) -> Result<Vec<T>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(reader.deserialize().collect::<Result<_, _>>()?)
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn print_table(r: &Report) {
    println!();
    println!(
        "search quality ({}; {} products, {} queries)",
        r.mode, r.products, r.queries
    );
    println!("  metric        value  goal");
    println!("  P@5           {:.3}  ≥ 0.65", r.precision_at_5);
    println!("  MRR@10        {:.3}  ≥ 0.82", r.mrr_at_10);
    println!("  SKU top-1     {:.3}  ≥ 0.98", r.sku_top1);
    println!("  name top-1    {:.3}  ≥ 0.98", r.name_top1);
    if let Some(known) = &r.known_items {
        print_items("known items", known);
    }
    println!(
        "  query latency p50 {:.1} ms, p99 {:.1} ms (sequential)",
        r.query_latency_ms_p50, r.query_latency_ms_p99
    );
    if !r.missed_queries.is_empty() {
        println!("  no hit in the top 10: {}", r.missed_queries.join("; "));
    }
    if !r.failed_lookups.is_empty() {
        // All of them are in the JSON; the first few say enough here.
        let shown: Vec<&str> = r
            .failed_lookups
            .iter()
            .take(20)
            .map(String::as_str)
            .collect();
        println!(
            "  lookups not first ({}): {}",
            r.failed_lookups.len(),
            shown.join("; ")
        );
    }
}
