//! Files that are not a usable CSV fail with a clear reason, and nothing of
//! them reaches the catalog; an upload URL expires.

use std::time::Duration;

use catalog_import::{JobState, Objects};

use crate::helpers::{OWNER, catalog_csv, env};

#[tokio::test]
async fn a_wrong_header_fails_before_any_row_is_written() {
    let env = env().await;
    let job = env
        .import(b"sku,name,colour\nA-1,Alpha,red\n".to_vec())
        .await;
    env.assert_nothing_written(&job).await;
    let error = job.error.unwrap();
    assert!(error.contains("unknown column \"colour\""), "{error}");
    let job = env.import(b"sku,name\nA-1,Alpha\n".to_vec()).await;
    env.assert_nothing_written(&job).await;
    assert!(
        job.error
            .unwrap()
            .contains("missing required column \"description\"")
    );
}

#[tokio::test]
async fn an_empty_file_fails() {
    let env = env().await;
    // An empty object under the owner's key (S3 would refuse a 0-byte PUT
    // through an URL signed for 1 byte; the emulator does not check).
    let id = uuid::Uuid::new_v4();
    env.s3
        .put_object()
        .bucket(&env.bucket)
        .key(Objects::key(OWNER, id))
        .body(Vec::new().into())
        .send()
        .await
        .unwrap();
    let job = env.create_job(OWNER, id).await;
    let _workers = env.start_workers(env.importer(1 << 30, 5_000), Duration::from_secs(30));
    let job = env.finished(job.id).await;
    env.assert_nothing_written(&job).await;
    assert_eq!(job.error.as_deref(), Some("the file is empty"));

    let job = env.import(b"sku,name,description\n".to_vec()).await;
    env.assert_nothing_written(&job).await;
    assert_eq!(
        job.error.as_deref(),
        Some("the file has a header but no rows")
    );
}

#[tokio::test]
async fn binary_files_fail() {
    let env = env().await;
    let workbook = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml".to_vec();
    let job = env.import(workbook).await;
    env.assert_nothing_written(&job).await;
    assert!(
        job.error.as_deref().unwrap().contains("ZIP archive"),
        "{job:?}"
    );

    let mut noise: Vec<u8> = (0..20_000_u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    noise[0] = b's';
    let job = env.import(noise).await;
    env.assert_nothing_written(&job).await;
    assert!(job.error.as_deref().unwrap().contains("binary"), "{job:?}");
}

#[tokio::test]
async fn a_non_utf8_file_fails_even_when_the_bad_byte_comes_late() {
    let env = env().await;
    // 30 000 good rows (six chunks' worth), then one Latin-1 "é": nothing
    // may be written, although the first chunks are fine.
    let mut csv = catalog_csv(30_000);
    csv.extend_from_slice(b"LATIN-1,Caf\xE9 au lait,Latin-1 text,1.00,Kitchen\n");
    let job = env.import(csv).await;
    env.assert_nothing_written(&job).await;
    let error = job.error.unwrap();
    assert!(
        error.starts_with("line 30002 is not valid UTF-8"),
        "{error}"
    );
}

#[tokio::test]
async fn a_file_over_the_limit_fails() {
    let env = env().await;
    let csv = catalog_csv(100);
    let size = csv.len() as u64;
    let upload = env.upload(OWNER, csv).await;
    let job = env.create_job(OWNER, upload).await;
    let _workers = env.start_workers(env.importer(size - 1, 5_000), Duration::from_secs(30));
    let job = env.finished(job.id).await;
    env.assert_nothing_written(&job).await;
    assert!(job.error.as_deref().unwrap().contains("at most"), "{job:?}");
}

#[tokio::test]
async fn an_upload_url_expires() {
    let env = env().await;
    let key = Objects::key(OWNER, uuid::Uuid::new_v4());
    let body = catalog_csv(3);
    let ticket = env
        .objects
        .presign_put(&key, body.len() as u64, Duration::from_secs(1))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let mut request = reqwest::Client::new().put(&ticket.url).body(body);
    for (name, value) in &ticket.headers {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::FORBIDDEN);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Request has expired")
    );
    assert!(matches!(
        env.objects.head(&key).await,
        Err(catalog_import::ObjectError::Missing)
    ));
}

#[tokio::test]
async fn a_user_cannot_use_another_users_upload() {
    let env = env().await;
    let upload = env.upload("bob", catalog_csv(3)).await;
    // Alice's key for Bob's upload id names nothing.
    assert!(matches!(
        env.objects.head(&Objects::key(OWNER, upload)).await,
        Err(catalog_import::ObjectError::Missing)
    ));
    // Bob's job is not Alice's to read.
    let job = env.create_job("bob", upload).await;
    assert!(env.jobs.get(job.id, OWNER).await.unwrap().is_none());
    assert!(env.jobs.get(job.id, "bob").await.unwrap().is_some());
    assert_eq!(job.state, JobState::Queued);
}
