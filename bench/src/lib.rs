//! The benchmark harness: every performance figure of this project comes
//! from here (architecture brief §6). One `bench run` measures, on the same
//! generated catalog texts and on this machine:
//!
//! 1. the embedder alone (the ceiling), and a batch-size sweep;
//! 2. the PyTorch peer (sentence-transformers, CPU, same texts and threads);
//! 3. bulk sync through the real pipeline (pelican + emu + pgvector), with
//!    one and with two emu instances;
//! 4. freshness: COMMIT → new version visible in the vector store;
//! 5. search: `/api/search` under concurrency, cache miss and hit;
//! 6. footprint: peak RSS and start-up time of each service;
//!
//! and writes the flat JSON report (`bench/results/latest.json`) plus a
//! table on stdout. `bench render` puts the table into docs/performance.md.
//!
//! One file per job: `settings` (command line), `catalog` (the texts and
//! queries), `stack` (fresh database + queues + service processes), one
//! module per phase under `phases`, `latency` (HDR percentiles), `report`
//! (keys, goals, JSON, table), `machine` (what ran it), `results_doc`.

mod catalog;
mod latency;
mod machine;
mod phases;
mod report;
mod results_doc;
mod settings;
mod stack;

use std::process::ExitCode;

pub use settings::Cli;

use settings::Command;

pub async fn run(cli: Cli) -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        // sqlx's slow-statement warnings are expected under load (that is
        // what is being measured) and would drown the progress lines.
        .unwrap_or_else(|_| {
            tracing_subscriber::EnvFilter::new(
                "info,sqlx::query=error,sqlx::pool=error,sqlx::postgres::notice=warn",
            )
        });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let outcome = match cli.command {
        Command::Run(settings) => phases::run_all(settings).await,
        Command::Render(args) => results_doc::render(&args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: relative paths (`--out`, `MODEL_DIR`, the results
/// document) are resolved against it, wherever the harness is started from.
pub(crate) use testkit::workspace_root;
