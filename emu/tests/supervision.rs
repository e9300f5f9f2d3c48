//! emu never runs half-dead: a task that stops stops the whole service
//! (non-zero exit, so the orchestrator replaces it), and a panic while a
//! batch is applied hands the batch back instead of holding its messages
//! (and so their products' FIFO groups) until the visibility timeout.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::Stack;
use testkit::eventually;
use vector_store::{
    IdPage, Match, PgVectorStore, QueryFilter, Tombstone, VectorRecord, VectorStore,
    VectorStoreError,
};

#[tokio::test]
async fn a_killed_batch_loop_stops_emu_with_an_error() {
    let stack = Stack::create(3, 30).await;
    let app = emu::Application::build(
        stack.emu_settings(common::pgvector()),
        stack.shutdown.clone(),
    )
    .await
    .unwrap();
    let readyz = format!("http://{}/readyz", app.health_addr());
    let ready = eventually(common::READY_TIMEOUT, || async {
        reqwest::get(&readyz)
            .await
            .is_ok_and(|r| r.status().is_success())
    })
    .await;
    assert!(ready, "emu never became ready");

    assert!(app.kill_task(emu::BATCHER_TASK));
    let stopped = tokio::time::timeout(Duration::from_secs(30), app.run_until_stopped())
        .await
        .expect("emu kept running without its batch loop");
    let error = stopped.expect_err("a dead batch loop must fail emu");
    assert!(error.to_string().contains("batcher"), "{error}");
    assert!(
        stack.shutdown.is_triggered(),
        "the other tasks were told to stop"
    );
}

/// pgvector, except that the first upsert panics.
#[derive(Debug)]
struct PanicsOnce {
    inner: PgVectorStore,
    armed: AtomicBool,
}

#[async_trait::async_trait]
impl VectorStore for PanicsOnce {
    async fn upsert(&self, records: &[VectorRecord]) -> Result<(), VectorStoreError> {
        assert!(
            !self.armed.swap(false, Ordering::SeqCst),
            "a bug in the store"
        );
        self.inner.upsert(records).await
    }
    async fn delete(&self, tombstones: &[Tombstone]) -> Result<(), VectorStoreError> {
        self.inner.delete(tombstones).await
    }
    async fn nearest(
        &self,
        vector: &[f32],
        top_k: usize,
        filter: &QueryFilter,
    ) -> Result<Vec<Match>, VectorStoreError> {
        self.inner.nearest(vector, top_k, filter).await
    }
    async fn versions(&self, ids: &[i64]) -> Result<HashMap<i64, i64>, VectorStoreError> {
        self.inner.versions(ids).await
    }
    async fn count(&self) -> Result<u64, VectorStoreError> {
        self.inner.count().await
    }
    async fn list_ids(
        &self,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<IdPage, VectorStoreError> {
        self.inner.list_ids(cursor, limit).await
    }
    async fn fetch(&self, ids: &[i64]) -> Result<Vec<VectorRecord>, VectorStoreError> {
        self.inner.fetch(ids).await
    }
    async fn ping(&self) -> Result<(), VectorStoreError> {
        self.inner.ping().await
    }
}

#[tokio::test]
async fn a_panic_while_applying_releases_the_batch_at_once() {
    // The queue's and emu's visibility timeout is 30 s: products indexed
    // well before that were released, not waited out.
    let stack = Stack::create(3, 30).await;
    let store = Arc::new(PanicsOnce {
        inner: stack.pgvector(),
        armed: AtomicBool::new(true),
    });
    stack.start_pelican().await;
    let app = emu::Application::with_store(
        stack.emu_settings(common::pgvector()),
        store.clone(),
        stack.shutdown.clone(),
    )
    .await
    .unwrap();
    let metrics = format!("http://{}", app.health_addr());
    let running = tokio::spawn(app.run_until_stopped());

    let products: Vec<_> = sample_catalog::generate(51, 20).collect();
    sync_core::product::upsert_products(&stack.db.pool, &products)
        .await
        .unwrap();
    let synced = eventually(Duration::from_secs(12), || stack.in_sync()).await;
    assert!(synced, "not released: {:?}", stack.drift().await);
    assert!(!store.armed.load(Ordering::SeqCst), "the panic happened");
    assert_eq!(
        common::metric(&metrics, "emu_errors_total", "panic").await,
        1.0
    );
    assert!(stack.dead_letters(Duration::from_secs(1)).await.is_empty());
    assert!(!running.is_finished(), "a panic in a batch is not fatal");

    stack.shutdown.trigger();
    running.await.unwrap().unwrap();
}
