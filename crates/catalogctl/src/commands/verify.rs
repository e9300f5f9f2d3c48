//! `catalogctl verify [--repair]`: the index against the table.

use std::time::Instant;

use anyhow::Context;
use catalogctl::reconcile;
use embedding::EmbedderSettings;
use sync_core::db;
use sync_core::settings::DatabaseSettings;
use vector_store::VectorStoreSettings;

#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
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

pub async fn verify(args: VerifyArgs) -> anyhow::Result<std::process::ExitCode> {
    let pool = db::connect(&args.db.database_url, 4)
        .await
        .context("connecting to DATABASE_URL")?;
    let store = vector_store::connect(&args.vector_store, pool.clone())
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
    let bar = super::progress_bar(u64::try_from(rows).unwrap_or(0) + vectors, "verifying");
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
