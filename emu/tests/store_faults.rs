//! emu against a Pinecone index that fails: throttling and outages are
//! ridden out without dead-lettering anything; a record the store refuses
//! for good costs only its own product. The index is the spec-checking
//! double of `testkit::pinecone_double`.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::Stack;
use testkit::eventually;
use testkit::pinecone_double::{Double, Fault, RetryAfter};

const API_KEY: &str = "pcsk_emu_test";

/// Whether the double holds exactly the table's rows, each at its version.
async fn double_matches_rows(stack: &Stack, double: &Double) -> bool {
    let rows = common::rows(&stack.db.pool).await;
    double.stored_count("") == rows.len()
        && rows.iter().all(|row| {
            double
                .stored_metadata("", &row.id.to_string())
                .is_some_and(|m| {
                    m["product_id"].as_i64() == Some(row.id)
                        && m["version"].as_i64() == Some(row.version)
                        && m["sku"].as_str() == Some(row.sku.as_str())
                })
        })
}

#[tokio::test]
async fn throttling_then_an_outage_is_retried_and_nothing_is_dead_lettered() {
    let stack = Stack::create(3, 30).await;
    let double = Double::start(API_KEY).await;
    // Everything the store is asked in the next while fails: three 429s
    // that ask for a second's patience each, then a run of 500s.
    for _ in 0..3 {
        double.push_fault(Fault::Status {
            status: 429,
            retry_after: Some(RetryAfter::Seconds(1)),
        });
    }
    for _ in 0..12 {
        double.push_fault(Fault::Status {
            status: 500,
            retry_after: None,
        });
    }
    stack.start_pelican().await;
    stack
        .start_emu(stack.emu_settings(common::pinecone(&double.url(), API_KEY)))
        .await;
    let products: Vec<_> = sample_catalog::generate(21, 150).collect();
    sync_core::product::upsert_products(&stack.db.pool, &products)
        .await
        .unwrap();

    let indexed = eventually(Duration::from_secs(120), || {
        double_matches_rows(&stack, &double)
    })
    .await;
    assert!(indexed, "{} of 150 vectors", double.stored_count(""));
    assert_eq!(double.faults_left(), 0, "every scripted failure was served");
    assert!(stack.dead_letters(Duration::from_secs(2)).await.is_empty());
    double.assert_clean();
    stack.shutdown.trigger();
}

#[tokio::test]
async fn a_record_the_store_refuses_costs_only_its_own_product() {
    let stack = Stack::create(3, 30).await;
    let double = Double::start(API_KEY).await;
    let inbox = stack.alert_inbox().await;
    let products: Vec<_> = sample_catalog::generate(22, 60).collect();
    sync_core::product::upsert_products(&stack.db.pool, &products)
        .await
        .unwrap();
    let refused: i64 = sqlx::query_scalar("SELECT id FROM products ORDER BY id OFFSET 17 LIMIT 1")
        .fetch_one(&stack.db.pool)
        .await
        .unwrap();
    double.refuse_id(&refused.to_string());
    // One batch holds them all, so the refusal must be isolated in it.
    let mut settings = stack.emu_settings(common::pinecone(&double.url(), API_KEY));
    settings.batch_size = 100;
    settings.batch_timeout_ms = 2_000;
    stack.start_pelican().await;
    stack.start_emu(settings).await;

    let others_indexed = eventually(Duration::from_secs(90), || async {
        double.stored_count("") == 59
    })
    .await;
    assert!(others_indexed, "{} of 59 vectors", double.stored_count(""));
    let dead = stack.dead_letters(Duration::from_secs(5)).await;
    assert_eq!(dead.len(), 1, "only the refused product is dead-lettered");
    let event = sync_core::change_event::ChangeEvent::decode(&dead[0]).unwrap();
    assert_eq!(event.product_id, refused);
    let alerts = stack.alerts(&inbox, Duration::from_secs(3)).await;
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(alerts[0].contains("scripted refusal"), "{}", alerts[0]);
    assert!(double.stored_metadata("", &refused.to_string()).is_none());
    assert_eq!(double.faults_left(), 0);
    stack.shutdown.trigger();
}
