//! Two workers never run one job: claims skip a claimed job, and a worker
//! whose lease was taken over can no longer write.

use std::time::Duration;

use catalog_import::jobs::{Chunk, ChunkError};
use sync_core::product::NewProduct;
use uuid::Uuid;

use crate::helpers::{OWNER, catalog_csv, env};

#[tokio::test]
async fn one_job_is_claimed_by_one_worker_and_a_lost_lease_writes_nothing() {
    let env = env().await;
    let upload = env.upload(OWNER, catalog_csv(10)).await;
    let job = env.create_job(OWNER, upload).await;

    // Eight workers race for one job: exactly one gets it.
    let claims = futures::future::join_all(
        (0..8).map(|_| env.jobs.claim(Uuid::new_v4(), Duration::from_secs(1))),
    )
    .await;
    let won: Vec<_> = claims.into_iter().filter_map(|c| c.unwrap()).collect();
    assert_eq!(won.len(), 1);
    let first = &won[0];
    assert_eq!(first.job.id, job.id);
    assert!(
        env.jobs
            .claim(Uuid::new_v4(), Duration::from_secs(1))
            .await
            .unwrap()
            .is_none()
    );

    // Its lease runs out (the worker stalled): another worker takes over.
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let second = env
        .jobs
        .claim(Uuid::new_v4(), Duration::from_secs(30))
        .await
        .unwrap()
        .expect("an expired lease can be taken over");
    assert_eq!(second.job.attempts, 2);

    // The stalled worker wakes up and tries to commit a chunk: refused,
    // and its products are not written.
    let mut chunk = Chunk::new(2, 0);
    chunk.push(NewProduct {
        sku: "STALE-1".into(),
        name: "Stale".into(),
        description: String::new(),
        category: None,
        price: None,
        updated_at: None,
    });
    chunk.rows = 1;
    chunk.next_byte = 10;
    chunk.next_line = 2;
    assert!(matches!(
        env.jobs.commit_chunk(&first.lease, &chunk).await,
        Err(ChunkError::LeaseLost)
    ));
    assert!(!env.jobs.renew(&first.lease).await.unwrap());
    assert!(!env.jobs.finish(&first.lease).await.unwrap());
    assert_eq!(env.count("SELECT count(*) FROM products").await, 0);
    // The new holder can.
    env.jobs.commit_chunk(&second.lease, &chunk).await.unwrap();
    assert_eq!(env.count("SELECT count(*) FROM products").await, 1);
}
