//! emu SIGKILLed in the middle of its work, then started again: the
//! messages it held come back after their visibility timeout and every
//! row ends up indexed, none dead-lettered.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::Stack;
use testkit::eventually;
use testkit::process::Service;
use vector_store::VectorStore;

#[tokio::test]
async fn a_killed_emu_restarted_indexes_everything() {
    // Short visibility, so the killed instance's messages return soon;
    // enough receives that a kill never pushes one to the DLQ.
    let stack = Stack::create(5, 10).await;
    let env = [("EMU_VISIBILITY_TIMEOUT_S", "10")];
    stack.start_pelican().await;
    let mut emu = stack.spawn(Service::Emu, &env).await;
    let products: Vec<_> = sample_catalog::generate(41, 2_000).collect();
    sync_core::product::upsert_products(&stack.db.pool, &products)
        .await
        .unwrap();

    let store = stack.pgvector();
    let working = eventually(Duration::from_secs(120), || async {
        store.count().await.unwrap() >= 200
    })
    .await;
    assert!(working, "emu indexed nothing: {}", emu.log_tail(30));
    emu.sigkill().await;
    assert!(!emu.is_running());
    let held = stack.messages_in_flight().await;
    assert!(held > 0, "the kill caught emu with no messages in hand");
    let at_kill = store.count().await.unwrap();
    assert!(at_kill < 2_000, "the kill came too late to test anything");

    let mut emu = stack.spawn(Service::Emu, &env).await;
    let synced = eventually(Duration::from_secs(240), || stack.in_sync()).await;
    assert!(synced, "{:?}: {}", stack.drift().await, emu.log_tail(30));
    assert_eq!(store.count().await.unwrap(), 2_000);
    assert!(stack.dead_letters(Duration::from_secs(2)).await.is_empty());
    eprintln!(
        "killed at {at_kill} of 2000 vectors, {held} messages in hand; all indexed after the restart"
    );
    emu.terminate(Duration::from_secs(30)).await.unwrap();
    stack.shutdown.trigger();
}
