//! Sending claimed outbox events to the FIFO queue with SendMessageBatch.
//!
//! Ordering rules, and why:
//! * Events are split into lanes by product, and each lane sends its batches
//!   one after the other. Two events of one product are therefore never in
//!   flight at once, so SQS receives them in outbox (= version) order even
//!   though lanes run concurrently.
//! * A batch never holds two events of the same product: if the first failed
//!   and the second succeeded, SQS would hold them in reverse order.
//! * Failed entries are retried before the lane moves on; an entry SQS
//!   rejects as a sender fault (no retry can fix it) is parked, never
//!   dropped.

use std::collections::HashSet;
use std::time::Duration;

use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use futures::future::join_all;
use sync_core::telemetry::{Readiness, Shutdown};

use crate::metrics;
use crate::outbox::OutboxEvent;

/// SQS caps a batch at 10 entries and 256 KiB of payload in total; keep a
/// margin for attributes and encoding.
const MAX_ENTRIES: usize = 10;
const MAX_BATCH_BYTES: usize = 240 * 1024;

#[derive(Debug, Default)]
pub struct SendReport {
    /// Outbox seqs SQS accepted: safe to delete.
    pub sent: Vec<i64>,
    /// Outbox seqs SQS refused for good, with the reason: to be parked.
    pub rejected: Vec<(i64, String)>,
    /// True when shutdown interrupted a retry: the rest stays in the outbox.
    pub interrupted: bool,
}

#[derive(Clone, Debug)]
pub struct Sender {
    client: aws_sdk_sqs::Client,
    queue_url: String,
    lanes: usize,
    readiness: Readiness,
}

impl Sender {
    pub fn new(
        client: aws_sdk_sqs::Client,
        queue_url: String,
        lanes: usize,
        readiness: Readiness,
    ) -> Self {
        Self {
            client,
            queue_url,
            lanes: lanes.max(1),
            readiness,
        }
    }

    /// Check that the queue exists and is reachable (start-up readiness).
    pub async fn probe(&self) -> Result<(), String> {
        sync_core::queue::probe(&self.client, &self.queue_url).await
    }

    /// Send every event, retrying until each is accepted or rejected for
    /// good, or until shutdown.
    pub async fn send_all(&self, events: Vec<OutboxEvent>, shutdown: &Shutdown) -> SendReport {
        let mut lanes: Vec<Vec<OutboxEvent>> = vec![Vec::new(); self.lanes];
        for event in events {
            let lane = event.event.product_id.unsigned_abs() as usize % self.lanes;
            lanes[lane].push(event);
        }
        let reports = join_all(
            lanes
                .into_iter()
                .filter(|lane| !lane.is_empty())
                .map(|lane| self.send_lane(lane, shutdown)),
        )
        .await;
        let mut total = SendReport::default();
        for report in reports {
            total.sent.extend(report.sent);
            total.rejected.extend(report.rejected);
            total.interrupted |= report.interrupted;
        }
        total
    }

    async fn send_lane(&self, events: Vec<OutboxEvent>, shutdown: &Shutdown) -> SendReport {
        let mut report = SendReport::default();
        for batch in into_batches(events) {
            if !self.send_batch(batch, shutdown, &mut report).await {
                report.interrupted = true;
                break;
            }
        }
        report
    }

    /// Returns false if shutdown interrupted it before every entry settled.
    async fn send_batch(
        &self,
        batch: Vec<(OutboxEvent, String)>,
        shutdown: &Shutdown,
        report: &mut SendReport,
    ) -> bool {
        let mut pending = batch;
        let mut backoff = retry_delays();
        while !pending.is_empty() {
            let entries = pending
                .iter()
                .enumerate()
                .map(|(i, (e, body))| {
                    SendMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .message_body(body)
                        .message_group_id(e.event.message_group_id())
                        .message_deduplication_id(e.event.deduplication_id())
                        .build()
                })
                .collect::<Result<Vec<_>, _>>();
            let entries = match entries {
                Ok(entries) => entries,
                Err(e) => {
                    // Only possible if a required field were missing, which
                    // the code above always sets; park rather than spin.
                    let reason = format!("could not build the SQS entry: {e}");
                    report
                        .rejected
                        .extend(pending.drain(..).map(|(e, _)| (e.seq, reason.clone())));
                    return true;
                }
            };
            let result = self
                .client
                .send_message_batch()
                .queue_url(&self.queue_url)
                .set_entries(Some(entries))
                .send()
                .await;
            match result {
                Ok(output) => {
                    self.readiness.set_ok("sqs");
                    let mut retry = Vec::new();
                    let sent_before = report.sent.len();
                    let failed: Vec<_> = output.failed;
                    for (i, item) in pending.drain(..).enumerate() {
                        let id = i.to_string();
                        match failed.iter().find(|f| f.id == id) {
                            None => report.sent.push(item.0.seq),
                            Some(f) if f.sender_fault => {
                                let reason =
                                    format!("{}: {}", f.code, f.message.as_deref().unwrap_or(""));
                                tracing::error!(seq = item.0.seq, event_id = %item.0.event.event_id, %reason, "SQS rejected an event; parking it");
                                metrics::send_error("rejected");
                                report.rejected.push((item.0.seq, reason));
                            }
                            Some(f) => {
                                tracing::warn!(seq = item.0.seq, code = %f.code, "SQS failed an entry; retrying it");
                                metrics::send_error("entry");
                                retry.push(item);
                            }
                        }
                    }
                    metrics::events_sent(report.sent.len() - sent_before);
                    pending = retry;
                }
                Err(e) => {
                    let error = sync_core::queue::describe_sdk_error(&e);
                    tracing::warn!(%error, entries = pending.len(), "SendMessageBatch failed; retrying");
                    metrics::send_error("request");
                    self.readiness.set("sqs", Err(error));
                }
            }
            if !pending.is_empty() {
                let delay = backoff.next().unwrap_or(Duration::from_secs(30));
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    () = shutdown.triggered() => return false,
                }
            }
        }
        true
    }
}

