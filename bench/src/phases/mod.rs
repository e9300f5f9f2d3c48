//! The run: every phase in order, each failure confined to its own keys
//! (null with the reason), then the report written and printed.

mod embed;
mod freshness;
mod peer;
mod search;
mod sync;

use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use serde_json::json;
use sync_core::product::NewProduct;
use testkit::process::Service;

use crate::report::{self, Report};
use crate::settings::{Durations, RunSettings};
use crate::stack::Pipeline;
use crate::{catalog, machine, workspace_root};

const SYNC_KEYS: &[&str] = &["sync_rows_per_s", "sync_vs_embed"];
const FRESHNESS_KEYS: &[&str] = &[
    "freshness_p50_ms",
    "freshness_p99_ms",
    "freshness_200_p99_ms",
];
const FOOTPRINT_KEYS: &[&str] = &[
    "rss_mb_pelican",
    "rss_mb_emu",
    "rss_mb_frontend",
    "ready_s_emu",
];
/// Freshness rates (updates per second) and the key prefix of each.
const FRESHNESS_RATES: &[(u32, &str)] = &[(5, "freshness"), (200, "freshness_200")];

/// Service variables whose values the report records (the tuning knobs).
const TUNING_PREFIXES: &[&str] = &[
    "EMU_",
    "PELICAN_",
    "EMBED",
    "FRONTEND_",
    "SEARCH_",
    "VECTOR_STORE",
];

pub async fn run_all(settings: RunSettings) -> anyhow::Result<()> {
    testkit::load_env();
    let root = workspace_root();
    let run_started = Instant::now();
    let durations = settings.durations();
    let mut report = Report::new();
    report.context(
        "started_at",
        json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
    );
    report.context("machine", machine::describe());
    report.context("commit", json!(machine::commit(&root)));
    let model_dir = testkit::model_dir();
    anyhow::ensure!(
        model_dir.join("model.safetensors").exists(),
        "no model in {} (run `make model` or `scripts/stack.sh infra`)",
        model_dir.display()
    );

    let products = catalog::products(settings.rows);
    let texts = catalog::texts(&products);

    // 1. The embedder alone.
    let embedder = match embed::run(&mut report, &model_dir, &texts, &durations).await {
        Ok(measured) => Some(measured),
        Err(e) => {
            report.fail(embed::KEYS, &format!("embed phase failed: {e:#}"));
            None
        }
    };

    // 2. The PyTorch peer, same threads and batch size.
    match (settings.peer_skipped(), &embedder) {
        (Some(reason), _) => report.fail(peer::KEYS, reason),
        (None, None) => report.fail(peer::KEYS, "skipped: the embed phase failed"),
        (None, Some(e)) => {
            if let Err(err) = peer::run(
                &mut report,
                &root,
                &model_dir,
                &texts,
                e.threads,
                e.batch_size,
            )
            .await
            {
                report.fail(peer::KEYS, &format!("peer failed: {err:#}"));
            }
        }
    }
    ratio(
        &mut report,
        "embed_vs_pytorch",
        "embed_texts_per_s",
        "pytorch_texts_per_s",
    );
    // Against the peer at its best mode on this CPU (FP32 or bf16).
    match (
        report.get("pytorch_texts_per_s"),
        report.get("pytorch_bf16_texts_per_s"),
    ) {
        (Some(fp32), bf16) => {
            report.set("pytorch_best_texts_per_s", fp32.max(bf16.unwrap_or(0.0)));
            ratio(
                &mut report,
                "embed_vs_pytorch_best",
                "embed_best_texts_per_s",
                "pytorch_best_texts_per_s",
            );
        }
        (None, _) => {
            let reason = "needs the PyTorch peer";
            report.set_null("pytorch_best_texts_per_s", reason);
            report.set_null("embed_vs_pytorch_best", reason);
        }
    }

    if settings.embed_only {
        let reason = "not run (--embed-only)";
        for keys in [SYNC_KEYS, FRESHNESS_KEYS, search::KEYS, FOOTPRINT_KEYS] {
            report.fail(keys, reason);
        }
        report.fail(&["sync2_rows_per_s"], reason);
    } else {
        // 3–6. The pipeline with one emu: sync, freshness, search, footprint.
        let queries = catalog::queries(&root)?;
        if let Err(e) = one_emu(&mut report, &model_dir, &products, &queries, &durations).await {
            let reason = format!("pipeline failed: {e:#}");
            for keys in [SYNC_KEYS, FRESHNESS_KEYS, search::KEYS, FOOTPRINT_KEYS] {
                report.fail(keys, &reason);
            }
        }
        ratio(
            &mut report,
            "sync_vs_embed",
            "sync_rows_per_s",
            "embed_texts_per_s",
        );

        // 3b. Bulk sync again with two emu instances.
        if let Err(e) = two_emus(&mut report, &model_dir, &products).await {
            report.fail(
                &["sync2_rows_per_s"],
                &format!("two-emu sync failed: {e:#}"),
            );
        }
    }

    report.context(
        "settings",
        run_settings(&settings, &durations, embedder.as_ref()),
    );
    report.context("duration_s", json!(run_started.elapsed().as_secs()));
    // Other work on the machine skews every figure: say how busy it was.
    report.context("loadavg_at_end", json!(machine::load_average()));
    let json = report.to_json();
    let out = root.join(&settings.out);
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&out, serde_json::to_string_pretty(&json)? + "\n")
        .with_context(|| format!("writing {}", out.display()))?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "\n{}", report::markdown(&json))?;
    writeln!(stdout, "written to {}", out.display())?;
    Ok(())
}

