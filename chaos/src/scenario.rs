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
            outage(cluster, config.outage, &mut notes, |c, down| {
                c.pelican_pg.set_down(down);
                c.emu_pg.set_down(down);
            })
            .await;
        }
        Scenario::SqsOutage => {
            outage(cluster, config.sqs_outage, &mut notes, |c, down| {
                c.aws.set_down(down);
            })
            .await;
        }
        Scenario::VectorStoreOutage => {
            // emu's only Postgres connection is the pgvector store's.
            outage(cluster, config.outage, &mut notes, |c, down| {
                c.emu_pg.set_down(down);
            })
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

/// Take a dependency away for `length`, check that the services say so on
/// `/readyz` meanwhile, and bring it back.
async fn outage(
    cluster: &Cluster,
    length: Duration,
    notes: &mut Vec<String>,
    set: impl Fn(&Cluster, bool),
) {
    set(cluster, true);
    tokio::time::sleep(length / 2).await;
    let mut not_ready = Vec::new();
    for p in cluster.pelicans.iter().chain(&cluster.emus) {
        let ready = reqwest::get(format!("{}/readyz", p.base_url()))
            .await
            .is_ok_and(|r| r.status().is_success());
        if !ready {
            not_ready.push(p.service().binary_name());
        }
    }
    notes.push(format!(
        "{length:?} outage; not ready midway: {}",
        if not_ready.is_empty() {
            "none".to_owned()
        } else {
            not_ready.join(", ")
        }
    ));
    tokio::time::sleep(length - length / 2).await;
    set(cluster, false);
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
