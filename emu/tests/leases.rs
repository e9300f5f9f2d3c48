//! emu stops writing a batch once its lease on the messages is gone, and
//! leaves them to their next receiver: a write that went on after SQS gave
//! the message to another instance could land after that instance's newer
//! one (Pinecone upserts are unconditional).
//!
//! The test cuts emu off from SQS (a fault proxy in front of the emulator
//! answers 503) while its write to Pinecone hangs (a second proxy in front
//! of the spec-checking double), so no extension can succeed.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::Stack;
use shared::settings::HttpUrl;
use shared::testing::http_fault_proxy::{HttpFault, HttpFaultProxy};
use shared::testing::pinecone_double::Double;
use shared::testing::{aws_settings, eventually};

const API_KEY: &str = "pcsk_emu_lease_test";
/// emu's minimum: the lease margin is a quarter of it.
const VISIBILITY_S: u32 = 10;

#[tokio::test]
async fn a_batch_whose_lease_is_lost_is_not_written_and_comes_back() {
    let stack = Stack::create(5, VISIBILITY_S).await;
    let double = Double::start(API_KEY).await;
    let index = HttpFaultProxy::start(&double.url()).await;
    let sqs_endpoint = aws_settings().aws_endpoint_url.unwrap().0;
    let sqs = HttpFaultProxy::start(&sqs_endpoint).await;

    let mut settings = stack.emu_settings(common::pinecone(&index.url(), API_KEY));
    settings.aws.aws_endpoint_url = Some(HttpUrl(sqs.url()));
    settings.visibility_timeout_s = VISIBILITY_S as i32;
    settings.vector_store.pinecone_timeout_ms = 60_000;
    stack.start_pelican().await;
    let emu = stack.start_emu(settings).await;

    // emu takes the change and starts writing; the write hangs.
    index.set(HttpFault::Hang);
    let product = shared::catalog::generator::generate(5, 1).next().unwrap();
    shared::catalog::store::upsert_products(&stack.db.pool, std::slice::from_ref(&product))
        .await
        .unwrap();
    let in_hand = eventually(Duration::from_secs(60), || async {
        stack.messages_in_flight().await == 1
    })
    .await;
    assert!(in_hand, "emu never received the change");
    let writing = eventually(Duration::from_secs(30), || async {
        index.counts().hung > 0
    })
    .await;
    assert!(writing, "emu never reached the index");

    // Now SQS is out of reach: the lease cannot be extended and runs out.
    sqs.set(HttpFault::unavailable());
    let abandoned = eventually(Duration::from_secs(3 * u64::from(VISIBILITY_S)), || async {
        common::metric(&emu, "emu_messages_total", "lease_lost").await >= 1.0
    })
    .await;
    assert!(abandoned, "emu kept working on a batch it no longer held");
    // The write was dropped with the batch: with the index healthy again
    // and SQS still out of reach, nothing of the lost batch is written
    // (before leases, emu went on retrying it and wrote it here).
    index.set(HttpFault::PassThrough);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        double.stored_count(""),
        0,
        "a write of the lost batch landed"
    );

    // SQS back: the message reappears, is received again and indexed.
    sqs.set(HttpFault::PassThrough);
    let rows = common::rows(&stack.db.pool).await;
    let indexed = eventually(Duration::from_secs(90), || async {
        double
            .stored_metadata("", &rows[0].id.to_string())
            .is_some_and(|m| m["version"].as_i64() == Some(rows[0].version))
    })
    .await;
    assert!(indexed, "the abandoned change was never indexed");
    let idle = eventually(Duration::from_secs(30), || stack.queue_idle()).await;
    assert!(idle, "the message was not acknowledged");
    assert!(stack.dead_letters(Duration::from_secs(2)).await.is_empty());
    double.assert_clean();
    stack.shutdown.trigger();
}
