//! Large files: a 100 000-row catalog at COPY speed, and a file over 100 MB
//! through one presigned PUT, streamed into the catalog.

use std::time::Instant;

use catalog_import::JobState;

use crate::helpers::{catalog_csv, env};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100k_row_file_imports_at_copy_speed() {
    let env = env().await;
    let csv = catalog_csv(100_000);
    let bytes = csv.len();
    let started = Instant::now();
    let job = env.import(csv).await;
    let wall = started.elapsed();
    assert_eq!(job.state, JobState::Done, "{job:?}");
    assert_eq!((job.rows_imported, job.rows_skipped), (100_000, 0));
    assert_eq!(env.count("SELECT count(*) FROM products").await, 100_000);
    let seconds =
        (job.finished_at.unwrap() - job.started_at.unwrap()).num_milliseconds() as f64 / 1000.0;
    println!(
        "100 000 rows ({:.1} MB): import {seconds:.2} s = {:.0} rows/s (upload + import {:.2} s)",
        bytes as f64 / 1e6,
        100_000.0 / seconds,
        wall.as_secs_f64()
    );
}

#[tokio::test]
async fn a_file_over_100_mb_uploads_and_imports() {
    let env = env().await;
    // 34 000 rows with 3 000-character descriptions: ~104 MB.
    let mut csv = b"sku,name,description,price,category\n".to_vec();
    let filler = "lorem ipsum dolor sit amet ".repeat(111);
    for i in 0..34_000 {
        csv.extend_from_slice(
            format!(
                "BIG-{i:06},Big product {i},\"{filler}{i}\",{}.99,Bulk\n",
                i % 500
            )
            .as_bytes(),
        );
    }
    let bytes = csv.len();
    assert!(bytes > 100_000_000, "{bytes}");
    let started = Instant::now();
    let job = env.import(csv).await;
    assert_eq!(job.state, JobState::Done, "{job:?}");
    assert_eq!(job.rows_imported, 34_000);
    assert_eq!(job.next_byte, i64::try_from(bytes).unwrap());
    assert_eq!(env.count("SELECT count(*) FROM products").await, 34_000);
    assert_eq!(
        env.count("SELECT length(description)::bigint FROM products WHERE sku = 'BIG-033999'")
            .await,
        i64::try_from(filler.len() + 5).unwrap()
    );
    println!(
        "{:.1} MB uploaded and imported in {:.1} s",
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
}
