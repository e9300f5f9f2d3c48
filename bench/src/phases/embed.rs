//! Phase 1, the ceiling: the project's embedder alone, in this process, on
//! the catalog texts: throughput at its default options (what emu runs,
//! the precision `EMBED_PRECISION` picks on this CPU), one short query's
//! latency, a sweep over batch sizes, and each precision on its own.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use embedding::{
    Embedder, LocalEmbedder, LocalEmbedderOptions, Precision, PrecisionChoice, describe_precision,
};

use crate::latency::Latencies;
use crate::machine;
use crate::report::Report;
use crate::settings::Durations;

pub const KEYS: &[&str] = &[
    "embed_texts_per_s",
    "embed_best_texts_per_s",
    "embed_query_p50_ms",
];

/// What the other phases need to know about the embedder that was measured.
pub struct Measured {
    pub threads: usize,
    pub batch_size: usize,
}

/// The options emu uses: the defaults, with `EMBED_THREADS` and
/// `EMBED_PRECISION` as emu reads them (0 or unset = one thread per CPU;
/// unset = the precision `auto` picks on this CPU).
fn emu_options() -> LocalEmbedderOptions {
    let defaults = LocalEmbedderOptions::default();
    let threads = std::env::var("EMBED_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(defaults.threads);
    let precision = std::env::var("EMBED_PRECISION")
        .ok()
        .and_then(|v| <PrecisionChoice as clap::ValueEnum>::from_str(&v, true).ok())
        .unwrap_or_default()
        .resolve();
    LocalEmbedderOptions {
        threads,
        precision,
        ..defaults
    }
}

async fn load(
    model_dir: &Path,
    options: LocalEmbedderOptions,
) -> anyhow::Result<Arc<LocalEmbedder>> {
    let dir = model_dir.to_path_buf();
    let embedder = tokio::task::spawn_blocking(move || LocalEmbedder::load(&dir, options))
        .await
        .context("loading the embedder panicked")??;
    Ok(Arc::new(embedder))
}

/// Texts per second over `texts`, after a warm-up (first touch of buffers
/// and weights), and the process's CPU seconds meanwhile.
async fn throughput(embedder: &LocalEmbedder, texts: &[String]) -> anyhow::Result<(f64, f64)> {
    embedder.embed(&texts[..texts.len().min(256)]).await?;
    let pid = std::process::id();
    let cpu_before = machine::process_cpu_seconds(pid).unwrap_or(f64::NAN);
    let started = Instant::now();
    let vectors = embedder.embed(texts).await?;
    let seconds = started.elapsed().as_secs_f64();
    let cpu = machine::process_cpu_seconds(pid).unwrap_or(f64::NAN) - cpu_before;
    anyhow::ensure!(vectors.len() == texts.len(), "the embedder lost texts");
    Ok((texts.len() as f64 / seconds, cpu / seconds))
}

pub async fn run(
    report: &mut Report,
    model_dir: &Path,
    texts: &[String],
    durations: &Durations,
) -> anyhow::Result<Measured> {
    let options = emu_options();
    let embedder = load(model_dir, options).await?;
    let measured = Measured {
        threads: embedder.options().threads,
        batch_size: embedder.options().batch_size,
    };
    let precision = describe_precision(embedder.options().precision);
    tracing::info!(
        "embed: {} texts, {} threads, batch {}, {precision}",
        texts.len(),
        measured.threads,
        measured.batch_size
    );
    let (per_s, cores_used) = throughput(&embedder, texts).await?;
    tracing::info!("embed: {per_s:.1} texts/s, {cores_used:.2} cores busy");
    report.set("embed_texts_per_s", per_s);
    // The comparison with the peer's best mode uses our default precision:
    // what emu and the frontend actually run on this CPU.
    report.set("embed_best_texts_per_s", per_s);
    report.set("embed_cores_used", cores_used);
    report.context("embed_kernel", serde_json::json!(precision));

    // What a search pays to embed its query (one short text, one worker).
    let query = vec!["waterproof hiking jacket for rainy days".to_owned()];
    let mut latencies = Latencies::new();
    for i in 0..220 {
        let started = Instant::now();
        embedder.embed(&query).await?;
        if i >= 20 {
            latencies.record(started.elapsed());
        }
    }
    report.set_opt(
        "embed_query_p50_ms",
        latencies.quantile_ms(0.5),
        "no samples",
    );
    drop(embedder);

    let sample = &texts[..texts.len().min(durations.sweep_texts)];
    for &batch_size in durations.sweep_batches {
        let embedder = load(
            model_dir,
            LocalEmbedderOptions {
                batch_size,
                ..emu_options()
            },
        )
        .await?;
        let (per_s, _) = throughput(&embedder, sample).await?;
        tracing::info!("embed sweep: batch {batch_size}: {per_s:.1} texts/s");
        report.set(&format!("embed_texts_per_s_batch_{batch_size}"), per_s);
        // Let the workers of this embedder exit before the next one starts.
        drop(embedder);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Each precision on its own, on the same sample and in the same run,
    // whichever the default is: the ratio between them is the measurement
    // `EMBED_PRECISION=auto` rests on.
    for (precision, key) in [
        (Precision::F32, "embed_texts_per_s_f32"),
        (Precision::Bf16, "embed_texts_per_s_bf16"),
    ] {
        let embedder = load(
            model_dir,
            LocalEmbedderOptions {
                precision,
                ..emu_options()
            },
        )
        .await?;
        if embedder.options().precision == precision {
            let (per_s, _) = throughput(&embedder, sample).await?;
            tracing::info!(
                "embed sweep: {}: {per_s:.1} texts/s",
                describe_precision(precision)
            );
            report.set(key, per_s);
        } else {
            report.set_null(key, "this CPU lacks AVX512_BF16");
        }
        drop(embedder);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(measured)
}
