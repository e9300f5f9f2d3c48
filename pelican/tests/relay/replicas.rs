use std::collections::HashSet;
use std::time::{Duration, Instant};

use testkit::eventually;

use crate::helpers::{TestStack, insert_products, is_leader, start_process, versions_by_group};

/// Four concurrent writers, each round updating a quarter of the products
/// (a different quarter per writer), so every product sees many versions.
async fn update_storm(pool: &sqlx::PgPool, rounds: usize) {
    let mut writers = Vec::new();
    for writer in 0..4 {
        let pool = pool.clone();
        writers.push(tokio::spawn(async move {
            for round in 0..rounds {
                // Lock rows in id order: two writers on the same quarter
                // would otherwise deadlock (rows move as they are updated).
                sqlx::query(
                    "UPDATE products SET description = description || $1
                      WHERE id IN (SELECT id FROM products WHERE id % 4 = $2
                                    ORDER BY id FOR UPDATE)",
                )
                .bind(format!(" w{writer}r{round}"))
                .bind(i64::try_from((writer + round) % 4).unwrap())
                .execute(&pool)
                .await
                .unwrap();
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
}

#[tokio::test]
async fn two_replicas_keep_per_key_order_and_the_standby_takes_over() {
    let stack = TestStack::new().await;
    insert_products(&stack.db.pool, 7, 100).await;
    let mut replicas = [
        start_process(&stack.settings()).await,
        start_process(&stack.settings()).await,
    ];
    let one_leader = eventually(Duration::from_secs(20), || async {
        is_leader(&replicas[0]).await ^ is_leader(&replicas[1]).await
    })
    .await;
    assert!(one_leader, "exactly one replica should lead");

    update_storm(&stack.db.pool, 20).await;
    // Kill the leader in the middle of the next storm.
    let storm = tokio::spawn({
        let pool = stack.db.pool.clone();
        async move { update_storm(&pool, 20).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let leader = usize::from(!is_leader(&replicas[0]).await);
    let killed_at = Instant::now();
    replicas[leader].sigkill().await;
    let standby = &replicas[1 - leader];
    let took_over = eventually(Duration::from_secs(10), || is_leader(standby)).await;
    assert!(took_over, "no takeover within 10 s");
    let takeover = killed_at.elapsed();
    storm.await.unwrap();
    stack.wait_outbox_empty(Duration::from_secs(60)).await;

    let total: i64 = sqlx::query_scalar("SELECT sum(version)::bigint FROM products")
        .fetch_one(&stack.db.pool)
        .await
        .unwrap();
    let messages = stack.receive(usize::try_from(total).unwrap()).await;
    let unique: HashSet<_> = messages.iter().map(|(_, e)| e.event_id).collect();
    assert_eq!(
        unique.len(),
        messages.len(),
        "no duplicate beyond deduplication"
    );
    assert_eq!(
        messages.len(),
        usize::try_from(total).unwrap(),
        "every version sent once"
    );
    for (group, versions) in versions_by_group(&messages) {
        let expected: Vec<i64> = (1..=i64::try_from(versions.len()).unwrap()).collect();
        assert_eq!(versions, expected, "product {group}: versions out of order");
    }
    eprintln!("takeover after {takeover:?}");
}
