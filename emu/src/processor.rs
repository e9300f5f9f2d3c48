//! One batch, start to finish: decode, dead-letter poison, coalesce, embed,
//! write to the vector store, acknowledge.
//!
//! The rule that keeps the index honest: a message is deleted from SQS only
//! after the vector store acknowledged its effect (or a newer change of the
//! same product that supersedes it). Transient failures (store or SQS down,
//! throttling) are retried here, with backoff, while the batch's visibility
//! is kept extended, so a healing outage never pushes valid messages towards
//! the DLQ. Only messages that can never succeed are dead-lettered: when
//! the embedder or the store refuses a batch for good, the batch is halved
//! until the products at fault are found, so that they alone are
//! dead-lettered and every other product of the batch is indexed.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use shared::catalog::document;
use shared::change_event::{ChangeEvent, Operation};
use shared::embedding::Embedder;
use shared::telemetry::{Readiness, Shutdown};
use shared::vector_store::{
    ProductMetadata, Tombstone, VectorRecord, VectorStore, VectorStoreError,
};
use tracing::Instrument;

use crate::alerts::{Alerts, PoisonReport, excerpt};
use crate::coalesce::newest_per_product;
use crate::job_queue::{Delivery, JobQueue};
use crate::metrics;

#[derive(Debug, Clone)]
pub struct Processor {
    pub queue: JobQueue,
    pub alerts: Alerts,
    pub embedder: Arc<dyn Embedder>,
    pub store: Arc<dyn VectorStore>,
    pub readiness: Readiness,
    pub shutdown: Shutdown,
}

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
            match ChangeEvent::decode(&delivery.body) {
                Ok(event) => valid.push((delivery, event)),
                Err(reason) => self.dead_letter(&delivery, &reason.to_string()).await,
            }
        }
        if valid.is_empty() {
            return;
        }

        // Keep the batch ours while it is being worked on.
        let heartbeat = self.keep_visible(valid.iter().map(|(d, _)| d.clone()).collect());
        let changes = changes_per_product(&valid);
        metrics::messages("superseded", valid.len() - changes.len());
        let outcome = self.apply(&changes).await;
        heartbeat.abort();

        match outcome {
            Ok(outcomes) => {
                let mut done: Vec<&Delivery> = Vec::with_capacity(valid.len());
                for (change, outcome) in changes.iter().zip(outcomes) {
                    match outcome {
                        Ok(()) => done.extend(&change.deliveries),
                        // The store or the embedder refused this product's
                        // data for good; its batch-mates went through.
                        Err(reason) => {
                            for delivery in &change.deliveries {
                                self.dead_letter(delivery, &reason).await;
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
            Err(reason) => {
                // Only reached on shutdown: hand the batch back at once so
                // another instance picks it up without waiting out the timeout.
                tracing::info!(%reason, "releasing the batch");
                let deliveries: Vec<&Delivery> = valid.iter().map(|(d, _)| d).collect();
                if let Err(e) = self.queue.set_visibility(&deliveries, 0).await {
                    tracing::warn!(error = %e, "could not release the batch; it reappears after the visibility timeout");
                }
            }
        }
    }

    /// Embed and write the newest change of each product, retrying
    /// transient failures until they heal. Returns, per change, `Ok` or the
    /// reason it can never succeed; `Err` only when shutdown interrupted a
    /// retry.
    async fn apply(&self, changes: &[Change<'_>]) -> Result<Vec<Result<(), String>>, String> {
        let mut outcomes: Vec<Result<(), String>> = vec![Ok(()); changes.len()];
        let upserts: Vec<usize> = (0..changes.len())
            .filter(|&i| changes[i].event.op == Operation::Upsert)
            .collect();
        // One text per upsert, aligned with `upserts` (an upsert always has
        // a product: `ChangeEvent::decode` checks it).
        let texts: Vec<String> = upserts
            .iter()
            .map(|&i| {
                changes[i]
                    .event
                    .product
                    .as_ref()
                    .map_or_else(String::new, |p| {
                        document::compose(&p.name, p.category.as_deref(), &p.description)
                    })
            })
            .collect();
        let embedded = self
            .isolate("embed", texts.len(), |range| self.embed(&texts[range]))
            .await?;

        let mut records: Vec<VectorRecord> = Vec::with_capacity(upserts.len());
        let mut owners: Vec<usize> = Vec::with_capacity(changes.len());
        for (&i, vector) in upserts.iter().zip(embedded) {
            let event = changes[i].event;
            match (vector, &event.product) {
                (Ok(values), Some(product)) => {
                    owners.push(i);
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
                (Err(reason), _) => outcomes[i] = Err(reason),
                // `ChangeEvent::decode` guarantees an upsert's product.
                (Ok(_), None) => outcomes[i] = Err("upsert without a product".into()),
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
                let records = &records[range.start.min(n)..range.end.min(n)];
                let tombstones =
                    &tombstones[range.start.saturating_sub(n)..range.end.saturating_sub(n)];
                self.write(records, tombstones)
            })
            .await?;
        metrics::write_seconds(started.elapsed().as_secs_f64());
        let mut indexed = 0;
        let mut deleted = 0;
        for (&i, outcome) in owners.iter().zip(written) {
            match outcome {
                Ok(()) if changes[i].event.op == Operation::Upsert => indexed += 1,
                Ok(()) => deleted += 1,
                Err(reason) => outcomes[i] = Err(reason),
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
    /// batch-mates. Returns one outcome per item; `Err` on shutdown.
    async fn isolate<R, F, Fut>(
        &self,
        what: &'static str,
        len: usize,
        mut attempt: F,
    ) -> Result<Vec<Result<R, String>>, String>
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
                Err(StepError::Transient(reason, _)) => return Err(reason),
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
    async fn write(
        &self,
        records: &[VectorRecord],
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
            self.store.upsert(records).await.map_err(classify)?;
        }
        if !tombstones.is_empty() {
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

    /// Run `step` until it succeeds, fails permanently, or shutdown comes.
    async fn retry<T, F, Fut>(&self, what: &'static str, mut step: F) -> Result<T, StepError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, StepError>>,
    {
        let mut delays =
            shared::retry::backoff(Duration::from_millis(100), Duration::from_secs(20));
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

    /// Extend the visibility of the batch every half timeout until aborted.
    fn keep_visible(&self, deliveries: Vec<Delivery>) -> tokio::task::JoinHandle<()> {
        let queue = self.queue.clone();
        let every = Duration::from_secs(u64::from(queue.visibility_timeout_s.unsigned_abs()) / 2);
        tokio::spawn(async move {
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
        })
    }

    /// Move a message that can never succeed to the DLQ and say why on SNS.
    /// If SQS is unavailable the message stays put and comes back later.
    async fn dead_letter(&self, delivery: &Delivery, reason: &str) {
        let span = tracing::warn_span!("poison", message_id = %delivery.message_id);
        async {
            tracing::warn!(%reason, receive_count = delivery.receive_count, "message can never succeed; moving it to the DLQ");
            metrics::messages("poison", 1);
            if let Err(e) = self.queue.dead_letter(delivery).await {
                metrics::error("dead_letter");
                tracing::error!(error = %e, "could not move the message to the DLQ; it will be redelivered");
                return;
            }
            let report = PoisonReport {
                reason,
                message_id: &delivery.message_id,
                receive_count: delivery.receive_count,
                queue_url: &self.queue.queue_url,
                dead_letter_queue_url: &self.queue.dlq_url,
                body_excerpt: excerpt(&delivery.body, 300),
            };
            if let Err(e) = self.alerts.poison(&report).await {
                metrics::error("sns");
                tracing::error!(error = %e, "could not publish the poison notification");
            }
        }
        .instrument(span)
        .await;
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
    let events: Vec<&ChangeEvent> = valid.iter().map(|(_, e)| e).collect();
    let mut changes: Vec<Change<'_>> = newest_per_product(&events)
        .into_iter()
        .map(|i| Change {
            event: events[i],
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
