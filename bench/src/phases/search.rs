//! Phase 5, search: `GET /api/search?q=&k=` against the frontend at fixed
//! concurrency (closed loop: each client sends its next request when the
//! last one answered). Cache miss: every request a query never asked
//! before; cache hit: a small set of queries asked once beforehand.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Deserialize;

use crate::latency::Latencies;
use crate::report::Report;

pub const KEYS: &[&str] = &[
    "search_miss_p50_ms",
    "search_miss_p99_ms",
    "search_hit_p50_ms",
    "search_rps_16",
    "search_miss_c16_p50_ms",
    "search_miss_c16_p99_ms",
    "search_hit_c16_p50_ms",
];

pub const CONCURRENCY: &[usize] = &[1, 16, 64];
const TOP_K: usize = 10;
/// Queries of the cache-hit runs: few enough to stay in any cache.
const HIT_SET: usize = 16;

/// The part of the response the harness checks.
#[derive(Debug, Deserialize)]
struct SearchResponse {
    results: Vec<serde_json::Value>,
}

#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    url: String,
}

impl Client {
    /// One search; Err for anything but 200 with a `results` array.
    async fn search(&self, query: &str) -> anyhow::Result<usize> {
        let response = self
            .http
            .get(&self.url)
            .query(&[("q", query), ("k", &TOP_K.to_string())])
            .send()
            .await?;
        let status = response.status();
        anyhow::ensure!(status.is_success(), "HTTP {status}");
        let body: SearchResponse = response.json().await?;
        Ok(body.results.len())
    }
}

struct Run {
    latencies: Latencies,
    requests_per_s: f64,
    errors: u64,
}

/// `concurrency` clients for `duration`; `query(n)` gives the n-th query.
async fn run_level(
    client: &Client,
    concurrency: usize,
    duration: Duration,
    query: Arc<dyn Fn(usize) -> String + Send + Sync>,
) -> Run {
    let counter = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let client = client.clone();
        let counter = Arc::clone(&counter);
        let query = Arc::clone(&query);
        tasks.spawn(async move {
            let mut latencies = Latencies::new();
            let mut errors = 0u64;
            while started.elapsed() < duration {
                let q = query(counter.fetch_add(1, Ordering::Relaxed));
                let sent = Instant::now();
                match client.search(&q).await {
                    Ok(_) => latencies.record(sent.elapsed()),
                    Err(_) => errors += 1,
                }
            }
            (latencies, errors)
        });
    }
    let mut latencies = Latencies::new();
    let mut errors = 0;
    while let Some(Ok((l, e))) = tasks.join_next().await {
        latencies.merge(&l);
        errors += e;
    }
    let seconds = started.elapsed().as_secs_f64();
    Run {
        requests_per_s: latencies.count() as f64 / seconds,
        latencies,
        errors,
    }
}

pub async fn run(
    report: &mut Report,
    base_url: &str,
    queries: &[String],
    duration: Duration,
) -> anyhow::Result<()> {
    let client = Client {
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .pool_max_idle_per_host(128)
            .build()?,
        url: format!("{base_url}/api/search"),
    };
    let found = client
        .search(&queries[0])
        .await
        .context("frontend not available: GET /api/search failed")?;
    anyhow::ensure!(
        found > 0,
        "GET /api/search found nothing for {:?}",
        queries[0]
    );

    let hits: Vec<String> = queries.iter().take(HIT_SET).cloned().collect();
    for q in &hits {
        client.search(q).await.context("warming the query cache")?;
    }
    // Miss queries are real shopper queries made unique by a number, so
    // they cost what a real query costs to embed.
    let base: Arc<Vec<String>> = Arc::new(queries.to_vec());
    let miss_counter = Arc::new(AtomicUsize::new(0));
    for &concurrency in CONCURRENCY {
        let base = Arc::clone(&base);
        let unique = Arc::clone(&miss_counter);
        let miss = run_level(
            &client,
            concurrency,
            duration,
            Arc::new(move |_| {
                let n = unique.fetch_add(1, Ordering::Relaxed);
                format!("{} {n}", base[n % base.len()])
            }),
        )
        .await;
        let hits = Arc::new(hits.clone());
        let hit = run_level(
            &client,
            concurrency,
            duration,
            Arc::new(move |n| hits[n % hits.len()].clone()),
        )
        .await;
        for (kind, run) in [("miss", &miss), ("hit", &hit)] {
            tracing::info!(
                "search {kind} c={concurrency}: {:.0} req/s, p50 {:?} ms, p99 {:?} ms, {} errors",
                run.requests_per_s,
                run.latencies.quantile_ms(0.5),
                run.latencies.quantile_ms(0.99),
                run.errors
            );
            let prefix = format!("search_{kind}_c{concurrency}");
            report.set_opt(
                &format!("{prefix}_p50_ms"),
                run.latencies.quantile_ms(0.5),
                "no answers",
            );
            report.set_opt(
                &format!("{prefix}_p99_ms"),
                run.latencies.quantile_ms(0.99),
                "no answers",
            );
            report.set(
                &format!("search_{kind}_rps_{concurrency}"),
                run.requests_per_s,
            );
            report.set(&format!("{prefix}_errors"), run.errors as f64);
        }
    }
    // The headline keys: latency of one client; throughput at 16.
    for (headline, detail) in [
        ("search_miss_p50_ms", "search_miss_c1_p50_ms"),
        ("search_miss_p99_ms", "search_miss_c1_p99_ms"),
        ("search_hit_p50_ms", "search_hit_c1_p50_ms"),
        ("search_hit_p99_ms", "search_hit_c1_p99_ms"),
        ("search_rps_16", "search_miss_rps_16"),
    ] {
        report.set_opt(headline, report.get(detail), "no answers");
    }
    Ok(())
}