/// Exponential backoff with jitter, 100 ms doubling to 30 s, forever: an
/// event is never given up on because SQS is down for a while.
fn retry_delays() -> impl Iterator<Item = Duration> {
    sync_core::retry::backoff(Duration::from_millis(100), Duration::from_secs(30))
}

/// Split a lane (in outbox order) into batches: ≤ 10 entries, ≤ the byte
/// limit, and at most one event per product.
fn into_batches(events: Vec<OutboxEvent>) -> Vec<Vec<(OutboxEvent, String)>> {
    let mut batches = Vec::new();
    let mut batch: Vec<(OutboxEvent, String)> = Vec::new();
    let mut bytes = 0;
    let mut products = HashSet::new();
    for event in events {
        let body = event.event.to_message_body();
        let full = batch.len() == MAX_ENTRIES
            || bytes + body.len() > MAX_BATCH_BYTES
            || products.contains(&event.event.product_id);
        if full && !batch.is_empty() {
            batches.push(std::mem::take(&mut batch));
            bytes = 0;
            products.clear();
        }
        bytes += body.len();
        products.insert(event.event.product_id);
        batch.push((event, body));
    }
    if !batch.is_empty() {
        batches.push(batch);
    }
    batches
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use sync_core::change_event::{ChangeEvent, Operation, ProductDocument, SCHEMA_VERSION};

    fn event(seq: i64, product_id: i64, description_len: usize) -> OutboxEvent {
        OutboxEvent {
            seq,
            event: ChangeEvent {
                schema_version: SCHEMA_VERSION,
                event_id: uuid::Uuid::new_v4(),
                op: Operation::Upsert,
                product_id,
                version: seq,
                occurred_at: chrono::Utc::now(),
                product: Some(ProductDocument {
                    sku: format!("SKU-{product_id}"),
                    name: "n".into(),
                    description: "d".repeat(description_len),
                    category: None,
                    price: None,
                }),
                truncated: false,
            },
        }
    }

    fn shape(batches: &[Vec<(OutboxEvent, String)>]) -> Vec<Vec<i64>> {
        batches
            .iter()
            .map(|b| b.iter().map(|(e, _)| e.seq).collect())
            .collect()
    }

    #[test]
    fn at_most_ten_per_batch_in_order() {
        let events = (1..=25).map(|i| event(i, i, 10)).collect();
        let batches = into_batches(events);
        assert_eq!(
            batches.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![10, 10, 5]
        );
        assert_eq!(shape(&batches).concat(), (1..=25).collect::<Vec<_>>());
    }

    #[test]
    fn one_event_per_product_per_batch() {
        let events = vec![
            event(1, 7, 1),
            event(2, 8, 1),
            event(3, 7, 1),
            event(4, 9, 1),
        ];
        assert_eq!(shape(&into_batches(events)), vec![vec![1, 2], vec![3, 4]]);
    }

    #[test]
    fn respects_the_byte_limit() {
        // 8 000-char descriptions of 4-byte characters would be ~32 KB each;
        // use ASCII 30 KB bodies: 8 fit under 240 KiB, not 10.
        let events = (1..=10).map(|i| event(i, i, 30_000)).collect();
        let batches = into_batches(events);
        assert!(
            batches
                .iter()
                .all(|b| b.iter().map(|(_, s)| s.len()).sum::<usize>() <= MAX_BATCH_BYTES)
        );
        assert_eq!(batches.len(), 2);
    }
}
