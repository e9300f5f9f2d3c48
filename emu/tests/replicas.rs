//! Rapid updates with several replicas of both services, as deployed: 3 emu
//! and 2 pelican processes (the release binaries) on one queue. After
//! quiesce every vector is its row's final version and no vector outlives
//! its row.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::Stack;
use testkit::eventually;
use testkit::process::Service;

#[tokio::test]
async fn three_emus_and_two_pelicans_converge_on_the_final_versions() {
    let stack = Stack::create(5, 30).await;
    let mut services = Vec::new();
    for _ in 0..2 {
        services.push(stack.spawn(Service::Pelican, &[]).await);
    }
    for _ in 0..3 {
        // One inference thread each: three replicas share two cores here.
        services.push(
            stack
                .spawn(
                    Service::Emu,
                    &[("EMBED_THREADS", "1"), ("EMU_BATCH_SIZE", "16")],
                )
                .await,
        );
    }
    let pool = &stack.db.pool;
    let products: Vec<_> = sample_catalog::generate(31, 100).collect();
    sync_core::product::upsert_products(pool, &products)
        .await
        .unwrap();
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM products ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap();
    assert_eq!(ids.len(), 100);

    // 300 updates, 3 per key, interleaved across keys, each its own
    // transaction (and so its own version and event), without waiting.
    let started = Instant::now();
    for round in 0..3 {
        for i in 0..100 {
            let id = ids[(i * 37 + round * 11) % 100];
            sqlx::query("UPDATE products SET description = description || $2 WHERE id = $1")
                .bind(id)
                .bind(format!(
                    " Revision {round}: now with part {}.",
                    id * 7 + round as i64
                ))
                .execute(pool)
                .await
                .unwrap();
        }
    }
    // And some rows go away, so that orphans would show.
    sqlx::query("DELETE FROM products WHERE id = ANY($1)")
        .bind(&ids[..10])
        .execute(pool)
        .await
        .unwrap();
    let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM products")
        .fetch_all(pool)
        .await
        .unwrap();
    assert!(
        versions.iter().all(|v| *v >= 4),
        "every key updated 3 times"
    );

    let synced = eventually(Duration::from_secs(180), || stack.in_sync()).await;
    assert!(synced, "never converged: {:?}", stack.drift().await);
    eprintln!(
        "converged {:.1} s after the last update",
        started.elapsed().as_secs_f64()
    );

    let store = stack.pgvector();
    let lowest = common::assert_vectors_match_rows(pool, &store, &common::local_embedder()).await;
    assert!(lowest >= 0.999);
    assert!(stack.dead_letters(Duration::from_secs(2)).await.is_empty());
    for service in &mut services {
        assert!(service.is_running(), "{}", service.log_tail(30));
        let status = service.terminate(Duration::from_secs(30)).await.unwrap();
        assert!(status.success(), "{status}: {}", service.log_tail(30));
    }
}
