//! The CI form of `make chaos`: the scenarios of both clusters (pgvector,
//! then Pinecone behind the fault proxy), at a size that fits the test
//! budget. Real processes, a fresh database and fresh queues per cluster.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

#[tokio::test]
async fn every_fault_heals_without_loss() {
    let config = chaos::Config::ci();
    let started = Instant::now();
    let outcomes = chaos::run(&config, |o| {
        eprintln!("{}", serde_json::to_string(o).unwrap());
    })
    .await
    .unwrap();
    let summary = chaos::summarize(&config, &outcomes, started.elapsed());
    eprintln!("{}", serde_json::to_string(&summary).unwrap());
    for o in &outcomes {
        assert!(o.passed(), "{}", serde_json::to_string_pretty(o).unwrap());
    }
    let poison = outcomes.iter().find(|o| o.scenario == "poison").unwrap();
    assert_eq!(poison.dlq_poison, 9, "nine poison messages reach the queue");
    assert_eq!(poison.duplicates_applied, 1);
    assert!(
        outcomes.iter().any(|o| o.scenario == "pinecone-faults"),
        "the Pinecone cluster ran"
    );
}
