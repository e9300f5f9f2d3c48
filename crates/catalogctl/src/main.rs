//! Operations tool: schema migrations, deploy preparation, queue and index
//! setup, sample data, CSV import, verify and repair.
//!
//! Every subcommand reads the same settings (environment / `.env`) as the
//! services, so `make up`, CI and an operator on AWS run the same code.

mod commands;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use catalogctl::import::csv as csv_import;
use clap::{Parser, Subcommand};
use indicatif::ProgressStyle;
use sync_core::settings::{self, AwsSettings, DatabaseSettings, TelemetrySettings};
use sync_core::{db, product, queue};

use crate::commands::deploy_prepare::DeployPrepareArgs;
use crate::commands::pinecone::PineconeIndexArgs;
use crate::commands::progress_bar;
use crate::commands::verify::VerifyArgs;

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
    /// Create the FIFO job queue, its DLQ (with redrive) and the alert topic,
    /// and the uploads bucket when UPLOAD_BUCKET is set.
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
        /// The bulk-upload bucket, when UPLOAD_BUCKET is set.
        #[command(flatten)]
        uploads: catalog_import::settings::BucketSettings,
    },
    /// Create the Pinecone index unless it exists (serverless, 384
    /// dimensions, cosine), wait until it is ready and print its host.
    SetupPinecone(Box<PineconeIndexArgs>),
    /// Before a release's services start (run once per deploy): apply the
    /// migrations, let each service's role log in with its password
    /// (PELICAN_DB_PASSWORD, EMU_DB_PASSWORD, FRONTEND_DB_PASSWORD), and with
    /// VECTOR_STORE=pinecone set up the index and publish its host.
    DeployPrepare(Box<DeployPrepareArgs>),
    /// Load the generated sample catalog, once: does nothing when the
    /// products table already has rows.
    Seed {
        #[command(flatten)]
        db: DatabaseSettings,
        #[arg(long, default_value_t = 10_000)]
        rows: u64,
        #[arg(long, default_value_t = sample_catalog::DEFAULT_SEED)]
        seed: u64,
    },
    /// Write the generated catalog as CSV to stdout (importable with `import`).
    Generate {
        #[arg(long, default_value_t = 10_000)]
        rows: u64,
        #[arg(long, default_value_t = sample_catalog::DEFAULT_SEED)]
        seed: u64,
    },
    /// Upsert products by SKU from a CSV file (docs/local-stack.md, "Sample catalog and CSV import").
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
    if let Err(e) = sync_core::telemetry::init_logging(&telemetry) {
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
            uploads,
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
                &aws_sdk_sns::Client::new(&config),
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
            if let Some(bucket) = uploads
                .provision(&config)
                .await
                .context("creating the uploads bucket (UPLOAD_BUCKET)")?
            {
                eprintln!("uploads bucket ready: {bucket}");
            }
        }
        Command::SetupPinecone(args) => {
            let host = commands::pinecone::ensure_index(*args).await?;
            #[allow(clippy::print_stdout)] // the host is this command's output
            {
                println!("{host}");
            }
        }
        Command::DeployPrepare(args) => commands::deploy_prepare::run(*args).await?,
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
            let products: Vec<_> = sample_catalog::generate(seed, rows).collect();
            for chunk in products.chunks(5_000) {
                product::upsert_products(&pool, chunk).await?;
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
            for p in sample_catalog::generate(seed, rows) {
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
        Command::Verify(args) => return commands::verify::verify(*args).await,
    }
    Ok(std::process::ExitCode::SUCCESS)
}
