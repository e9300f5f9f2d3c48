//! A whole catalog through pelican and emu into pgvector: 10 000 inserts,
//! then updates and deletes, end in an index equal to the table, every
//! vector the embedding of its row's current text.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::Stack;
use testkit::eventually;

#[tokio::test]
async fn ten_thousand_products_become_ten_thousand_matching_vectors() {
    let stack = Stack::create(3, 30).await;
    stack.start_pelican().await;
    stack
        .start_emu(stack.emu_settings(common::pgvector()))
        .await;
    let pool = &stack.db.pool;

    let started = Instant::now();
    let products: Vec<_> = sample_catalog::generate(11, 10_000).collect();
    sync_core::product::upsert_products(pool, &products)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE products SET description = description || ' Now in blue.' WHERE id % 10 = 0",
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("DELETE FROM products WHERE id % 50 = 1")
        .execute(pool)
        .await
        .unwrap();

    let synced = eventually(Duration::from_secs(600), || stack.in_sync()).await;
    assert!(
        synced,
        "index never matched the table: {}",
        stack.explain_drift().await
    );
    eprintln!(
        "10 000 rows indexed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    stack.shutdown.trigger();

    let updated: i64 = sqlx::query_scalar("SELECT count(*) FROM products WHERE version > 1")
        .fetch_one(pool)
        .await
        .unwrap();
    assert!(updated >= 900, "{updated} rows updated");
    let store = stack.pgvector();
    let embedder = common::local_embedder();
    let lowest = common::assert_vectors_match_rows(pool, &store, &embedder).await;
    eprintln!("lowest cosine to the current text: {lowest}");
    assert_eq!(
        vector_store::VectorStore::count(&store).await.unwrap(),
        10_000 - 200
    );
    assert!(stack.dead_letters(Duration::from_secs(1)).await.is_empty());
}
