//! The command line. The harness has no settings of its own in the
//! environment: the services it starts read theirs (`EMU_BATCH_SIZE`,
//! `EMBED_THREADS`, …) from the environment and `.env` as usual, so a tuning
//! experiment is `EMU_BATCH_SIZE=32 make bench`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(name = "bench", about = "Measure the pipeline on this machine")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run every phase and write the JSON report and a table.
    Run(RunSettings),
    /// Replace the results table of docs/performance.md (between the bench
    /// markers) with one generated from a results file.
    Render(RenderArgs),
}

#[derive(Args, Debug, Clone)]
pub struct RunSettings {
    /// Products in the generated catalog: the texts embedded, the rows bulk
    /// synced (100 000 works; expect ~10 minutes per sync run).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(100..=1_000_000))]
    pub rows: u64,

    /// The CI smoke run (≤ 5 minutes): short phases, no PyTorch peer unless
    /// `--peer` is given.
    #[arg(long)]
    pub quick: bool,

    /// Run the PyTorch peer even in a quick run.
    #[arg(long, conflicts_with = "no_peer")]
    pub peer: bool,

    /// Skip the PyTorch peer (its keys are reported as null).
    #[arg(long)]
    pub no_peer: bool,

    /// Only the embedder and the PyTorch peer (phases 1–2): minutes
    /// instead of half an hour, for work on the embedder. The pipeline
    /// keys are reported as null.
    #[arg(long)]
    pub embed_only: bool,

    /// Where the JSON report goes (relative to the workspace root).
    #[arg(long, default_value = "bench/results/latest.json")]
    pub out: PathBuf,
}

/// How long each phase runs: the full run, or the quick one.
#[derive(Debug, Clone, Copy)]
pub struct Durations {
    /// Each of the two freshness rates.
    pub freshness: Duration,
    /// Each search run (one per concurrency level and cache state).
    pub search: Duration,
    /// Texts per point of the embedder's batch-size sweep.
    pub sweep_texts: usize,
    /// Batch sizes of the sweep.
    pub sweep_batches: &'static [usize],
}

impl RunSettings {
    pub fn durations(&self) -> Durations {
        if self.quick {
            Durations {
                freshness: Duration::from_secs(10),
                search: Duration::from_secs(3),
                sweep_texts: 500,
                sweep_batches: &[8, 32, 128],
            }
        } else {
            Durations {
                freshness: Duration::from_secs(30),
                search: Duration::from_secs(10),
                sweep_texts: 2_000,
                sweep_batches: &[8, 16, 32, 64, 128],
            }
        }
    }

    /// Whether the PyTorch peer runs, and if not, why.
    pub fn peer_skipped(&self) -> Option<&'static str> {
        if self.no_peer {
            Some("skipped (--no-peer)")
        } else if self.quick && !self.peer {
            Some("skipped in the quick run: installing PyTorch (several GB) is too slow for CI")
        } else {
            None
        }
    }
}

#[derive(Args, Debug, Clone)]
pub struct RenderArgs {
    /// The results file to render.
    #[arg(long, default_value = "bench/results/latest.json")]
    pub results: PathBuf,
    /// The document to update in place.
    #[arg(long, default_value = "docs/performance.md")]
    pub doc: PathBuf,
}
