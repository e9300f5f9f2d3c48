//! A worker killed mid-import: another one continues the job from its last
//! checkpoint, and the end result is as if nothing had happened.

use std::time::{Duration, Instant};

use catalog_import::JobState;

use crate::helpers::{Env, JOB_TIMEOUT, OWNER, catalog_csv, env};

/// Wait until `job` has read `rows` rows (with small chunks, mid-file).
async fn wait_for_rows(env: &Env, job: uuid::Uuid, rows: i64) {
    let started = Instant::now();
    loop {
        let now = env.job(job).await;
        if now.rows_read >= rows {
            return;
        }
        assert!(!now.state.is_finished(), "finished too early: {now:?}");
        assert!(started.elapsed() < JOB_TIMEOUT, "{now:?}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_killed_importer_is_resumed_from_its_checkpoint() {
    let env = env().await;
    let rows = 60_000_u64;
    let mut csv = catalog_csv(rows);
    // Bad rows early and late: each is reported once.
    csv.extend_from_slice(b"LATE-BAD,Late,Bad price,cheap,Kitchen\n");
    let upload = env.upload(OWNER, csv).await;
    let job = env.create_job(OWNER, upload).await;

    // Small chunks, so the kill lands between checkpoints.
    let lease = Duration::from_secs(2);
    let first = env.start_workers(env.importer(1 << 30, 1_000), lease);
    wait_for_rows(&env, job.id, 10_000).await;
    first.kill();
    let killed_at = env.job(job.id).await;
    assert_eq!(
        killed_at.state,
        JobState::Running,
        "still claimed by the dead worker"
    );
    println!("killed at row {} of {rows}", killed_at.rows_read);

    // A new worker takes the job over once the lease ran out.
    let _second = env.start_workers(env.importer(1 << 30, 1_000), lease);
    let done = env.finished(job.id).await;
    assert_eq!(done.state, JobState::Done, "{done:?}");
    assert_eq!(done.attempts, 2);
    let resumed = done.resumed_at_line.expect("the second run resumed");
    assert!(resumed > 1, "resumed at line {resumed}, not from the start");
    assert_eq!(done.rows_read, i64::try_from(rows).unwrap() + 1);
    assert_eq!(done.rows_imported, i64::try_from(rows).unwrap());
    assert_eq!(done.rows_skipped, 1);
    let rejects = env.jobs.rejects(job.id).await.unwrap();
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0].line, i64::try_from(rows).unwrap() + 2);
    // Every product once, every insert one event, nothing twice.
    let products = env.count("SELECT count(*) FROM products").await;
    assert_eq!(products, i64::try_from(rows).unwrap());
    assert_eq!(env.count("SELECT count(*) FROM outbox").await, products);
    assert_eq!(env.count("SELECT max(version) FROM products").await, 1);
    assert_eq!(done.index_total, products);
}

#[tokio::test]
async fn a_file_uploaded_again_mid_import_fails_the_job_without_mixing_files() {
    let env = env().await;
    let upload = env.upload(OWNER, catalog_csv(60_000)).await;
    let job = env.create_job(OWNER, upload).await;
    let lease = Duration::from_secs(2);
    let first = env.start_workers(env.importer(1 << 30, 1_000), lease);
    wait_for_rows(&env, job.id, 10_000).await;
    first.kill();
    let killed_at = env.job(job.id).await;

    // Another file under the same key: the job checked the first one, so
    // it must not continue into the second.
    env.upload_to(
        &job.object_key,
        b"sku,name,description\nOTHER-1,Other,Another file\n".to_vec(),
    )
    .await;
    let _second = env.start_workers(env.importer(1 << 30, 1_000), lease);
    let done = env.finished(job.id).await;
    assert_eq!(done.state, JobState::Failed, "{done:?}");
    assert!(
        done.error
            .as_deref()
            .unwrap_or("")
            .contains("uploaded again"),
        "{:?}",
        done.error
    );
    assert_eq!(done.rows_imported, killed_at.rows_imported);
    assert_eq!(
        env.count("SELECT count(*) FROM products WHERE sku = 'OTHER-1'")
            .await,
        0
    );
}
