//! One batch, start to finish: decode, dead-letter poison, coalesce, embed,
//! write to the vector store, acknowledge.
//!
//! The rule that keeps the index honest: a message is deleted from SQS only
//! after the vector store acknowledged its effect (or a newer change of the
//! same product that supersedes it). Transient failures (store or SQS down,
//! throttling) are retried here, with backoff, while the batch's visibility
//! is kept extended, so a healing outage never pushes valid messages towards
//! the DLQ. Only messages that can never succeed are dead-lettered.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use shared::catalog::document;
use shared::change_event::{ChangeEvent, Operation};
use shared::embedding::Embedder;
use shared::telemetry::{Readiness, Shutdown};
use shared::vector_store::{ProductMetadata, Tombstone, VectorRecord, VectorStore};
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
        let outcome = self.apply(&valid).await;
        heartbeat.abort();

        let deliveries: Vec<&Delivery> = valid.iter().map(|(d, _)| d).collect();
        match outcome {
            Ok(()) => {
                if let Err(e) = self.acknowledge(&deliveries).await {
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
            Err(StepError::Permanent(reason)) => {
                // The store refused data that decoded fine (e.g. a vector or
                // metadata it rejects): no retry can fix it.
                for delivery in deliveries {
                    self.dead_letter(delivery, &reason).await;
                }
            }
            Err(StepError::Transient(reason, _)) => {
                // Only reached on shutdown: hand the batch back at once so
                // another instance picks it up without waiting out the timeout.
                tracing::info!(%reason, "releasing the batch");
                if let Err(e) = self.queue.set_visibility(&deliveries, 0).await {
                    tracing::warn!(error = %e, "could not release the batch; it reappears after the visibility timeout");
                }
            }
        }
    }

    /// Embed and write the newest change per product, retrying transient
    /// failures until they heal or shutdown.
    async fn apply(&self, valid: &[(Delivery, ChangeEvent)]) -> Result<(), StepError> {
        let events: Vec<&ChangeEvent> = valid.iter().map(|(_, e)| e).collect();
        let newest: Vec<&ChangeEvent> = newest_per_product(&events)
            .into_iter()
            .map(|i| events[i])
            .collect();
        metrics::messages("superseded", events.len() - newest.len());

        let upserts: Vec<&ChangeEvent> = newest
            .iter()
            .copied()
            .filter(|e| e.op == Operation::Upsert)
            .collect();
        let tombstones: Vec<Tombstone> = newest
            .iter()
            .filter(|e| e.op == Operation::Delete)
            .map(|e| Tombstone {
                product_id: e.product_id,
                version: e.version,
            })
            .collect();

        let vectors = self.retry("embed", || self.embed(&upserts)).await?;
        let records: Vec<VectorRecord> = upserts
            .iter()
            .zip(vectors)
            .filter_map(|(event, values)| {
                let product = event.product.as_ref()?;
                Some(VectorRecord {
                    product_id: event.product_id,
                    version: event.version,
                    values,
                    metadata: ProductMetadata {
                        sku: product.sku.clone(),
                        name: product.name.clone(),
                        category: product.category.clone(),
                        price: product.price,
                    },
                })
            })
            .collect();
        let started = Instant::now();
        self.retry("write", || self.write(&records, &tombstones))
            .await?;
        metrics::write_seconds(started.elapsed().as_secs_f64());
        metrics::messages("indexed", records.len());
        metrics::messages("deleted", tombstones.len());
        Ok(())
    }

    async fn embed(&self, upserts: &[&ChangeEvent]) -> Result<Vec<Vec<f32>>, StepError> {
        if upserts.is_empty() {
            return Ok(Vec::new());
        }
        let texts: Vec<String> = upserts
            .iter()
            .filter_map(|e| e.product.as_ref())
            .map(|p| document::compose(&p.name, p.category.as_deref(), &p.description))
            .collect();
        let started = Instant::now();
        let vectors = self.embedder.embed(&texts).await.map_err(|e| {
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

    async fn write(
        &self,
        records: &[VectorRecord],
        tombstones: &[Tombstone],
    ) -> Result<(), StepError> {
        let classify = |e: shared::vector_store::VectorStoreError| {
            metrics::error("store");
            if e.is_retryable() {
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
        Ok(())
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
