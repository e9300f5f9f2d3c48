//! CSV import and the outbox triggers, against the real Postgres.
#![allow(clippy::unwrap_used)]

use catalogctl::import::csv::{ImportError, import_csv};
use testkit::TestDatabase;

async fn count(db: &TestDatabase, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&db.pool).await.unwrap()
}

#[tokio::test]
async fn a_good_file_imports_and_reimport_updates_by_sku() {
    let db = TestDatabase::create().await;
    let csv = "name,sku,description,price,last_updated,category\n\
               Kettle,K-1,Boils water,\"$1,234.50\",2024-01-02 03:04:05,Kitchen\n\
               Mug,M-1,\"Holds tea, coffee\",4.99,,Kitchen\n\
               Lamp,L-1,Lights a desk,,2024-05-06,\n";
    let report = import_csv(&db.pool, csv.as_bytes(), |_| {}).await.unwrap();
    assert_eq!((report.imported, report.rejected.len()), (3, 0));
    let (price, category): (rust_decimal::Decimal, String) =
        sqlx::query_as("SELECT price, category FROM products WHERE sku = 'K-1'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(
        (price.to_string().as_str(), category.as_str()),
        ("1234.50", "Kitchen")
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM products WHERE category IS NULL AND price IS NULL"
        )
        .await,
        1
    );

    // Same file again: nothing meaningful changed, so no new events.
    import_csv(&db.pool, csv.as_bytes(), |_| {}).await.unwrap();
    assert_eq!(count(&db, "SELECT count(*) FROM outbox").await, 3);
    // A changed description updates in place (same id, version 2).
    let changed = "sku,name,description\nM-1,Mug,Holds soup\n";
    import_csv(&db.pool, changed.as_bytes(), |_| {})
        .await
        .unwrap();
    assert_eq!(count(&db, "SELECT count(*) FROM products").await, 3);
    assert_eq!(
        count(&db, "SELECT version FROM products WHERE sku = 'M-1'").await,
        2
    );
    assert_eq!(count(&db, "SELECT count(*) FROM outbox").await, 4);
}

#[tokio::test]
async fn bad_rows_are_named_by_line_and_the_rest_imports() {
    let db = TestDatabase::create().await;
    let csv = "sku,name,description,price\n\
               A-1,Alpha,First,1.00\n\
               A-2,Beta,Second,not-a-price\n\
               ,Gamma,No sku,3.00\n\
               A-4,Delta,\"Multi\nline\",4.00\n\
               A-5,Epsilon,Too,many,fields\n\
               A-6,Zeta,Last,6.00\n";
    let report = import_csv(&db.pool, csv.as_bytes(), |_| {}).await.unwrap();
    let lines: Vec<u64> = report.rejected.iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![3, 4, 7], "{:?}", report.rejected);
    assert_eq!(report.imported, 3);
    assert_eq!(count(&db, "SELECT count(*) FROM products").await, 3);
}

#[tokio::test]
async fn an_unknown_or_missing_column_fails_before_anything_is_written() {
    let db = TestDatabase::create().await;
    let unknown = "sku,name,description,colour\nA-1,Alpha,First,red\n";
    let err = import_csv(&db.pool, unknown.as_bytes(), |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(err, ImportError::UnknownColumn(ref c) if c == "colour"),
        "{err}"
    );
    let missing = "sku,name\nA-1,Alpha\n";
    let err = import_csv(&db.pool, missing.as_bytes(), |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(err, ImportError::MissingColumn("description")),
        "{err}"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM products").await, 0);
}

#[tokio::test]
async fn truncate_and_delete_write_delete_events() {
    let db = TestDatabase::create().await;
    let csv = "sku,name,description\nA,a,x\nB,b,y\n";
    import_csv(&db.pool, csv.as_bytes(), |_| {}).await.unwrap();
    sqlx::query("TRUNCATE products")
        .execute(&db.pool)
        .await
        .unwrap();
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM outbox WHERE op = 'delete' AND version = 2"
        )
        .await,
        2
    );
}
