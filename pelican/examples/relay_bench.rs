//! Relay throughput against the local SQS emulator, beside the emulator's
//! own SendMessageBatch ceiling measured in the same run (ratios, not
//! absolute numbers, compare across runs on a noisy 2-core machine).
//!
//!     cargo run --release -p pelican --example relay_bench -- 100000
//!
//! Needs the local stack's servers (`scripts/stack.sh infra`).
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

use futures::future::join_all;
use shared::settings::{DatabaseSettings, LogFormat, TelemetrySettings};
use shared::telemetry::Shutdown;
use shared::testing::{TestDatabase, TestQueues, aws_settings};

#[tokio::main]
async fn main() {
    let events: u64 = std::env::args()
        .nth(1)
        .map_or(100_000, |a| a.parse().expect("event count"));
    let lanes = 4;

    // 1. The emulator's ceiling: the same message sizes, the same number of
    //    concurrent SendMessageBatch calls, no database in the loop.
    let queues = TestQueues::create(5, 30).await;
    let ceiling_messages = (events / 5).max(10_000);
    let body = sample_body();
    let started = Instant::now();
    join_all((0..lanes).map(|lane| {
        let sqs = queues.sqs.clone();
        let url = queues.provisioned.queue_url.clone();
        let body = body.clone();
        async move {
            for batch in 0..ceiling_messages / 10 / lanes {
                let entries = (0..10)
                    .map(|i| {
                        let id = format!("{lane}-{batch}-{i}");
                        aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
                            .id(i.to_string())
                            .message_body(&body)
                            .message_group_id(&id)
                            .message_deduplication_id(&id)
                            .build()
                            .unwrap()
                    })
                    .collect();
                sqs.send_message_batch()
                    .queue_url(&url)
                    .set_entries(Some(entries))
                    .send()
                    .await
                    .unwrap();
            }
        }
    }))
    .await;
    let ceiling = ceiling_messages as f64 / started.elapsed().as_secs_f64();

    // 2. pelican draining a backlog written while it was down.
    let db = TestDatabase::create().await;
    let queues = TestQueues::create(5, 30).await;
    let products: Vec<_> = shared::catalog::generator::generate(9, events).collect();
    for chunk in products.chunks(10_000) {
        shared::catalog::store::upsert_products(&db.pool, chunk)
            .await
            .unwrap();
    }
    let settings = pelican::Settings {
        database: DatabaseSettings {
            database_url: db.url.clone(),
        },
        aws: aws_settings(),
        telemetry: TelemetrySettings {
            log_format: LogFormat::Pretty,
            log_filter: "warn".into(),
        },
        queue_url: queues.provisioned.queue_url.clone(),
        http_addr: "127.0.0.1:0".parse().unwrap(),
        poll_interval_ms: 1000,
        claim_batch: 500,
        send_concurrency: lanes as u32,
        leader_lock_id: 7_243_015,
        standby_retry_ms: 1000,
    };
    let shutdown = Shutdown::new();
    let started = Instant::now();
    let app = pelican::Application::build(settings, shutdown.clone())
        .await
        .unwrap();
    loop {
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let relay = events as f64 / started.elapsed().as_secs_f64();
    shutdown.trigger();
    app.run_until_stopped().await.unwrap();

    println!("backlog_events={events} lanes={lanes}");
    println!("emulator_send_batch_ceiling_msgs_per_s={ceiling:.0}");
    println!("pelican_relay_events_per_s={relay:.0}");
    println!("relay_vs_ceiling={:.2}", relay / ceiling);
}

/// A typical change event body (the generated catalog's average size).
fn sample_body() -> String {
    let product = shared::catalog::generator::product(9, 0);
    serde_json::json!({
        "schema_version": 1,
        "event_id": uuid::Uuid::nil(),
        "op": "upsert",
        "product_id": 1,
        "version": 1,
        "occurred_at": "2026-01-01T00:00:00Z",
        "product": {"sku": product.sku, "name": product.name, "description": product.description,
                    "category": product.category, "price": "19.99"},
        "truncated": false
    })
    .to_string()
}
