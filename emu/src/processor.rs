//! One batch, start to finish: decode, dead-letter poison, coalesce, embed,
//! write to the search index (full-text documents, then vectors),
//! acknowledge.
//!
//! The rule that keeps the index honest: a message is deleted from SQS only
//! after the vector store acknowledged its effect (or a newer change of the
//! same product that supersedes it). Transient failures (store or SQS down,
//! throttling) are retried here, with backoff, while the batch's visibility
//! is kept extended, so a healing outage never pushes valid messages towards
//! the DLQ. Only messages that can never succeed are dead-lettered
//! ([`poison`](crate::poison)): when the embedder or the store refuses a
//! batch for good, the batch is halved until the products at fault are
//! found, so that they alone are dead-lettered and every other product of
//! the batch is indexed.
//!
//! A bug must not hold messages hostage either: a panic while applying a
//! batch stops the visibility heartbeat (it is aborted when dropped) and
//! hands the batch back at once, so the messages are redelivered — and, if
//! the panic repeats, dead-lettered by SQS after maxReceiveCount.

use std::collections::HashMap;
use std::ops::Range;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use embedding::Embedder;
use futures::FutureExt;
use sync_core::change_event::{ChangeEvent, Operation};
use sync_core::coalesce::newest_per_product;
use sync_core::document;
use sync_core::telemetry::{Readiness, Shutdown};
use tokio_util::task::AbortOnDropHandle;
use tracing::Instrument;
use vector_store::{
    ProductMetadata, SearchDocument, SearchDocuments, Tombstone, VectorRecord, VectorStore,
    VectorStoreError,
};

use crate::job_queue::{Delivery, JobQueue};
use crate::metrics;
use crate::poison::{self, DeadLetters, PoisonReason};

#[derive(Debug, Clone)]
pub struct Processor {
    pub queue: JobQueue,
    pub dead_letters: DeadLetters,
    pub embedder: Arc<dyn Embedder>,
    pub store: Arc<dyn VectorStore>,
    pub documents: SearchDocuments,
    pub readiness: Readiness,
    pub shutdown: Shutdown,
}

/// What became of one product's newest change.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// Its vector is written (upsert) or removed (delete).
    Applied,
    /// It can never succeed; its messages go to the DLQ.
    Poison(PoisonReason),
}

/// Shutdown came while a transient failure was being retried: the batch is
/// handed back for another instance.
#[derive(Debug)]
struct Interrupted;

/// Why a step failed, and whether trying again can help.
#[derive(Debug, thiserror::Error)]
enum StepError {
    #[error("{0}")]
    Transient(String, Option<Duration>),
    #[error("{0}")]
    Permanent(String),
}

impl Processor {
    pub async fn process(&self, batch: Vec<Delivery>) {
        let batch_id = uuid::Uuid::new_v4();
        let span = tracing::info_span!("batch", %batch_id, size = batch.len());
        self.process_batch(batch).instrument(span).await;
    }