fn ratio(report: &mut Report, key: &str, numerator: &str, denominator: &str) {
    match (report.get(numerator), report.get(denominator)) {
        (Some(n), Some(d)) if d > 0.0 => report.set(key, n / d),
        _ => report.set_null(key, &format!("needs both {numerator} and {denominator}")),
    }
}

async fn one_emu(
    report: &mut Report,
    model_dir: &Path,
    products: &[NewProduct],
    queries: &[String],
    durations: &Durations,
) -> anyhow::Result<()> {
    let mut pipeline = Pipeline::create(model_dir).await?;
    let outcome = measure_one_emu(report, &mut pipeline, products, queries, durations).await;
    pipeline.tear_down().await;
    outcome
}

async fn measure_one_emu(
    report: &mut Report,
    pipeline: &mut Pipeline,
    products: &[NewProduct],
    queries: &[String],
    durations: &Durations,
) -> anyhow::Result<()> {
    // One at a time, so each start-up time is its own.
    let ready = pipeline.start(Service::Pelican, "pelican").await?.ready;
    report.set("ready_s_pelican", ready.as_secs_f64());
    let ready = pipeline.start(Service::Emu, "emu").await?.ready;
    report.set("ready_s_emu", ready.as_secs_f64());
    let frontend = match pipeline.start(Service::Frontend, "frontend").await {
        Ok(running) => {
            report.set("ready_s_frontend", running.ready.as_secs_f64());
            Ok(running.process.base_url())
        }
        Err(e) => Err(format!("frontend not available: {e:#}")),
    };

    match sync::run(pipeline, products).await {
        Ok(synced) => {
            report.set("sync_rows_per_s", synced.rows_per_s);
            report.set("sync_insert_s", synced.insert_s);
            report.set_opt("sync_relay_s", synced.relay_s, "outbox not seen empty");
            report.set_opt(
                "sync_relay_events_per_s",
                synced.relay_s.map(|s| products.len() as f64 / s),
                "outbox not seen empty",
            );
            report.set_opt("sync_cpu_busy_pct", synced.busy_pct, "no /proc/stat");
            for (name, cpu) in synced.cpu_s {
                report.set(&format!("sync_cpu_s_{name}"), cpu);
            }
        }
        // Without an indexed catalog the later phases measure nothing real.
        Err(e) => anyhow::bail!("bulk sync: {e:#}"),
    }

    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM products ORDER BY id")
        .fetch_all(&pipeline.db.pool)
        .await?;
    for (i, &(rate, prefix)) in FRESHNESS_RATES.iter().enumerate() {
        // Each rate on other rows (as far as the catalog allows).
        let offset = i * ids.len() / FRESHNESS_RATES.len();
        match freshness::run(&pipeline.db.pool, &ids, offset, rate, durations.freshness).await {
            Ok(f) => {
                for (q, name) in [(0.5, "p50"), (0.95, "p95"), (0.99, "p99")] {
                    report.set_opt(
                        &format!("{prefix}_{name}_ms"),
                        f.latencies.quantile_ms(q),
                        "no update became visible",
                    );
                }
                report.set_opt(
                    &format!("{prefix}_max_ms"),
                    f.latencies.max_ms(),
                    "no samples",
                );
                report.set(&format!("{prefix}_updates"), f.committed as f64);
                report.set(&format!("{prefix}_achieved_rate"), f.achieved_rate);
                report.set(&format!("{prefix}_lost"), f.lost as f64);
                report.set(&format!("{prefix}_failed"), f.failed as f64);
            }
            Err(e) => report.fail(
                &[&format!("{prefix}_p50_ms"), &format!("{prefix}_p99_ms")],
                &format!("freshness at {rate}/s failed: {e:#}"),
            ),
        }
    }

    // Search runs on an idle pipeline, not beside a leftover backlog.
    let caught_up = sync::wait_caught_up(&pipeline.db.pool, std::time::Duration::from_secs(600))
        .await
        .map_err(|e| format!("the freshness backlog did not clear: {e:#}"));
    let search_outcome = match (&frontend, &caught_up) {
        (Err(reason), _) | (Ok(_), Err(reason)) => Err(reason.clone()),
        (Ok(base_url), Ok(_)) => search::run(report, base_url, queries, durations.search)
            .await
            .map_err(|e| format!("{e:#}")),
    };
    if let Err(reason) = search_outcome {
        report.fail(search::KEYS, &reason);
        report.fail(&["rss_mb_frontend"], &reason);
    }

    for name in ["pelican", "emu", "frontend"] {
        if pipeline.service(name).is_some() {
            report.set_opt(
                &format!("rss_mb_{name}"),
                pipeline.peak_rss_mib(name),
                "no /proc status",
            );
        }
    }
    Ok(())
}

