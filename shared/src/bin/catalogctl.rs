//! Operations tool: schema migrations, queue and index setup, sample data,
//! CSV import.
//!
//! Every subcommand reads the same settings (environment / `.env`) as the
//! services, so `make up`, CI and an operator on AWS run the same code.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use shared::catalog::{csv_import, generator, store};
use shared::embedding::{self, EmbedderSettings};
use shared::settings::{
    self, AwsSettings, DatabaseSettings, HttpUrl, Secret, SecretParser, TelemetrySettings,
};
use shared::vector_store::pinecone_control::{
    self, ControlPlaneSettings, PineconeControl, ServerlessIndex, SetupWait,
};
use shared::vector_store::{self, VectorStoreSettings};
use shared::{db, queue, reconcile};

#[derive(Parser, Debug)]
#[command(name = "catalogctl", about = "Operate the catalog sync system")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Apply pending schema migrations (idempotent).
    Migrate {
        #[command(flatten)]
        db: DatabaseSettings,
    },
    /// Create the FIFO job queue, its DLQ (with redrive) and the alert topic.
    SetupAws {
        #[command(flatten)]
        aws: AwsSettings,
        /// The job queue; its name is the URL's last segment.
        #[arg(long, env = "SQS_QUEUE_URL", value_name = "SQS_QUEUE_URL")]
        queue_url: String,
        #[arg(long, env = "SQS_DLQ_URL", value_name = "SQS_DLQ_URL")]
        dlq_url: String,
        #[arg(long, env = "SNS_TOPIC_ARN", value_name = "SNS_TOPIC_ARN")]
        topic_arn: String,
        #[arg(
            long,
            env = "SQS_MAX_RECEIVE_COUNT",
            value_name = "SQS_MAX_RECEIVE_COUNT",
            default_value_t = 5
        )]
        max_receive_count: u32,
        #[arg(
            long,
            env = "SQS_VISIBILITY_TIMEOUT_S",
            value_name = "SQS_VISIBILITY_TIMEOUT_S",
            default_value_t = 60
        )]
        visibility_timeout_s: u32,
    },
    /// Create the Pinecone index unless it exists (serverless, 384
    /// dimensions, cosine), wait until it is ready and print its host.
    SetupPinecone(Box<SetupPineconeArgs>),
    /// Load the generated sample catalog, once: does nothing when the
    /// products table already has rows.
    Seed {
        #[command(flatten)]
        db: DatabaseSettings,
        #[arg(long, default_value_t = 10_000)]
        rows: u64,
        #[arg(long, default_value_t = generator::DEFAULT_SEED)]
        seed: u64,
    },
    /// Write the generated catalog as CSV to stdout (importable with `import`).
    Generate {
        #[arg(long, default_value_t = 10_000)]
        rows: u64,
        #[arg(long, default_value_t = generator::DEFAULT_SEED)]
        seed: u64,
    },
    /// Upsert products by SKU from a CSV file (see README, "CSV import").
    Import {
        #[command(flatten)]
        db: DatabaseSettings,
        csv: PathBuf,
    },
    /// Compare products with the vector index: missing, stale, orphaned and
    /// (for a sample) drifted vectors. Exit 0 only when clean, 2 when
    /// differences were found, 1 when the check could not run.
    Verify(Box<VerifyArgs>),
}

#[derive(clap::Args, Debug)]
struct SetupPineconeArgs {
    /// Pinecone's control plane (Pinecone Local: `http://localhost:5080`).
    #[arg(
        long,
        env = "PINECONE_CONTROL_URL",
        value_name = "PINECONE_CONTROL_URL",
        default_value = "https://api.pinecone.io"
    )]
    control_url: HttpUrl,
    #[arg(
        long,
        env = "PINECONE_INDEX_NAME",
        value_name = "PINECONE_INDEX_NAME",
        default_value = "catalog-products"
    )]
    index_name: String,
    #[arg(
        long,
        env = "PINECONE_CLOUD",
        value_name = "PINECONE_CLOUD",
        default_value = "aws",
        value_parser = ["aws", "gcp", "azure"]
    )]
    cloud: String,
    #[arg(
        long,
        env = "PINECONE_REGION",
        value_name = "PINECONE_REGION",
        default_value = "us-east-1"
    )]
    region: String,
    /// Pinecone API key (secret).
    #[arg(
        long,
        env = "PINECONE_API_KEY",
        value_name = "PINECONE_API_KEY",
        hide_env_values = true,
        value_parser = SecretParser::<Secret>::new()
    )]
    api_key: Secret,
    /// Fail unless the index is served at this host (the services'
    /// setting, read the same way), so that a fixed host cannot drift.
    #[arg(
        long,
        env = "PINECONE_INDEX_HOST",
        value_name = "PINECONE_INDEX_HOST",
        value_parser = |v: &str| pinecone_control::index_url(v, "https")
    )]
    expect_host: Option<HttpUrl>,
    #[arg(
        long,
        env = "PINECONE_TIMEOUT_MS",
        value_name = "PINECONE_TIMEOUT_MS",
        default_value_t = 10_000,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    timeout_ms: u64,
    /// Seconds to keep trying in all: Pinecone (Local) still starting,
    /// then the new index becoming ready.
    #[arg(long, default_value_t = 180, value_parser = clap::value_parser!(u64).range(1..))]
    wait_s: u64,
}

