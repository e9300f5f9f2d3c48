//! emu killed or stopped in the middle of its work, then started again.
//! SIGKILLed, the messages it held come back after their visibility timeout
//! and every row ends up indexed, none dead-lettered. Stopped (SIGTERM)
//! while changes keep arriving, it hands back everything it did not finish,
//! so nothing waits out a visibility timeout.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

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

#[tokio::test]
async fn a_stopped_emu_leaves_no_message_in_flight() {
    // A visibility timeout far longer than the test: a message a stopped
    // emu left in flight would stay hidden well past the final check.
    let stack = Stack::create(5, 300).await;
    // Long polls of 5 s: at the stop, the receivers are mid-poll, and the
    // emulator completes those polls whether or not emu still listens.
    let env = [
        ("EMU_VISIBILITY_TIMEOUT_S", "300"),
        ("EMU_WAIT_TIME_S", "5"),
        ("EMU_RECEIVERS", "4"),
    ];
    stack.start_pelican().await;
    let mut emu = stack.spawn(Service::Emu, &env).await;

    // A steady flow of new products, one every 50 ms, through the stop.
    let flowing = Arc::new(AtomicBool::new(true));
    let pool = stack.db.pool.clone();
    let flow = tokio::spawn({
        let flowing = flowing.clone();
        async move {
            let mut products = sample_catalog::generate(43, 10_000);
            let mut sent = 0u32;
            while flowing.load(Ordering::Relaxed) {
                let product = products.next().unwrap();
                sync_core::product::upsert_products(&pool, &[product])
                    .await
                    .unwrap();
                sent += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            sent
        }
    });
    let store = stack.pgvector();
    let working = eventually(Duration::from_secs(60), || async {
        store.count().await.unwrap() >= 20
    })
    .await;
    assert!(working, "emu indexed nothing: {}", emu.log_tail(30));

    let stopping = Instant::now();
    let status = emu.terminate(Duration::from_secs(30)).await.unwrap();
    assert!(status.success(), "{status}: {}", emu.log_tail(30));
    let stop_took = stopping.elapsed();
    // Changes keep coming after the stop; they wait, visible, in the queue.
    tokio::time::sleep(Duration::from_secs(2)).await;
    flowing.store(false, Ordering::Relaxed);
    let sent = flow.await.unwrap();

    let in_flight = stack.messages_in_flight().await;
    assert_eq!(
        in_flight, 0,
        "messages left in flight by the stopped emu (stop took {stop_took:?})"
    );
    // So a new instance indexes everything long before any visibility
    // timeout could have run out.
    let mut emu = stack.spawn(Service::Emu, &env).await;
    let synced = eventually(Duration::from_secs(60), || stack.in_sync()).await;
    assert!(synced, "{}", stack.explain_drift().await);
    assert!(stack.dead_letters(Duration::from_secs(1)).await.is_empty());
    eprintln!("{sent} products, emu stopped in {stop_took:?} with none left in flight");
    emu.terminate(Duration::from_secs(30)).await.unwrap();
    stack.shutdown.trigger();
}
