//! A fresh database and a fresh bucket on the emulator per test, uploads
//! through real presigned URLs, and workers run in process.

use std::sync::Arc;
use std::time::{Duration, Instant};

use catalog_import::objects::{BucketSetup, provision_bucket, s3_client};
use catalog_import::{Importer, Job, JobState, JobStore, NewJob, Objects, WorkerOptions};
use sync_core::telemetry::Shutdown;
use testkit::TestDatabase;
use tokio::sync::Notify;
use uuid::Uuid;

pub const OWNER: &str = "alice";
/// Generous for a busy 2-core machine; every wait is bounded by one.
pub const JOB_TIMEOUT: Duration = Duration::from_secs(180);

pub struct Env {
    pub db: TestDatabase,
    pub objects: Objects,
    pub jobs: JobStore,
    pub s3: aws_sdk_s3::Client,
    pub bucket: String,
}

pub async fn env() -> Env {
    testkit::load_env();
    let db = TestDatabase::create().await;
    let config = sync_core::queue::sdk_config(&testkit::aws_settings()).await;
    let bucket = format!("test-{}", Uuid::new_v4().simple());
    let s3 = s3_client(&config, None);
    provision_bucket(
        &s3,
        "us-east-1",
        &BucketSetup {
            bucket: bucket.clone(),
            allowed_origins: vec!["http://127.0.0.1:8080".into()],
            expiry_days: 1,
        },
    )
    .await
    .expect("create the test bucket");
    Env {
        objects: Objects::new(&config, &bucket, None),
        jobs: JobStore::new(db.pool.clone()),
        db,
        s3,
        bucket,
    }
}

/// `rows` generated products as CSV (`sku,name,description,price,category`).
pub fn catalog_csv(rows: u64) -> Vec<u8> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["sku", "name", "description", "price", "category"])
        .unwrap();
    for p in sample_catalog::generate(sample_catalog::DEFAULT_SEED, rows) {
        out.write_record([
            p.sku,
            p.name,
            p.description,
            p.price.map(|d| d.to_string()).unwrap_or_default(),
            p.category.unwrap_or_default(),
        ])
        .unwrap();
    }
    out.into_inner().unwrap()
}

impl Env {
    /// PUT `bytes` as `owner` through a presigned URL, as a browser does.
    pub async fn upload(&self, owner: &str, bytes: Vec<u8>) -> Uuid {
        let id = Uuid::new_v4();
        self.upload_to(&Objects::key(owner, id), bytes).await;
        id
    }

    /// PUT `bytes` to `key` through a presigned URL (again: replaces it).
    pub async fn upload_to(&self, key: &str, bytes: Vec<u8>) {
        let size = bytes.len().max(1) as u64;
        let ticket = self
            .objects
            .presign_put(key, size, Duration::from_secs(300))
            .await
            .unwrap();
        let mut request = reqwest::Client::new().put(&ticket.url).body(bytes);
        for (name, value) in &ticket.headers {
            request = request.header(name, value);
        }
        let response = request.send().await.unwrap();
        assert!(response.status().is_success(), "PUT: {}", response.status());
    }

    /// The job of `owner`'s upload `id`.
    pub async fn create_job(&self, owner: &str, id: Uuid) -> Job {
        let key = Objects::key(owner, id);
        let info = self.objects.head(&key).await.unwrap();
        let (job, created) = self
            .jobs
            .create(&NewJob {
                owner: owner.into(),
                object_key: key,
                file_name: "catalog.csv".into(),
                size_bytes: info.size,
            })
            .await
            .unwrap();
        assert!(created);
        job
    }

    pub fn importer(&self, max_bytes: u64, chunk_rows: usize) -> Importer {
        Importer {
            jobs: self.jobs.clone(),
            objects: self.objects.clone(),
            max_bytes,
            chunk_rows,
            write_lanes: 2,
        }
    }

    /// Workers running in this process until the returned guard drops.
    pub fn start_workers(&self, importer: Importer, lease: Duration) -> Workers {
        let shutdown = Shutdown::new();
        let handle = tokio::spawn(catalog_import::run_workers(
            importer,
            WorkerOptions {
                lease,
                poll_interval: Duration::from_millis(50),
            },
            1,
            Arc::new(Notify::new()),
            shutdown.clone(),
        ));
        Workers { shutdown, handle }
    }

    pub async fn job(&self, id: Uuid) -> Job {
        self.jobs.get(id, OWNER).await.unwrap().expect("the job")
    }

    /// Wait until the job is done or failed.
    pub async fn finished(&self, id: Uuid) -> Job {
        let started = Instant::now();
        loop {
            let job = self.job(id).await;
            if job.state.is_finished() {
                return job;
            }
            assert!(
                started.elapsed() < JOB_TIMEOUT,
                "job still {:?} after {JOB_TIMEOUT:?}: {job:?}",
                job.state
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Upload, create the job, run it with a default worker; the job.
    pub async fn import(&self, bytes: Vec<u8>) -> Job {
        let upload = self.upload(OWNER, bytes).await;
        let job = self.create_job(OWNER, upload).await;
        let _workers = self.start_workers(self.importer(1 << 30, 5_000), Duration::from_secs(30));
        self.finished(job.id).await
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }

    /// Nothing of a failed job reached the catalog: no product, no event.
    pub async fn assert_nothing_written(&self, job: &Job) {
        assert_eq!(job.state, JobState::Failed, "{job:?}");
        assert_eq!(self.count("SELECT count(*) FROM products").await, 0);
        assert_eq!(self.count("SELECT count(*) FROM outbox").await, 0);
        assert_eq!((job.rows_read, job.rows_imported), (0, 0), "{job:?}");
    }
}

/// In-process workers; stopped (cleanly) when dropped.
pub struct Workers {
    pub shutdown: Shutdown,
    pub handle: tokio::task::JoinHandle<()>,
}

impl Workers {
    /// A crash: the task is gone without releasing its job.
    pub fn kill(self) {
        self.handle.abort();
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        if !self.handle.is_finished() {
            self.shutdown.trigger();
        }
    }
}