async fn two_emus(
    report: &mut Report,
    model_dir: &Path,
    products: &[NewProduct],
) -> anyhow::Result<()> {
    let mut pipeline = Pipeline::create(model_dir).await?;
    let outcome = async {
        pipeline.start(Service::Pelican, "pelican").await?;
        pipeline.start(Service::Emu, "emu").await?;
        pipeline.start(Service::Emu, "emu2").await?;
        let synced = sync::run(&pipeline, products).await?;
        report.set("sync2_rows_per_s", synced.rows_per_s);
        for (name, cpu) in synced.cpu_s {
            report.set(&format!("sync2_cpu_s_{name}"), cpu);
        }
        anyhow::Ok(())
    }
    .await;
    pipeline.tear_down().await;
    outcome
}

/// What the numbers depend on: sizes, durations, the embedder's options and
/// every service tuning variable that was set (unset = the service default).
fn run_settings(
    settings: &RunSettings,
    durations: &Durations,
    embedder: Option<&embed::Measured>,
) -> serde_json::Value {
    let tuning: serde_json::Map<String, serde_json::Value> = std::env::vars()
        .filter(|(k, _)| TUNING_PREFIXES.iter().any(|p| k.starts_with(p)))
        .filter(|(k, _)| !k.ends_with("_ADDR") && !k.contains("KEY"))
        .map(|(k, v)| (k, json!(v)))
        .collect();
    json!({
        "rows": settings.rows,
        "quick": settings.quick,
        "freshness_s_per_rate": durations.freshness.as_secs(),
        "freshness_rates": FRESHNESS_RATES.iter().map(|(r, _)| r).collect::<Vec<_>>(),
        "search_s_per_run": durations.search.as_secs(),
        "search_concurrency": search::CONCURRENCY,
        "sweep_texts": durations.sweep_texts,
        "embed_threads": embedder.map(|e| e.threads),
        "embed_batch_size": embedder.map(|e| e.batch_size),
        "service_env": tuning,
    })
}
