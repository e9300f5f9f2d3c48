//! The fault-injection suite (`make chaos`; a shorter form runs in
//! `make test` as `chaos/tests/chaos.rs`).
//!
//! It starts the whole pipeline as real processes ([`cluster`]), bulk-loads
//! the catalog, keeps writing to it ([`workload`]) and injects one fault
//! after another. After each scenario it waits until the system is quiet
//! and runs the same verification as `catalogctl verify`
//! ([`catalogctl::reconcile`]): the index must equal the table, no valid
//! message may sit in the DLQ, and every poison message must be in the DLQ
//! with exactly one alert ([`poison`]).
//!
//! Two clusters run one after the other: one on pgvector (every scenario
//! but Pinecone's), then one whose emus write to Pinecone — the
//! spec-checking double behind an HTTP fault proxy — for its bulk load and
//! the 429 / 503 / hang scenario.
//!
//! Layout: `cluster` (processes and proxies), `workload`, `poison`,
//! `scenario` (the faults), `check` (quiesce, verify, DLQ).

pub mod check;
pub mod cluster;
pub mod poison;
pub mod scenario;
pub mod workload;

use std::time::Duration;

use serde::Serialize;
use vector_store::VectorStoreKind;

/// Sizes and durations of a run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Products bulk-loaded before the first fault.
    pub products: u64,
    /// Concurrent writers during each scenario, and changes per second each.
    pub writers: usize,
    pub writes_per_s: u32,
    /// SIGKILLs per kill scenario.
    pub kills: usize,
    /// How long Postgres and the vector store are cut off.
    pub outage: Duration,
    /// How long the SQS emulator is unreachable.
    pub sqs_outage: Duration,
    /// How long each Pinecone fault lasts (429, 503, hang).
    pub pinecone_phase: Duration,
    /// emu's Pinecone request timeout (`PINECONE_TIMEOUT_MS`); shorter
    /// than a phase, so hung requests time out within it.
    pub pinecone_timeout: Duration,
    /// The clusters to run, in order.
    pub stores: Vec<VectorStoreKind>,
    /// Products whose vector is re-embedded and compared by verify.
    pub sample: usize,
    /// Longest wait for the system to become quiet and in sync.
    pub quiesce_timeout: Duration,
}

impl Config {
    /// `make chaos`.
    pub fn full() -> Self {
        Self {
            products: 20_000,
            writers: 4,
            writes_per_s: 10,
            kills: 4,
            outage: Duration::from_secs(20),
            sqs_outage: Duration::from_secs(15),
            pinecone_phase: Duration::from_secs(20),
            // emu's default.
            pinecone_timeout: Duration::from_secs(10),
            stores: vec![VectorStoreKind::Pgvector, VectorStoreKind::Pinecone],
            sample: 200,
            quiesce_timeout: Duration::from_secs(1_800),
        }
    }

    /// The CI form: both clusters, smaller and shorter (minutes on 2 cores).
    pub fn ci() -> Self {
        Self {
            products: 1_000,
            writers: 2,
            writes_per_s: 10,
            kills: 2,
            outage: Duration::from_secs(8),
            sqs_outage: Duration::from_secs(15),
            pinecone_phase: Duration::from_secs(5),
            pinecone_timeout: Duration::from_secs(2),
            stores: vec![VectorStoreKind::Pgvector, VectorStoreKind::Pinecone],
            sample: 30,
            quiesce_timeout: Duration::from_secs(240),
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub scenario: &'static str,
    /// Rows without a vector after the system quiesced.
    pub lost: u64,
    /// Vectors of another version than the row, or (sampled) not the
    /// embedding of the row's text.
    pub stale: u64,
    /// Vectors without a row.
    pub orphans: u64,
    /// Valid change events found in the DLQ.
    pub dlq_valid: u64,
    /// Poison messages found in the DLQ.
    pub dlq_poison: u64,
    /// Valid duplicates delivered and applied without effect.
    pub duplicates_applied: u64,
    /// From the end of the fault to "quiet and in sync"; null if it never got there.
    pub recovery_s: Option<f64>,
    /// Changes committed by the workload during the scenario.
    pub changes: u64,
    /// What else was checked, and any failure.
    pub notes: Vec<String>,
}

impl Outcome {
    pub fn passed(&self) -> bool {
        self.lost == 0
            && self.stale == 0
            && self.orphans == 0
            && self.dlq_valid == 0
            && self.recovery_s.is_some()
            && !self.notes.iter().any(|n| n.starts_with("FAIL"))
    }
}

/// The last line: totals over all scenarios.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub summary: &'static str,
    pub scenarios: usize,
    pub passed: usize,
    pub products: u64,
    pub lost: u64,
    pub stale: u64,
    pub orphans: u64,
    pub dlq_valid: u64,
    pub dlq_poison: u64,
    pub duplicates_applied: u64,
    pub max_recovery_s: Option<f64>,
    pub total_s: f64,
}

pub fn summarize(config: &Config, outcomes: &[Outcome], total: Duration) -> Summary {
    let sum = |f: fn(&Outcome) -> u64| outcomes.iter().map(f).sum();
    Summary {
        summary: "chaos",
        scenarios: outcomes.len(),
        passed: outcomes.iter().filter(|o| o.passed()).count(),
        products: config.products,
        lost: sum(|o| o.lost),
        stale: sum(|o| o.stale),
        orphans: sum(|o| o.orphans),
        dlq_valid: sum(|o| o.dlq_valid),
        dlq_poison: sum(|o| o.dlq_poison),
        duplicates_applied: sum(|o| o.duplicates_applied),
        max_recovery_s: outcomes
            .iter()
            .map(|o| o.recovery_s)
            .try_fold(0.0f64, |max, r| r.map(|r| max.max(r))),
        total_s: total.as_secs_f64(),
    }
}

/// Run every scenario in order, a fresh cluster per store; `report` gets
/// each outcome as it is known.
pub async fn run(
    config: &Config,
    mut report: impl FnMut(&Outcome),
) -> anyhow::Result<Vec<Outcome>> {
    let mut outcomes = Vec::new();
    for &store in &config.stores {
        let mut cluster = cluster::Cluster::start(store, config.pinecone_timeout).await?;
        let result = async {
            let checker = check::Checker::new(&cluster, config).await?;
            for scenario in scenario::for_store(store) {
                let outcome = scenario::run(*scenario, &mut cluster, &checker, config).await?;
                report(&outcome);
                outcomes.push(outcome);
            }
            anyhow::Ok(())
        }
        .await;
        cluster.stop().await;
        result?;
    }
    Ok(outcomes)
}
