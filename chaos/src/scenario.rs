//! The faults, one scenario after another, each under the workload.

use std::time::{Duration, Instant};

use anyhow::Context;
use rand::Rng;
use testkit::http_fault_proxy::HttpFault;
use testkit::process::Service;
use vector_store::VectorStoreKind;

use crate::check::Checker;
use crate::cluster::Cluster;
use crate::workload::{self, Workload};
use crate::{Config, Outcome, poison};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// Bulk load, no fault: the reference point.
    BulkLoad,
    KillPelicanLeader,
    KillEmu,
    PostgresOutage,
    SqsOutage,
    VectorStoreOutage,
    Poison,
    /// Bulk load of a cluster whose emus write to Pinecone.
    PineconeBulkLoad,
    /// The Pinecone index answering 429 with `Retry-After`, then 503, then
    /// not at all (past emu's request timeout), then normally again.
    PineconeFaults,
}

/// The scenarios of a cluster on pgvector.
pub const PGVECTOR: &[Scenario] = &[
    Scenario::BulkLoad,
    Scenario::KillPelicanLeader,
    Scenario::KillEmu,
    Scenario::PostgresOutage,
    Scenario::SqsOutage,
    Scenario::VectorStoreOutage,
    Scenario::Poison,
];

/// The scenarios of a cluster on Pinecone (the double behind a fault proxy).
pub const PINECONE: &[Scenario] = &[Scenario::PineconeBulkLoad, Scenario::PineconeFaults];

pub fn for_store(store: VectorStoreKind) -> &'static [Scenario] {
    match store {
        VectorStoreKind::Pgvector => PGVECTOR,
        VectorStoreKind::Pinecone => PINECONE,
    }
}

/// The `Retry-After` of the throttling phase, in seconds.
const RETRY_AFTER_S: u64 = 2;

impl Scenario {
    pub fn name(self) -> &'static str {
        match self {
            Self::BulkLoad => "bulk-load",
            Self::KillPelicanLeader => "sigkill-pelican-leader",
            Self::KillEmu => "sigkill-emu",
            Self::PostgresOutage => "postgres-outage",
            Self::SqsOutage => "sqs-outage",
            Self::VectorStoreOutage => "vector-store-outage",
            Self::Poison => "poison",
            Self::PineconeBulkLoad => "pinecone-bulk-load",
            Self::PineconeFaults => "pinecone-faults",
        }
    }

    fn is_bulk_load(self) -> bool {
        matches!(self, Self::BulkLoad | Self::PineconeBulkLoad)
    }
}

fn random_pause(min_ms: u64, max_ms: u64) -> Duration {
    Duration::from_millis(rand::rng().random_range(min_ms..=max_ms))
}