    async fn process_batch(&self, batch: Vec<Delivery>) {
        metrics::batch_size(batch.len());
        let mut valid: Vec<(Delivery, ChangeEvent)> = Vec::with_capacity(batch.len());
        for delivery in batch {
            match poison::decode(&delivery) {
                Ok(event) => valid.push((delivery, event)),
                Err(reason) => self.dead_letters.send(&delivery, &reason).await,
            }
        }
        if valid.is_empty() {
            return;
        }

        // Keep the batch ours while it is being worked on; dropped (and so
        // stopped) on every way out of this function, unwinding included.
        let _heartbeat = self.keep_visible(valid.iter().map(|(d, _)| d.clone()).collect());
        let changes = changes_per_product(&valid);
        metrics::messages("superseded", valid.len() - changes.len());
        let applied = AssertUnwindSafe(self.apply(&changes)).catch_unwind().await;

        match applied {
            Ok(Ok(outcomes)) => {
                let mut done: Vec<&Delivery> = Vec::with_capacity(valid.len());
                for (change, outcome) in changes.iter().zip(outcomes) {
                    match outcome {
                        Outcome::Applied => done.extend(&change.deliveries),
                        // The store or the embedder refused this product's
                        // data for good; its batch-mates went through.
                        Outcome::Poison(reason) => {
                            for delivery in &change.deliveries {
                                self.dead_letters.send(delivery, &reason).await;
                            }
                        }
                    }
                }
                if let Err(e) = self.acknowledge(&done).await {
                    // The effect is in the store; a redelivery re-applies it
                    // idempotently (same version), so this only costs work.
                    tracing::warn!(error = %e, "could not delete processed messages");
                }
                let now = Utc::now();
                for (_, event) in &valid {
                    let lag = (now - event.occurred_at).num_milliseconds().max(0) as f64 / 1000.0;
                    metrics::lag_seconds(lag);
                }
            }
            Ok(Err(Interrupted)) => {
                // Only on shutdown: hand the batch back at once so another
                // instance picks it up without waiting out the timeout.
                tracing::info!("shutting down; releasing the batch");
                self.release(&valid).await;
            }
            Err(panic) => {
                metrics::error("panic");
                tracing::error!(
                    panic = panic_message(&*panic),
                    "applying the batch panicked; releasing it for redelivery"
                );
                self.release(&valid).await;
            }
        }
    }

    /// Make the batch's messages visible again now.
    async fn release(&self, valid: &[(Delivery, ChangeEvent)]) {
        let deliveries: Vec<&Delivery> = valid.iter().map(|(d, _)| d).collect();
        if let Err(e) = self.queue.set_visibility(&deliveries, 0).await {
            tracing::warn!(error = %e, "could not release the batch; it reappears after the visibility timeout");
        }
    }

