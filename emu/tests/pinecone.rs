//! emu driving a Pinecone index: every request it sends (upserts, deletes,
//! readiness probes) validates against the official spec's shapes and the
//! documented limits, and one large flush is split into as few requests as
//! those limits allow. The index is the spec-checking double of
//! `testkit::pinecone_double`; emu is the release binary.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::Stack;
use testkit::eventually;
use testkit::pinecone_double::{Double, MAX_DELETE_IDS, MAX_UPSERT_BYTES, MAX_UPSERT_VECTORS};
use testkit::process::Service;

const API_KEY: &str = "pcsk_emu_flush_test";
/// Over the 1 000-id limit of a delete, and several 2 MB upserts' worth.
const FLUSH: usize = 1_200;

#[tokio::test]
async fn a_1200_message_flush_is_split_within_the_spec_limits() {
    let stack = Stack::create(3, 2_400).await;
    let double = Double::start(API_KEY).await;
    let url = double.url();
    // The messages are queued before emu starts, so that one flush takes
    // them all however slowly the emulator hands them out; the flush
    // timeout (emu's maximum, 600 s) stays below half the visibility, as
    // emu requires.
    stack.start_pelican().await;
    let products: Vec<_> = sample_catalog::generate(61, FLUSH as u64).collect();
    sync_core::product::upsert_products(&stack.db.pool, &products)
        .await
        .unwrap();
    let batch = all_queued(&stack).await.to_string();
    let mut emu = stack.spawn(Service::Emu, &emu_env(&url, &batch)).await;

    let indexed = eventually(Duration::from_secs(800), || async {
        double.stored_count("") == FLUSH
    })
    .await;
    assert!(
        indexed,
        "{} vectors: {}",
        double.stored_count(""),
        emu.log_tail(30)
    );
    assert_eq!(
        emu.metric("emu_batch_size_count").await,
        Some(1.0),
        "one flush"
    );

    let upserts = double.requests_to("/vectors/upsert");
    let sizes: Vec<(usize, usize)> = upserts
        .iter()
        .map(|r| (r.json()["vectors"].as_array().unwrap().len(), r.body.len()))
        .collect();
    eprintln!(
        "{FLUSH} vectors in {} upserts (vectors, bytes): {sizes:?}",
        sizes.len()
    );
    assert_eq!(
        sizes.iter().map(|s| s.0).sum::<usize>(),
        FLUSH,
        "each vector sent once"
    );
    assert!(sizes.len() >= FLUSH.div_ceil(MAX_UPSERT_VECTORS));
    // As few requests as the limits allow: each request but the last was
    // full, by count or by size (it had no room for one more vector).
    for &(vectors, bytes) in &sizes[..sizes.len() - 1] {
        let per_vector = bytes / vectors;
        assert!(
            vectors == MAX_UPSERT_VECTORS || bytes + per_vector > MAX_UPSERT_BYTES,
            "an upsert of {vectors} vectors, {bytes} bytes had room for more: {sizes:?}"
        );
    }

    // The same rows deleted, queued again before an emu takes them, so
    // that they too come in one flush: deletes of at most 1 000 ids.
    emu.terminate(Duration::from_secs(30)).await.unwrap();
    sqlx::query("DELETE FROM products")
        .execute(&stack.db.pool)
        .await
        .unwrap();
    let batch = all_queued(&stack).await.to_string();
    let mut emu = stack.spawn(Service::Emu, &emu_env(&url, &batch)).await;
    let deleted = eventually(Duration::from_secs(800), || async {
        double.stored_count("") == 0
    })
    .await;
    assert!(
        deleted,
        "{} vectors left, errors {:?}: {}",
        double.stored_count(""),
        emu.metric("emu_errors_total").await,
        emu.log_tail(30)
    );
    let deletes: Vec<Vec<String>> = double
        .requests_to("/vectors/delete")
        .iter()
        .map(|r| serde_json::from_value(r.json()["ids"].clone()).unwrap())
        .collect();
    let sizes: Vec<usize> = deletes.iter().map(Vec::len).collect();
    eprintln!("{FLUSH} ids in deletes of {sizes:?}");
    let ids: std::collections::HashSet<&String> = deletes.iter().flatten().collect();
    assert_eq!(ids.len(), FLUSH, "every id deleted");
    assert!(sizes.iter().all(|n| *n <= MAX_DELETE_IDS));

    // Upserts, deletes and readiness probes alike met the spec.
    assert!(!double.requests_to("/describe_index_stats").is_empty());
    double.assert_clean();
    assert!(stack.dead_letters(Duration::from_secs(2)).await.is_empty());
    emu.terminate(Duration::from_secs(30)).await.unwrap();
    stack.shutdown.trigger();
}

/// emu on the Pinecone double, flushing `batch` messages at once.
fn emu_env<'a>(url: &'a str, batch: &'a str) -> [(&'a str, &'a str); 7] {
    [
        ("VECTOR_STORE", "pinecone"),
        ("PINECONE_INDEX_HOST", url),
        ("PINECONE_API_KEY", API_KEY),
        ("EMU_BATCH_SIZE", batch),
        ("EMU_BATCH_TIMEOUT_MS", "600000"),
        ("EMU_RECEIVERS", "8"),
        ("EMU_VISIBILITY_TIMEOUT_S", "2400"),
    ]
}

/// Waits until pelican has relayed the whole outbox and at least [`FLUSH`]
/// messages are queued; returns how many are. Delivery is at least once: a
/// send whose answer was lost is sent again (the emulator does not always
/// drop the duplicate as SQS would), so there may be a few more than
/// [`FLUSH`]. A batch of exactly that many is one flush, whatever the
/// duplicates (emu coalesces them).
async fn all_queued(stack: &Stack) -> u64 {
    let relayed = eventually(Duration::from_secs(120), || async {
        let outbox: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
            .fetch_one(&stack.db.pool)
            .await
            .unwrap();
        outbox == 0 && stack.queue_depth().await.0 >= FLUSH as u64
    })
    .await;
    let depth = stack.queue_depth().await;
    assert!(relayed, "pelican queued {depth:?}");
    depth.0
}
