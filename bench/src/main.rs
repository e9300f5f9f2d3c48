//! `bench`: the benchmark harness. See `bench::Cli` and docs/performance.md.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    bench::run(bench::Cli::parse()).await
}
