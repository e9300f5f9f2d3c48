//! The faults, one scenario after another, each under the workload.

use std::time::{Duration, Instant};

use rand::Rng;
use shared::testing::process::Service;

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
}

pub const ALL: &[Scenario] = &[
    Scenario::BulkLoad,
    Scenario::KillPelicanLeader,
    Scenario::KillEmu,
    Scenario::PostgresOutage,
    Scenario::SqsOutage,
    Scenario::VectorStoreOutage,
    Scenario::Poison,
];

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
        }
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
    let load = if scenario == Scenario::BulkLoad {
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
        Scenario::BulkLoad => {}
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

/// Take a dependency away for `length` and bring it back. During the
/// outage `/readyz` is polled: every instance of the `unready` services
/// must say it is not ready at some point (so a load balancer or
/// orchestrator stops relying on it; their probes run every 5 s), and every
/// other instance must stay ready throughout. Within [`READY_AGAIN`] of the
/// end, all must be ready again.
async fn outage(
    cluster: &Cluster,
    length: Duration,
    unready: &[Service],
    notes: &mut Vec<String>,
    set: impl Fn(&Cluster, bool),
) {
    let processes: Vec<_> = cluster.pelicans.iter().chain(&cluster.emus).collect();
    let mut seen_unready = vec![false; processes.len()];
    set(cluster, true);
    let started = Instant::now();
    while started.elapsed() < length {
        for (i, p) in processes.iter().enumerate() {
            if !is_ready(p).await {
                seen_unready[i] = true;
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    set(cluster, false);
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
    notes.push(format!(
        "{length:?} outage; went unready: {}",
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

async fn is_ready(p: &shared::testing::process::ServiceProcess) -> bool {
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
    let alerts = shared::testing::drain_queue(
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
