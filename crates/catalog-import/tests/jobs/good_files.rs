//! A good file imports; bad rows are skipped with their line numbers.

use catalog_import::JobState;

use crate::helpers::{catalog_csv, env};

#[tokio::test]
async fn a_file_imports_with_its_skipped_lines_named() {
    let env = env().await;
    let csv = "sku,name,description,price,category\n\
               A-1,Alpha,First,1.00,Kitchen\n\
               A-2,Beta,Second,not-a-price,Kitchen\n\
               ,Gamma,No sku,3.00,\n\
               A-4,Delta,\"Two\nlines\",4.00,Garden\n\
               A-5,Epsilon,Short row\n\
               A-1,Alpha,First again,1.50,Kitchen\n";
    let job = env.import(csv.as_bytes().to_vec()).await;
    assert_eq!(job.state, JobState::Done, "{job:?}");
    assert_eq!(job.rows_total, Some(6));
    assert_eq!(
        (job.rows_read, job.rows_imported, job.rows_skipped),
        (6, 3, 3)
    );
    assert_eq!(job.next_byte, i64::try_from(csv.len()).unwrap());
    let rejects = env.jobs.rejects(job.id).await.unwrap();
    let lines: Vec<(i64, &str)> = rejects
        .iter()
        .map(|r| (r.line, r.reason.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            (3, "price \"not-a-price\" is not a number"),
            (4, "sku is empty"),
            (7, "has 3 fields, the header has 5"),
        ]
    );
    // Upsert by SKU, the last occurrence wins.
    assert_eq!(env.count("SELECT count(*) FROM products").await, 2);
    assert_eq!(
        env.count("SELECT (price * 100)::bigint FROM products WHERE sku = 'A-1'")
            .await,
        150
    );
    assert_eq!(job.index_total, 2, "distinct products written");
}

#[tokio::test]
async fn importing_the_same_file_again_changes_nothing() {
    let env = env().await;
    let csv = catalog_csv(1_200);
    let first = env.import(csv.clone()).await;
    assert_eq!((first.state, first.rows_imported), (JobState::Done, 1_200));
    let events = env.count("SELECT count(*) FROM outbox").await;
    assert_eq!(events, 1_200);
    let second = env.import(csv).await;
    assert_eq!(
        (second.state, second.rows_imported),
        (JobState::Done, 1_200)
    );
    assert_eq!(env.count("SELECT count(*) FROM outbox").await, events);
    assert_eq!(env.count("SELECT max(version) FROM products").await, 1);
}