pub async fn run(
    scenario: Scenario,
    cluster: &mut Cluster,
    checker: &Checker,
    config: &Config,
) -> anyhow::Result<Outcome> {
    let mut notes = Vec::new();
    let mut poisoned = Vec::new();
    let mut inbox = None;
    let load = if scenario.is_bulk_load() {
        workload::bulk_load(checker.pool(), config.products).await?;
        None
    } else {
        Some(Workload::start(
            checker.pool().clone(),
            config.writers,
            config.writes_per_s,
        ))
    };
    match scenario {
        Scenario::BulkLoad | Scenario::PineconeBulkLoad => {}
        Scenario::KillPelicanLeader => {
            for _ in 0..config.kills {
                tokio::time::sleep(random_pause(500, 4_000)).await;
                let Some(leader) = wait_for_leader(cluster, Duration::from_secs(15)).await else {
                    notes.push("FAIL: no pelican became leader within 15 s".into());
                    break;
                };
                cluster.pelicans[leader].sigkill().await;
                let killed_at = Instant::now();
                let takeover = wait_for_leader(cluster, Duration::from_secs(15)).await;
                notes.push(match takeover {
                    Some(_) => format!(
                        "leader {leader} SIGKILLed; standby took over in {:.2}s",
                        killed_at.elapsed().as_secs_f64()
                    ),
                    None => "FAIL: no standby took over within 15 s".into(),
                });
                cluster.pelicans[leader] = cluster.spawn(Service::Pelican).await?;
            }
        }
        Scenario::KillEmu => {
            for _ in 0..config.kills {
                tokio::time::sleep(random_pause(500, 4_000)).await;
                let victim = rand::rng().random_range(0..cluster.emus.len());
                cluster.emus[victim].sigkill().await;
                tokio::time::sleep(random_pause(0, 2_000)).await;
                cluster.emus[victim] = cluster.spawn(Service::Emu).await?;
                notes.push(format!("emu {victim} SIGKILLed and restarted"));
            }
        }
        Scenario::PostgresOutage => {
            let unready = &[Service::Pelican, Service::Emu];
            outage(cluster, config.outage, unready, &mut notes, |c, down| {
                c.pelican_pg.set_down(down);
                c.emu_pg.set_down(down);
            })
            .await;
        }
        Scenario::SqsOutage => {
            let unready = &[Service::Pelican, Service::Emu];
            outage(
                cluster,
                config.sqs_outage,
                unready,
                &mut notes,
                |c, down| {
                    c.aws.set_down(down);
                },
            )
            .await;
        }
        Scenario::VectorStoreOutage => {
            // emu's only Postgres connection is the pgvector store's;
            // pelican does not need the store and must stay ready.
            outage(
                cluster,
                config.outage,
                &[Service::Emu],
                &mut notes,
                |c, down| {
                    c.emu_pg.set_down(down);
                },
            )
            .await;
        }
        Scenario::PineconeFaults => pinecone_faults(cluster, config, &mut notes).await?,
        Scenario::Poison => {
            inbox = Some(poison::subscribe_inbox(cluster).await?);
            let (injected, refused) = poison::inject(cluster, checker.pool()).await?;
            notes.extend(refused);
            poisoned = injected;
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
    }
    let fault_over = Instant::now();
    let changes = match load {
        Some(load) => load.stop().await,
        None => config.products,
    };
    let (settled, report) = checker.quiesce().await?;
    let recovery_s = settled.map(|_| fault_over.elapsed().as_secs_f64());
    if settled.is_none() {
        notes.push(format!(
            "FAIL: not quiet and in sync within {:?}: {report}",
            config.quiesce_timeout
        ));
    }
    let expected_poison = poisoned.iter().filter(|p| p.poison).count();
    let dead = checker.drain_dlq(expected_poison).await;
    let mut duplicates_applied = 0;
    if let Some(inbox) = inbox {
        duplicates_applied = check_alerts(cluster, &inbox, &poisoned, &dead, &mut notes).await;
    }
    for body in &dead.valid {
        notes.push(format!(
            "FAIL: valid message in the DLQ: {}",
            body.chars().take(200).collect::<String>()
        ));
    }
    if let Some(index) = &cluster.pinecone {
        // Every request emu and verify sent met Pinecone's spec and limits.
        for violation in index.double.take_violations() {
            notes.push(format!("FAIL: off-spec Pinecone request: {violation}"));
        }
    }
    Ok(Outcome {
        scenario: scenario.name(),
        lost: report.missing,
        stale: report.stale + report.drifted,
        orphans: report.orphans,
        dlq_valid: dead.valid.len() as u64,
        dlq_poison: dead.other.len() as u64,
        duplicates_applied,
        recovery_s,
        changes,
        notes,
    })
}

async fn wait_for_leader(cluster: &Cluster, timeout: Duration) -> Option<usize> {
    let started = Instant::now();
    while started.elapsed() < timeout {
        if let Some(leader) = cluster.leader().await {
            return Some(leader);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

/// The Pinecone index fails in three ways, one after the other, each for
/// `config.pinecone_phase`: 429 with `Retry-After`, 503, and requests
/// taken but never answered (past emu's request timeout). emu must go
/// unready and pelican stay ready (as in any vector-store outage); every
/// phase must have been met by some request.
async fn pinecone_faults(
    cluster: &Cluster,
    config: &Config,
    notes: &mut Vec<String>,
) -> anyhow::Result<()> {
    let index = cluster
        .pinecone
        .as_ref()
        .context("pinecone-faults needs a cluster on Pinecone")?;
    let before = index.proxy.counts();
    let length = config.pinecone_phase;
    let phases = [
        ("429", length, HttpFault::throttled(RETRY_AFTER_S)),
        ("503", length, HttpFault::unavailable()),
        ("hang", length, HttpFault::Hang),
    ];
    faults(cluster, &phases, &[Service::Emu], notes, |c, phase| {
        if let Some(index) = &c.pinecone {
            index
                .proxy
                .set(phase.cloned().unwrap_or(HttpFault::PassThrough));
        }
    })
    .await;
    let after = index.proxy.counts();
    let answered = |status: u16| {
        after.answered.get(&status).copied().unwrap_or(0)
            - before.answered.get(&status).copied().unwrap_or(0)
    };
    let (throttled, unavailable, hung) = (answered(429), answered(503), after.hung - before.hung);
    notes.push(format!(
        "proxy answered 429 (Retry-After: {RETRY_AFTER_S}) x{throttled}, 503 x{unavailable}, \
         held x{hung} past emu's {:?} timeout; forwarded x{}",
        index.timeout,
        after.forwarded - before.forwarded
    ));
    for (phase, count) in [("429", throttled), ("503", unavailable), ("hang", hung)] {
        if count == 0 {
            notes.push(format!(
                "FAIL: no request reached the proxy in the {phase} phase"
            ));
        }
    }
    Ok(())
}

/// Take a dependency away for `length` and bring it back (see [`faults`]).
async fn outage(
    cluster: &Cluster,
    length: Duration,
    unready: &[Service],
    notes: &mut Vec<String>,
    set: impl Fn(&Cluster, bool),
) {
    faults(
        cluster,
        &[("outage", length, ())],
        unready,
        notes,
        |c, phase| {
            set(c, phase.is_some());
        },
    )
    .await;
}

/// Inject one fault after another (`set(Some(fault))`), each for its
/// length, then take the last one away (`set(None)`). Throughout,
/// `/readyz` is polled: every instance of the `unready` services must say
/// it is not ready at some point (so a load balancer or orchestrator stops
/// relying on it; their probes run every 5 s), and every other instance
/// must stay ready throughout. Within [`READY_AGAIN`] of the end, all must
/// be ready again. With several phases, a note says which instances were
/// seen unready in each.
async fn faults<P>(
    cluster: &Cluster,
    phases: &[(&str, Duration, P)],
    unready: &[Service],
    notes: &mut Vec<String>,
    set: impl Fn(&Cluster, Option<&P>),
) {
    let processes: Vec<_> = cluster.pelicans.iter().chain(&cluster.emus).collect();
    let mut seen_unready = vec![false; processes.len()];
    let mut per_phase = Vec::new();
    for (name, length, fault) in phases {
        set(cluster, Some(fault));
        let mut in_phase = vec![false; processes.len()];
        let started = Instant::now();
        while started.elapsed() < *length {
            for (i, p) in processes.iter().enumerate() {
                if !is_ready(p).await {
                    seen_unready[i] = true;
                    in_phase[i] = true;
                }
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let count = in_phase.iter().filter(|u| **u).count();
        per_phase.push(format!("{name} {length:?}: {count} unready"));
    }
    set(cluster, None);
    let total: Duration = phases.iter().map(|(_, length, _)| *length).sum();
    let mut went_unready = Vec::new();
    for (p, &seen) in processes.iter().zip(&seen_unready) {
        let name = p.service().binary_name();
        if seen {
            went_unready.push(name);
        }
        match (unready.contains(&p.service()), seen) {
            (true, false) => notes.push(format!("FAIL: {name} stayed ready during the outage")),
            (false, true) => notes.push(format!("FAIL: {name} went unready, not its dependency")),
            _ => {}
        }
    }
    if phases.len() > 1 {
        notes.push(format!("phases: {}", per_phase.join(", ")));
    }
    notes.push(format!(
        "{total:?} outage; went unready: {}",
        if went_unready.is_empty() {
            "none".to_owned()
        } else {
            went_unready.join(", ")
        }
    ));
    let back = Instant::now();
    for p in &processes {
        while !is_ready(p).await {
            if back.elapsed() > READY_AGAIN {
                notes.push(format!(
                    "FAIL: {} not ready {READY_AGAIN:?} after the outage",
                    p.service().binary_name()
                ));
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// How soon after an outage every service must be ready again: their
/// probes retry with a capped backoff, well below this.
const READY_AGAIN: Duration = Duration::from_secs(30);

async fn is_ready(p: &testkit::process::ServiceProcess) -> bool {
    reqwest::get(format!("{}/readyz", p.base_url()))
        .await
        .is_ok_and(|r| r.status().is_success())
}

/// Each poison message: in the DLQ, named by exactly one alert; the
/// duplicate: in neither. Returns how many duplicates were applied
/// (consumed without a DLQ move or an alert).
async fn check_alerts(
    cluster: &Cluster,
    inbox: &str,
    injected: &[poison::Injected],
    dead: &crate::check::DeadLetters,
    notes: &mut Vec<String>,
) -> u64 {
    let expected = injected.iter().filter(|p| p.poison).count();
    let alerts = testkit::drain_queue(
        &cluster.queues.sqs,
        inbox,
        expected + 1,
        Duration::from_secs(10),
        Duration::from_secs(60),
    )
    .await;
    let mut duplicates = 0;
    for p in injected {
        let naming: Vec<&str> = alerts
            .iter()
            .filter(|a| a.body.contains(&p.message_id))
            .map(|a| a.body.as_str())
            .collect();
        // emu dead-letters an empty body as a visible marker (SQS refuses
        // empty bodies on send).
        let dead_body = if p.body.is_empty() {
            "(empty body)"
        } else {
            p.body.as_str()
        };
        let in_dlq = dead.other.iter().chain(&dead.valid).any(|b| b == dead_body);
        if !p.poison {
            if naming.is_empty() && !in_dlq {
                duplicates += 1;
            } else {
                notes.push(format!("FAIL: {}: alerted or dead-lettered", p.kind));
            }
            continue;
        }
        match (naming.as_slice(), in_dlq) {
            ([alert], true) => notes.push(format!("{}: DLQ + 1 alert: {}", p.kind, reason(alert))),
            (alerts, in_dlq) => notes.push(format!(
                "FAIL: {}: {} alerts, in DLQ: {in_dlq}",
                p.kind,
                alerts.len()
            )),
        }
    }
    if alerts.len() != expected {
        notes.push(format!(
            "FAIL: {} alerts for {expected} poison messages",
            alerts.len()
        ));
    }
    duplicates
}

/// The `reason` of an alert (SNS envelope → message JSON).
fn reason(envelope: &str) -> String {
    serde_json::from_str::<serde_json::Value>(envelope)
        .ok()
        .and_then(|e| e["Message"].as_str().map(str::to_owned))
        .and_then(|m| serde_json::from_str::<serde_json::Value>(&m).ok())
        .and_then(|m| m["reason"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "(no reason found)".into())
}