#[derive(clap::Args, Debug)]
struct VerifyArgs {
    #[command(flatten)]
    db: DatabaseSettings,
    #[command(flatten)]
    vector_store: VectorStoreSettings,
    #[command(flatten)]
    embedder: EmbedderSettings,
    /// Re-enqueue what differs through the outbox (a new version of each
    /// affected product, a delete event per orphan); never writes vectors.
    #[arg(long)]
    repair: bool,
    /// Products whose vector is compared with a fresh embedding (0 = none;
    /// then no model is loaded).
    #[arg(long, default_value_t = 100)]
    sample: usize,
    /// Cosine below which a sampled vector counts as drifted.
    #[arg(long, default_value_t = 0.99)]
    min_cosine: f32,
    /// Rows and vector ids per page.
    #[arg(long, default_value_t = 1_000, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    page_size: u32,
    /// Print the report as one JSON line on stdout.
    #[arg(long)]
    json: bool,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli: Cli = settings::load();
    let telemetry = TelemetrySettings {
        log_format: settings::LogFormat::Pretty,
        // Postgres NOTICEs ("… does not exist, skipping") are noise here.
        log_filter: format!(
            "{},sqlx::postgres::notice=warn",
            std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into())
        ),
    };
    if let Err(e) = shared::telemetry::init_logging(&telemetry) {
        eprintln!("error: {e:#}");
        return std::process::ExitCode::FAILURE;
    }
    match run(cli.command).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<std::process::ExitCode> {
    match command {
        Command::Migrate { db } => {
            let pool = db::connect(&db.database_url, 2)
                .await
                .context("connecting to DATABASE_URL")?;
            db::migrate(&pool).await.context("applying migrations")?;
            eprintln!("migrations applied");
        }
        Command::SetupAws {
            aws,
            queue_url,
            dlq_url,
            topic_arn,
            max_receive_count,
            visibility_timeout_s,
        } => {
            let name = |v: Option<&str>, var: &str| {
                v.map(str::to_owned)
                    .with_context(|| format!("{var}: has no name part"))
            };
            let names = queue::QueueNames {
                jobs: name(queue::queue_name_from_url(&queue_url), "SQS_QUEUE_URL")?,
                dead_letters: name(queue::queue_name_from_url(&dlq_url), "SQS_DLQ_URL")?,
                topic: name(queue::topic_name_from_arn(&topic_arn), "SNS_TOPIC_ARN")?,
                max_receive_count,
                visibility_timeout_s,
            };
            let config = queue::sdk_config(&aws).await;
            let made = queue::provision(
                &queue::sqs_client(&config),
                &queue::sns_client(&config),
                &names,
            )
            .await
            .context("creating the queues and the topic")?;
            for (var, want, got) in [
                ("SQS_QUEUE_URL", &queue_url, &made.queue_url),
                ("SQS_DLQ_URL", &dlq_url, &made.dlq_url),
                ("SNS_TOPIC_ARN", &topic_arn, &made.topic_arn),
            ] {
                anyhow::ensure!(
                    want == got,
                    "{var} is {want} but the created resource is {got}"
                );
            }
            eprintln!(
                "queues and topic ready: {} (DLQ after {max_receive_count} receives)",
                made.queue_url
            );
        }
        Command::SetupPinecone(args) => setup_pinecone(*args).await?,
        Command::Seed { db, rows, seed } => {
            let pool = db::connect(&db.database_url, 2)
                .await
                .context("connecting to DATABASE_URL")?;
            let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM products")
                .fetch_one(&pool)
                .await
                .context("counting products (did migrations run?)")?;
            if existing > 0 {
                eprintln!("products already has {existing} rows; not seeding");
                return Ok(std::process::ExitCode::SUCCESS);
            }
            let bar = progress_bar(rows, "seeding");
            let started = Instant::now();
            let products: Vec<_> = generator::generate(seed, rows).collect();
            for chunk in products.chunks(5_000) {
                store::upsert_products(&pool, chunk).await?;
                bar.inc(chunk.len() as u64);
            }
            bar.finish_and_clear();
            eprintln!(
                "seeded {rows} products in {:.1}s",
                started.elapsed().as_secs_f64()
            );
        }
        Command::Generate { rows, seed } => {
            let mut out = csv::Writer::from_writer(std::io::stdout().lock());
            out.write_record(["sku", "name", "description", "price", "category"])?;
            for p in generator::generate(seed, rows) {
                out.write_record([
                    p.sku,
                    p.name,
                    p.description,
                    p.price.map(|d| d.to_string()).unwrap_or_default(),
                    p.category.unwrap_or_default(),
                ])?;
            }
            out.flush()?;
        }
        Command::Import { db, csv } => {
            let file =
                std::fs::File::open(&csv).with_context(|| format!("opening {}", csv.display()))?;
            let size = file.metadata().map(|m| m.len()).unwrap_or(0);
            let pool = db::connect(&db.database_url, 2)
                .await
                .context("connecting to DATABASE_URL")?;
            let bar = progress_bar(size, "importing");
            bar.set_style(
                ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            let reader = bar.wrap_read(file);
            let started = Instant::now();
            let report = csv_import::import_csv(&pool, reader, |_| {}).await?;
            bar.finish_and_clear();
            for row in &report.rejected {
                eprintln!("line {}: skipped: {}", row.line, row.reason);
            }
            eprintln!(
                "imported {} products in {:.1}s; {} rows skipped",
                report.imported,
                started.elapsed().as_secs_f64(),
                report.rejected.len()
            );
            if !report.rejected.is_empty() {
                // Partial success: the good rows are in, but the caller
                // (a script, CI) should notice the skipped ones.
                return Ok(std::process::ExitCode::from(3));
            }
        }
        Command::Verify(args) => return verify(*args).await,
    }
    Ok(std::process::ExitCode::SUCCESS)
}

async fn setup_pinecone(args: SetupPineconeArgs) -> anyhow::Result<()> {
    let control = PineconeControl::new(ControlPlaneSettings {
        control_url: args.control_url.clone(),
        api_key: args.api_key,
        timeout: Duration::from_millis(args.timeout_ms),
    })?
    .with_wait(SetupWait {
        timeout: Duration::from_secs(args.wait_s),
        ..SetupWait::default()
    });
    let index = ServerlessIndex {
        name: args.index_name,
        cloud: args.cloud,
        region: args.region,
    };
    let ready = control.ensure_index(&index).await.with_context(|| {
        format!(
            "setting up Pinecone index {} at {} (trying for up to {}s)",
            index.name, args.control_url, args.wait_s
        )
    })?;
    if let Some(expected) = &args.expect_host {
        ready.expect_host(expected)?;
    }
    eprintln!(
        "Pinecone index {} {} and ready",
        ready.name,
        if ready.created { "created" } else { "exists" }
    );
    #[allow(clippy::print_stdout)] // the host is this command's output
    {
        println!("{}", ready.host);
    }
    Ok(())
}

async fn verify(args: VerifyArgs) -> anyhow::Result<std::process::ExitCode> {
    let pool = db::connect(&args.db.database_url, 4)
        .await
        .context("connecting to DATABASE_URL")?;
    let store = vector_store::connect(&args.vector_store, Some(pool.clone()))
        .await
        .context("connecting to the vector store")?;
    let embedder = if args.sample > 0 {
        Some(
            embedding::connect(&args.embedder)
                .await
                .context("loading the embedder")?,
        )
    } else {
        None
    };
    let options = reconcile::VerifyOptions {
        page_size: args.page_size as usize,
        sample: args.sample,
        min_cosine: args.min_cosine,
        repair: args.repair,
    };
    // Rows plus vector ids: both walks advance the same bar. Estimates only
    // (the table may change while it runs).
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM products")
        .fetch_one(&pool)
        .await
        .context("counting products (did migrations run?)")?;
    let vectors = store.count().await.context("counting vectors")?;
    let bar = progress_bar(u64::try_from(rows).unwrap_or(0) + vectors, "verifying");
    let started = Instant::now();
    let report = reconcile::verify(&pool, store.as_ref(), embedder, &options, &bar).await?;
    bar.finish_and_clear();
    if args.json {
        let line = serde_json::to_string(&report)?;
        #[allow(clippy::print_stdout)] // the report is this command's output
        {
            println!("{line}");
        }
    }
    eprint!("{report}");
    eprintln!("verified in {:.1}s", started.elapsed().as_secs_f64());
    if report.is_clean() {
        return Ok(std::process::ExitCode::SUCCESS);
    }
    if args.repair {
        eprintln!("run verify again once the pipeline has caught up");
    }
    Ok(std::process::ExitCode::from(2))
}

fn progress_bar(len: u64, message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(message);
    bar
}
