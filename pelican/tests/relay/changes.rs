use std::collections::HashSet;
use std::time::Duration;

use sync_core::change_event::Operation;

use crate::helpers::{TestStack, insert_products, spawn_pelican, versions_by_group};

#[tokio::test]
async fn insert_update_delete_become_exactly_the_matching_messages() {
    let stack = TestStack::new().await;
    let (_addr, shutdown, task) = spawn_pelican(stack.settings()).await;
    let pool = &stack.db.pool;

    let id: i64 = sqlx::query_scalar(
        "INSERT INTO products (sku, name, description, price, category)
         VALUES ('SKU-1', 'Kettle', 'Boils water', 19.99, 'Kitchen') RETURNING id",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query("UPDATE products SET description = 'Boils water fast' WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    // Not meaningful: same values, and a column that is neither embedded
    // nor metadata. No event, no version bump.
    sqlx::query("UPDATE products SET name = 'Kettle', updated_at = now() WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM products WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await
        .unwrap();

    let messages = stack.receive(4).await;
    let seen: Vec<_> = messages
        .iter()
        .map(|(_, e)| (e.op, e.version, e.product_id))
        .collect();
    assert_eq!(
        seen,
        vec![
            (Operation::Upsert, 1, id),
            (Operation::Upsert, 2, id),
            (Operation::Delete, 3, id),
        ]
    );
    let first = &messages[0].1;
    let product = first.product.as_ref().unwrap();
    assert_eq!(
        (
            product.sku.as_str(),
            product.name.as_str(),
            product.category.as_deref()
        ),
        ("SKU-1", "Kettle", Some("Kitchen"))
    );
    assert_eq!(product.price.unwrap().to_string(), "19.99");
    assert_eq!(
        messages[1].1.product.as_ref().unwrap().description,
        "Boils water fast"
    );
    assert!(messages[2].1.product.is_none());
    versions_by_group(&messages); // checks group id and dedup id of each
    assert_eq!(stack.outbox_len().await, 0);

    shutdown.trigger();
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn long_texts_are_capped_and_flagged() {
    let stack = TestStack::new().await;
    let (_addr, shutdown, _task) = spawn_pelican(stack.settings()).await;
    sqlx::query(
        "INSERT INTO products (sku, name, description) VALUES ('LONG-1', 'Long', repeat('é', 300000))",
    )
    .execute(&stack.db.pool)
    .await
    .unwrap();
    let messages = stack.receive(1).await;
    let event = &messages[0].1;
    assert!(event.truncated);
    assert_eq!(
        event.product.as_ref().unwrap().description.chars().count(),
        8_000
    );
    shutdown.trigger();
}

#[tokio::test]
async fn ten_thousand_rows_become_ten_thousand_messages() {
    let stack = TestStack::new().await;
    let (_addr, shutdown, _task) = spawn_pelican(stack.settings()).await;
    insert_products(&stack.db.pool, 1, 10_000).await;

    stack.wait_outbox_empty(Duration::from_secs(120)).await;
    let messages = stack.receive(10_000).await;
    assert_eq!(messages.len(), 10_000, "every event delivered exactly once");
    let events: HashSet<_> = messages.iter().map(|(_, e)| e.event_id).collect();
    assert_eq!(events.len(), 10_000, "no duplicates");
    let products: HashSet<_> = messages.iter().map(|(_, e)| e.product_id).collect();
    assert_eq!(products.len(), 10_000, "one message per product");
    assert!(
        messages
            .iter()
            .all(|(_, e)| e.op == Operation::Upsert && e.version == 1)
    );
    shutdown.trigger();
}
