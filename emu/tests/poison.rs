//! Messages that can never succeed: each goes to the DLQ with exactly one
//! SNS notification saying why, and holds nothing else back.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::Stack;
use testkit::eventually;

#[tokio::test]
async fn poison_goes_to_the_dlq_with_one_notification_and_does_not_block_others() {
    let stack = Stack::create(3, 30).await;
    stack.start_pelican().await;
    stack
        .start_emu(stack.emu_settings(common::pgvector()))
        .await;
    let inbox = stack.alert_inbox().await;

    let poison = [
        ("bad-json", "{not json".to_owned()),
        ("unknown-version", r#"{"schema_version":99}"#.to_owned()),
        ("missing-key", r#"{"schema_version":1,"event_id":"6f1c2b1e-8c1a-4f7e-9d7a-0c2b7f7d9a10","op":"delete","version":2,"occurred_at":"2026-01-01T00:00:00Z"}"#.to_owned()),
        ("wrong-types", r#"{"schema_version":1,"event_id":"6f1c2b1e-8c1a-4f7e-9d7a-0c2b7f7d9a11","op":"delete","product_id":"seven","version":2,"occurred_at":"2026-01-01T00:00:00Z"}"#.to_owned()),
        ("huge-text", serde_json::json!({"schema_version":1,"event_id":"6f1c2b1e-8c1a-4f7e-9d7a-0c2b7f7d9a12","op":"upsert","product_id":5,"version":1,"occurred_at":"2026-01-01T00:00:00Z","product":{"sku":"X","name":"x","description":"y".repeat(200_000),"category":null,"price":null}}).to_string()),
    ];
    for (group, body) in &poison {
        stack.send_raw(group, group, body).await;
    }
    let products: Vec<_> = sample_catalog::generate(12, 200).collect();
    sync_core::product::upsert_products(&stack.db.pool, &products)
        .await
        .unwrap();

    let synced = eventually(Duration::from_secs(120), || stack.in_sync()).await;
    assert!(
        synced,
        "valid messages were held back: {:?}",
        stack.drift().await
    );
    let dead = stack.dead_letters(Duration::from_secs(10)).await;
    assert_eq!(
        dead.len(),
        poison.len(),
        "each poison message in the DLQ once"
    );
    let alerts = stack.alerts(&inbox, Duration::from_secs(5)).await;
    assert_eq!(
        alerts.len(),
        poison.len(),
        "one notification per poison message"
    );
    let text: String = alerts.concat();
    for reason in [
        "not valid JSON",
        "unsupported schema version",
        "does not match",
        "longer than the cap",
    ] {
        assert!(text.contains(reason), "no notification says {reason:?}");
    }
    stack.shutdown.trigger();
}
