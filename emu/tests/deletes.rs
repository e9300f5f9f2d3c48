//! Deletes: the vector goes; a delete of a key that was never indexed is
//! applied quietly (no error, nothing dead-lettered).
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::Stack;
use testkit::eventually;
use vector_store::VectorStore;

#[tokio::test]
async fn a_deleted_row_loses_its_vector() {
    let stack = Stack::create(3, 30).await;
    stack.start_pelican().await;
    stack
        .start_emu(stack.emu_settings(common::pgvector()))
        .await;
    let pool = &stack.db.pool;
    let products: Vec<_> = sample_catalog::generate(51, 20).collect();
    sync_core::product::upsert_products(pool, &products)
        .await
        .unwrap();
    let store = stack.pgvector();
    let indexed = eventually(Duration::from_secs(60), || async {
        store.count().await.unwrap() == 20
    })
    .await;
    assert!(indexed);

    let gone: Vec<i64> =
        sqlx::query_scalar("DELETE FROM products WHERE id IN (SELECT id FROM products ORDER BY id LIMIT 5) RETURNING id")
            .fetch_all(pool)
            .await
            .unwrap();
    let deleted = eventually(Duration::from_secs(60), || async {
        store.fetch(&gone).await.unwrap().is_empty()
    })
    .await;
    assert!(deleted, "vectors of deleted rows remain");
    assert!(stack.in_sync().await, "{:?}", stack.drift().await);
    assert_eq!(store.count().await.unwrap(), 15);
    let kept: i64 = sqlx::query_scalar("SELECT min(id) FROM products")
        .fetch_one(pool)
        .await
        .unwrap();
    let hits = store
        .query(
            &store.fetch(&[kept]).await.unwrap()[0].values,
            20,
            &Default::default(),
        )
        .await
        .unwrap();
    assert!(
        hits.iter().all(|h| !gone.contains(&h.product_id)),
        "search finds a deleted product"
    );
    stack.shutdown.trigger();
}

#[tokio::test]
async fn deleting_a_never_indexed_key_is_not_an_error() {
    let stack = Stack::create(3, 30).await;
    stack.start_pelican().await;
    let emu = stack
        .start_emu(stack.emu_settings(common::pgvector()))
        .await;
    let pool = &stack.db.pool;

    // A delete event for a key no vector ever had...
    let event = serde_json::json!({
        "schema_version": 1,
        "event_id": uuid::Uuid::new_v4(),
        "op": "delete",
        "product_id": 987_654_321,
        "version": 2,
        "occurred_at": chrono::Utc::now(),
    });
    stack
        .send_raw("987654321", "never-indexed", &event.to_string())
        .await;
    // ...and a row created and deleted before emu could index it.
    let mut tx = pool.begin().await.unwrap();
    let product = sample_catalog::product(52, 0);
    sqlx::query("INSERT INTO products (sku, name, description) VALUES ($1, $2, $3)")
        .bind(&product.sku)
        .bind(&product.name)
        .bind(&product.description)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("DELETE FROM products WHERE sku = $1")
        .bind(&product.sku)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // A live row after them, to know when the queue has been worked through.
    let products: Vec<_> = sample_catalog::generate(53, 3).collect();
    sync_core::product::upsert_products(pool, &products)
        .await
        .unwrap();

    let store = stack.pgvector();
    // Every message handled (pelican has sent them all once the last
    // row is indexed), none left to retry.
    let done = eventually(Duration::from_secs(60), || async {
        stack.in_sync().await && stack.queue_idle().await
    })
    .await;
    assert!(done, "{:?}", stack.drift().await);
    assert_eq!(store.count().await.unwrap(), 3);
    assert!(store.fetch(&[987_654_321]).await.unwrap().is_empty());
    assert!(common::metric(&emu, "emu_messages_total", "deleted").await >= 2.0);
    assert_eq!(common::metric(&emu, "emu_errors_total", "").await, 0.0);
    assert_eq!(
        common::metric(&emu, "emu_messages_total", "poison").await,
        0.0
    );
    assert!(stack.dead_letters(Duration::from_secs(2)).await.is_empty());
    stack.shutdown.trigger();
}
