//! `bench`: the benchmark harness. See `bench::Cli` and README "Performance".

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    bench::run(bench::Cli::parse()).await
}