    /// Embed and write the newest change of each product, retrying
    /// transient failures until they heal. One outcome per change;
    /// [`Interrupted`] only when shutdown cut a retry short.
    async fn apply(&self, changes: &[Change<'_>]) -> Result<Vec<Outcome>, Interrupted> {
        let mut outcomes = vec![Outcome::Applied; changes.len()];
        let upserts: Vec<(usize, &ChangeEvent)> = changes
            .iter()
            .enumerate()
            .filter(|(_, c)| c.event.op == Operation::Upsert)
            .filter_map(|(i, c)| c.event.product.as_ref().map(|_| (i, c.event)))
            .collect();
        // One text per upsert, aligned with `upserts` (`ChangeEvent::decode`
        // guarantees an upsert its product).
        let texts: Vec<String> = upserts
            .iter()
            .filter_map(|(_, event)| event.product.as_ref())
            .map(|p| document::compose(&p.name, p.category.as_deref(), &p.description))
            .collect();
        let embedded = self
            .isolate("embed", texts.len(), |range| self.embed(&texts[range]))
            .await?;

        let mut records: Vec<VectorRecord> = Vec::with_capacity(upserts.len());
        // Aligned with `records`: the same product versions' full text.
        let mut documents: Vec<SearchDocument> = Vec::with_capacity(upserts.len());
        let mut owners: Vec<usize> = Vec::with_capacity(changes.len());
        for (&(i, event), vector) in upserts.iter().zip(embedded) {
            match (vector, &event.product) {
                (Ok(values), Some(product)) => {
                    owners.push(i);
                    documents.push(SearchDocument {
                        product_id: event.product_id,
                        version: event.version,
                        name: product.name.clone(),
                        category: product.category.clone(),
                        description: product.description.clone(),
                    });
                    records.push(VectorRecord {
                        product_id: event.product_id,
                        version: event.version,
                        values,
                        metadata: ProductMetadata {
                            sku: product.sku.clone(),
                            name: product.name.clone(),
                            category: product.category.clone(),
                            price: product.price,
                        },
                    });
                }
                (Err(reason), _) => {
                    outcomes[i] = Outcome::Poison(PoisonReason::EmbedderRefused(reason));
                }
                (Ok(_), None) => {}
            }
        }
        let mut tombstones: Vec<Tombstone> = Vec::new();
        for (i, change) in changes.iter().enumerate() {
            if change.event.op == Operation::Delete {
                owners.push(i);
                tombstones.push(Tombstone {
                    product_id: change.event.product_id,
                    version: change.event.version,
                });
            }
        }

        let started = Instant::now();
        let written = self
            .isolate("write", owners.len(), |range| {
                // Records first, then tombstones: split the range over both.
                let n = records.len();
                let upserted = range.start.min(n)..range.end.min(n);
                let tombstones =
                    &tombstones[range.start.saturating_sub(n)..range.end.saturating_sub(n)];
                self.write(&records[upserted.clone()], &documents[upserted], tombstones)
            })
            .await?;
        metrics::write_seconds(started.elapsed().as_secs_f64());
        let mut indexed = 0;
        let mut deleted = 0;
        for (&i, outcome) in owners.iter().zip(written) {
            match outcome {
                Ok(()) if changes[i].event.op == Operation::Upsert => indexed += 1,
                Ok(()) => deleted += 1,
                Err(reason) => outcomes[i] = Outcome::Poison(PoisonReason::StoreRefused(reason)),
            }
        }
        metrics::messages("indexed", indexed);
        metrics::messages("deleted", deleted);
        Ok(outcomes)
    }

    /// Run `attempt` over `0..len` with retries. When it fails for good
    /// on a range of several items, the range is halved and each half tried
    /// on its own, so that one product the store or embedder refuses costs
    /// only itself (and about 2·log2(len) extra calls), never its
    /// batch-mates. Returns one outcome per item: the value, or why it can
    /// never succeed.
    async fn isolate<R, F, Fut>(
        &self,
        what: &'static str,
        len: usize,
        mut attempt: F,
    ) -> Result<Vec<Result<R, String>>, Interrupted>
    where
        F: FnMut(Range<usize>) -> Fut,
        Fut: std::future::Future<Output = Result<Vec<R>, StepError>>,
    {
        let mut outcomes: Vec<Option<Result<R, String>>> = (0..len).map(|_| None).collect();
        let mut pending: Vec<Range<usize>> = Vec::new();
        if len > 0 {
            pending.push(0..len);
        }
        while let Some(range) = pending.pop() {
            match self.retry(what, || attempt(range.clone())).await {
                Ok(values) => {
                    for (i, value) in range.zip(values) {
                        outcomes[i] = Some(Ok(value));
                    }
                }
                Err(StepError::Permanent(reason)) if range.len() == 1 => {
                    outcomes[range.start] = Some(Err(reason));
                }
                Err(StepError::Permanent(reason)) => {
                    tracing::info!(step = what, %reason, items = range.len(), "permanent failure; isolating the products at fault");
                    let middle = range.start + range.len() / 2;
                    pending.push(middle..range.end);
                    pending.push(range.start..middle);
                }
                Err(StepError::Transient(..)) => return Err(Interrupted),
            }
        }
        // Every item got an outcome: the ranges tried cover 0..len.
        Ok(outcomes.into_iter().flatten().collect())
    }

    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, StepError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let started = Instant::now();
        let vectors = self.embedder.embed(texts).await.map_err(|e| {
            metrics::error("embed");
            if e.is_retryable() {
                StepError::Transient(e.to_string(), None)
            } else {
                StepError::Permanent(e.to_string())
            }
        })?;
        metrics::embed_seconds(started.elapsed().as_secs_f64());
        Ok(vectors)
    }

    /// Returns one `()` per record and tombstone, for [`Self::isolate`].
    ///
    /// The full-text documents go first: a product whose vector is visible
    /// (what "indexed" means to the frontend and the tests) is findable by
    /// its words too. Both writes are version-guarded, so a retry after a
    /// failure between them repeats the first as a no-op.
    async fn write(
        &self,
        records: &[VectorRecord],
        documents: &[SearchDocument],
        tombstones: &[Tombstone],
    ) -> Result<Vec<()>, StepError> {
        let classify = |e: VectorStoreError| {
            metrics::error("store");
            if e.is_retryable() || is_deployment_fault(&e) {
                self.readiness.set("vector_store", Err(e.to_string()));
                StepError::Transient(e.to_string(), e.retry_after())
            } else {
                StepError::Permanent(e.to_string())
            }
        };
        if !records.is_empty() {
            self.documents.upsert(documents).await.map_err(classify)?;
            self.store.upsert(records).await.map_err(classify)?;
        }
        if !tombstones.is_empty() {
            self.documents.delete(tombstones).await.map_err(classify)?;
            self.store.delete(tombstones).await.map_err(classify)?;
        }
        self.readiness.set_ok("vector_store");
        Ok(vec![(); records.len() + tombstones.len()])
    }

