//! `make chaos`: the fault-injection suite at full size. One JSON line per
//! scenario on stdout, then a summary line; exit 0 only if every scenario
//! passed. Needs the local stack (`scripts/stack.sh infra`) and the release
//! binaries (`cargo build --release --bins`).

use std::time::{Duration, Instant};

use clap::Parser;

#[derive(Parser, Debug)]
#[command(
    name = "chaos",
    about = "Inject faults into the running pipeline and verify nothing is lost"
)]
struct Args {
    /// The short form CI runs (fewer products, shorter outages).
    #[arg(long)]
    ci: bool,
    /// Products to bulk-load (default: 20 000, or 1 000 with --ci).
    #[arg(long)]
    products: Option<u64>,
    /// Seconds Postgres and the vector store are cut off (default 20, --ci 8).
    #[arg(long)]
    outage_s: Option<u64>,
    /// Seconds of each Pinecone fault: 429, 503, hang (default 20, --ci 5).
    #[arg(long)]
    pinecone_phase_s: Option<u64>,
    /// Run only the cluster on this store (default: pgvector, then pinecone).
    #[arg(long, value_enum)]
    store: Option<vector_store::VectorStoreKind>,
}

#[allow(clippy::print_stdout)] // the report is this program's output
fn print(line: &impl serde::Serialize) {
    match serde_json::to_string(line) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("error: encoding a report line: {e}"),
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let mut config = if args.ci {
        chaos::Config::ci()
    } else {
        chaos::Config::full()
    };
    if let Some(products) = args.products {
        config.products = products;
    }
    if let Some(s) = args.outage_s {
        config.outage = Duration::from_secs(s);
    }
    if let Some(s) = args.pinecone_phase_s {
        config.pinecone_phase = Duration::from_secs(s);
        // A hang must outlast emu's request timeout.
        config.pinecone_timeout = config.pinecone_timeout.min(config.pinecone_phase / 2);
    }
    if let Some(store) = args.store {
        config.stores = vec![store];
    }
    let started = Instant::now();
    match chaos::run(&config, print).await {
        Ok(outcomes) => {
            let summary = chaos::summarize(&config, &outcomes, started.elapsed());
            print(&summary);
            if summary.passed == summary.scenarios {
                std::process::ExitCode::SUCCESS
            } else {
                std::process::ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
