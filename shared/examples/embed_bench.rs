//! Embedding throughput and single-text latency of [`LocalEmbedder`].
//!
//!     cargo run --release -p shared --example embed_bench -- TEXTS_FILE [N]
//!
//! TEXTS_FILE holds one text per line. Env: MODEL_DIR (default
//! `.local/model/all-MiniLM-L6-v2`), THREADS (default: CPUs), BATCH (32),
//! PRECISION (f32 or bf16).
//! Prints texts/s for the whole file, embedded as one call like a bulk sync
//! would, then the latency of one short query, then peak RSS.
#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::time::Instant;

use shared::embedding::{Embedder, LocalEmbedder, LocalEmbedderOptions, Precision};

fn env_usize(name: &str, default: usize) -> anyhow::Result<usize> {
    Ok(match std::env::var(name) {
        Ok(v) => v.parse()?,
        Err(_) => default,
    })
}

/// CPU seconds (user + system) this process has used, from /proc.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // Fields after the parenthesised command name; utime and stime are the
    // 12th and 13th of those, in clock ticks (100 per second on Linux).
    let Some(rest) = stat.rsplit(')').next() else {
        return f64::NAN;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        f.get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let file = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: embed_bench TEXTS_FILE [N]"))?;
    let limit: Option<usize> = args.next().map(|n| n.parse()).transpose()?;
    let mut texts: Vec<String> = std::fs::read_to_string(&file)?
        .lines()
        .map(str::to_owned)
        .collect();
    if let Some(n) = limit {
        texts.truncate(n);
    }
    let model_dir = std::env::var_os("MODEL_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.local/model/all-MiniLM-L6-v2"),
        PathBuf::from,
    );
    let defaults = LocalEmbedderOptions::default();
    let options = LocalEmbedderOptions {
        threads: env_usize("THREADS", defaults.threads)?,
        batch_size: env_usize("BATCH", defaults.batch_size)?,
        precision: match std::env::var("PRECISION").as_deref() {
            Ok("bf16") => Precision::Bf16,
            Ok("f32") | Err(_) => Precision::F32,
            Ok(other) => anyhow::bail!("PRECISION must be f32 or bf16, not {other:?}"),
        },
    };

    let start = Instant::now();
    let embedder = LocalEmbedder::load(&model_dir, options)?;
    println!(
        "loaded in {:.0} ms: {:?}",
        start.elapsed().as_secs_f64() * 1e3,
        embedder.options()
    );

    // Warm-up: first-touch of buffers and weights.
    embedder.embed(&texts[..texts.len().min(256)]).await?;

    let start = Instant::now();
    let cpu_start = cpu_seconds();
    let vectors = embedder.embed(&texts).await?;
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_start;
    anyhow::ensure!(vectors.len() == texts.len());
    let n = texts.len() as f64;
    println!(
        "ours: {} texts, {secs:.2} s, {:.1} texts/s; {cpu:.2} CPU s, {:.1} texts per CPU-second",
        texts.len(),
        n / secs,
        n / cpu
    );

    let query = vec!["red running shoes".to_owned()];
    for _ in 0..20 {
        embedder.embed(&query).await?;
    }
    let mut times: Vec<f64> = Vec::with_capacity(200);
    for _ in 0..200 {
        let t = Instant::now();
        embedder.embed(&query).await?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "ours single query: p50 {:.2} ms, p90 {:.2} ms",
        times[100], times[180]
    );
    if let Some(rss) = peak_rss_mib() {
        println!("peak RSS: {rss:.0} MiB");
    }
    Ok(())
}