    async fn acknowledge(&self, deliveries: &[&Delivery]) -> Result<(), StepError> {
        self.retry("acknowledge", || async {
            match self.queue.delete(deliveries).await {
                Ok(failed) => {
                    if failed > 0 {
                        metrics::error("delete_entry");
                    }
                    Ok(())
                }
                Err(e) => {
                    metrics::error("sqs");
                    Err(StepError::Transient(e.to_string(), None))
                }
            }
        })
        .await
    }

    /// Run `step` until it succeeds, fails permanently, or shutdown comes
    /// (then the last transient error is returned).
    async fn retry<T, F, Fut>(&self, what: &'static str, mut step: F) -> Result<T, StepError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, StepError>>,
    {
        let mut delays =
            sync_core::retry::backoff(Duration::from_millis(100), Duration::from_secs(20));
        loop {
            match step().await {
                Ok(value) => return Ok(value),
                Err(StepError::Permanent(reason)) => return Err(StepError::Permanent(reason)),
                Err(StepError::Transient(reason, retry_after)) => {
                    let delay = retry_after
                        .unwrap_or_else(|| delays.next().unwrap_or(Duration::from_secs(20)));
                    tracing::warn!(step = what, %reason, ?delay, "transient failure; retrying");
                    tokio::select! {
                        () = tokio::time::sleep(delay) => {}
                        () = self.shutdown.triggered() => return Err(StepError::Transient(reason, None)),
                    }
                }
            }
        }
    }

    /// Extend the visibility of the batch every half timeout, until the
    /// returned handle is dropped.
    fn keep_visible(&self, deliveries: Vec<Delivery>) -> AbortOnDropHandle<()> {
        let queue = self.queue.clone();
        let every = Duration::from_secs(u64::from(queue.visibility_timeout_s.unsigned_abs()) / 2);
        AbortOnDropHandle::new(tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let refs: Vec<&Delivery> = deliveries.iter().collect();
                if let Err(e) = queue
                    .set_visibility(&refs, queue.visibility_timeout_s)
                    .await
                {
                    tracing::warn!(error = %e, "could not extend the batch's visibility");
                }
            }
        }))
    }
}

/// The newest change of one product in a batch, and every message of that
/// product the batch holds (older ones are superseded by it: they are
/// acknowledged, or dead-lettered, together with it).
struct Change<'a> {
    event: &'a ChangeEvent,
    deliveries: Vec<&'a Delivery>,
}

fn changes_per_product(valid: &[(Delivery, ChangeEvent)]) -> Vec<Change<'_>> {
    let newest = newest_per_product(valid.iter().map(|(_, e)| e), |e| (e.product_id, e.version));
    let mut changes: Vec<Change<'_>> = newest
        .into_iter()
        .map(|event| Change {
            event,
            deliveries: Vec::new(),
        })
        .collect();
    let slot: HashMap<i64, usize> = changes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.event.product_id, i))
        .collect();
    for (delivery, event) in valid {
        if let Some(&i) = slot.get(&event.product_id) {
            changes[i].deliveries.push(delivery);
        }
    }
    changes
}

/// A refusal that says the deployment is wrong (bad key, unknown index),
/// not the data: every product would get it, so it is waited out (with
/// readiness red) rather than dead-lettering the whole stream.
fn is_deployment_fault(error: &VectorStoreError) -> bool {
    matches!(
        error,
        VectorStoreError::Config(_)
            | VectorStoreError::Rejected {
                status: 401 | 403 | 404,
                ..
            }
    )
}

/// The text of a panic's payload, when it has one.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}
